//! The one table of what the engine knows of each kind of command: the
//! permission it needs, what it does with the lane's cart, whether the back
//! office may run it, and what a manager's approval lifts.
//!
//! The gate (`Engine::run`) reads only this before it hands a command to its
//! handler, so a new command is one row here and one handler. The one part
//! the gate cannot check is `Approves::Later`: those permissions are asked
//! by the handler once it sees the need (a discount past the limit, a paid
//! sale voided), and the row names them for help and docs, so a handler that
//! asks for another must change its row too. Screens and docs read the table
//! (a command's stable name and one line), which is why it is public.

use super::command::CommandKind;
use crate::domain::user::Permission;

/// What a command does with the lane's open sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartUse {
    /// Works on the open sale: refused (`NoCart`) when the lane has none.
    Needed,
    /// Starts a sale when the lane has none (or replaces an empty one: a
    /// refund, a recalled sale). Never in the back office: a sale there
    /// would be every manager's cart at once.
    Created,
    /// Looks at the open sale if there is one, never starts one (logging
    /// out ends a refund approved for this user only).
    Optional,
    /// Leaves the cart alone.
    Ignored,
}

/// What a manager's approval, carried by the command, stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approves {
    /// The permission the gate checks, for a user whose role may not.
    Permission,
    /// Permissions the handler asks for only once it sees they are needed:
    /// a receipt found first, an older receipt, a payment taken, a discount
    /// past the cashier's limit.
    Later(&'static [Permission]),
}

/// The facts of one kind of command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandFacts {
    /// Its stable snake_case name, as the socket spells it.
    pub name: &'static str,
    /// One line for help and docs.
    pub summary: &'static str,
    /// What the gate checks before the handler runs; `None`: an open session
    /// is enough, or the handler decides (see `approval`).
    pub permission: Option<Permission>,
    /// What the command's approval lifts; `None`: it carries none.
    pub approval: Option<Approves>,
    pub cart: CartUse,
    /// Carries the lane's refund on: a user other than the one it was
    /// approved for needs the refund permission themselves.
    pub continues_refund: bool,
}

impl CommandFacts {
    /// Whether the back office (lane 0, shared by every manager's screen)
    /// may run it: anything that does not start a sale.
    pub const fn in_back_office(&self) -> bool {
        !matches!(self.cart, CartUse::Created)
    }
}

/// The row every entry starts from: needs nothing, takes no approval.
const PLAIN: CommandFacts = CommandFacts {
    name: "",
    summary: "",
    permission: None,
    approval: None,
    cart: CartUse::Ignored,
    continues_refund: false,
};

impl CommandKind {
    /// This kind's row of the table.
    pub const fn facts(self) -> CommandFacts {
        use CartUse::{Created, Needed, Optional};
        use CommandKind as K;
        use Permission as P;
        match self {
            K::Scan => CommandFacts {
                name: "scan",
                summary: "add what a barcode or PLU stands for",
                permission: Some(P::Sell),
                cart: Created,
                ..PLAIN
            },
            K::AddSku => CommandFacts {
                name: "add_sku",
                summary: "add a product picked by its sku",
                permission: Some(P::Sell),
                cart: Created,
                ..PLAIN
            },
            K::SetQuantity => CommandFacts {
                name: "set_quantity",
                summary: "change a line's quantity",
                permission: Some(P::Sell),
                cart: Needed,
                ..PLAIN
            },
            K::VoidLine => CommandFacts {
                name: "void_line",
                summary: "void one line of the sale",
                permission: Some(P::VoidLine),
                cart: Needed,
                ..PLAIN
            },
            K::LineDiscount => CommandFacts {
                name: "line_discount",
                summary: "discount one line; past the cashier's limit, a supervisor's",
                permission: Some(P::Discount),
                approval: Some(Approves::Later(&[P::LargeDiscount])),
                cart: Needed,
                ..PLAIN
            },
            K::SaleDiscount => CommandFacts {
                name: "sale_discount",
                summary: "discount the whole sale; past the cashier's limit, a supervisor's",
                permission: Some(P::Discount),
                approval: Some(Approves::Later(&[P::LargeDiscount])),
                cart: Needed,
                ..PLAIN
            },
            K::Tender => CommandFacts {
                name: "tender",
                summary: "take a payment; the sale completes once it is paid",
                permission: Some(P::Sell),
                cart: Needed,
                continues_refund: true,
                ..PLAIN
            },
            K::VoidSale => CommandFacts {
                name: "void_sale",
                summary: "void the whole sale; once paid into, a manager's",
                approval: Some(Approves::Later(&[P::VoidLine, P::VoidAfterTender])),
                cart: Needed,
                ..PLAIN
            },
            K::StartRefund => CommandFacts {
                name: "start_refund",
                summary: "open a refund against a receipt of this terminal",
                approval: Some(Approves::Later(&[P::Refund])),
                cart: Created,
                ..PLAIN
            },
            K::RefundLine => CommandFacts {
                name: "refund_line",
                summary: "refund a quantity of a line of the receipt",
                cart: Needed,
                continues_refund: true,
                ..PLAIN
            },
            K::Hold => CommandFacts {
                name: "hold",
                summary: "put the sale aside for the next customer",
                permission: Some(P::Sell),
                cart: Needed,
                ..PLAIN
            },
            K::Recall => CommandFacts {
                name: "recall",
                summary: "bring a held sale back onto this lane",
                permission: Some(P::Sell),
                cart: Created,
                ..PLAIN
            },
            K::Reprint => CommandFacts {
                name: "reprint",
                summary: "print a receipt again as a duplicate; an older one, a manager's",
                approval: Some(Approves::Later(&[P::Reprint])),
                ..PLAIN
            },
            K::SetPrice => CommandFacts {
                name: "set_price",
                summary: "change a product's shelf price",
                permission: Some(P::ManageCatalog),
                ..PLAIN
            },
            K::OverridePrice => CommandFacts {
                name: "override_price",
                summary: "sell one line at another price than the shelf's",
                permission: Some(P::PriceOverride),
                approval: Some(Approves::Permission),
                cart: Needed,
                ..PLAIN
            },
            K::EditProduct => CommandFacts {
                name: "edit_product",
                summary: "change a product's tax category or barcodes",
                permission: Some(P::ManageCatalog),
                ..PLAIN
            },
            K::AddUser => CommandFacts {
                name: "add_user",
                summary: "add a user, at most of one's own role",
                permission: Some(P::ManageUsers),
                ..PLAIN
            },
            K::ResetPin => CommandFacts {
                name: "reset_pin",
                summary: "set a user's PIN and lift their lockouts",
                permission: Some(P::ManageUsers),
                ..PLAIN
            },
            K::SetUserDisabled => CommandFacts {
                name: "set_user_disabled",
                summary: "disable a user (or enable them again)",
                permission: Some(P::ManageUsers),
                ..PLAIN
            },
            K::AdjustStock => CommandFacts {
                name: "adjust_stock",
                summary: "correct a product's stock, with why",
                permission: Some(P::ManageStock),
                ..PLAIN
            },
            K::ReceiveDelivery => CommandFacts {
                name: "receive_delivery",
                summary: "book a delivery into stock",
                permission: Some(P::ManageStock),
                ..PLAIN
            },
            K::SetReorderLevel => CommandFacts {
                name: "set_reorder_level",
                summary: "set the stock level at which a product is low",
                permission: Some(P::ManageStock),
                ..PLAIN
            },
            K::OpenShift => CommandFacts {
                name: "open_shift",
                summary: "start a shift on this lane with the counted float",
                permission: Some(P::Sell),
                ..PLAIN
            },
            K::CashMovement => CommandFacts {
                name: "cash_movement",
                summary: "put cash into or take it out of the drawer, with why",
                permission: Some(P::CashMovement),
                approval: Some(Approves::Permission),
                ..PLAIN
            },
            K::CloseShift => CommandFacts {
                name: "close_shift",
                summary: "end the lane's shift with the cash counted, blind",
                permission: Some(P::Sell),
                ..PLAIN
            },
            K::XReport => CommandFacts {
                name: "x_report",
                summary: "the takings since the last Z report",
                permission: Some(P::ViewReports),
                approval: Some(Approves::Permission),
                ..PLAIN
            },
            K::ZReport => CommandFacts {
                name: "z_report",
                summary: "end the day with a numbered report of its takings",
                permission: Some(P::CloseDay),
                approval: Some(Approves::Permission),
                ..PLAIN
            },
            K::NoSale => CommandFacts {
                name: "no_sale",
                summary: "open the cash drawer without a sale",
                permission: Some(P::NoSale),
                approval: Some(Approves::Permission),
                ..PLAIN
            },
            K::AddCustomer => CommandFacts {
                name: "add_customer",
                summary: "add a customer, with what they agreed to",
                permission: Some(P::ManageCustomers),
                ..PLAIN
            },
            K::CorrectCustomer => CommandFacts {
                name: "correct_customer",
                summary: "correct a customer's details",
                permission: Some(P::ManageCustomers),
                ..PLAIN
            },
            K::EraseCustomer => CommandFacts {
                name: "erase_customer",
                summary: "erase a customer's personal data for good",
                permission: Some(P::EraseCustomer),
                approval: Some(Approves::Permission),
                ..PLAIN
            },
            K::AttachCustomer => CommandFacts {
                name: "attach_customer",
                summary: "put a customer on the sale (starting one), or take them off",
                permission: Some(P::ManageCustomers),
                cart: Created,
                ..PLAIN
            },
            K::Logout => CommandFacts {
                name: "logout",
                summary: "log out; an open sale stays on the lane, an approved refund does not",
                cart: Optional,
                ..PLAIN
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_decimal::Decimal;
    use strum::IntoEnumIterator;

    use super::*;
    use crate::domain::customer::{Consent, Contact};
    use crate::domain::money::Money;
    use crate::domain::tender::TenderKind;
    use crate::domain::user::Role;
    use crate::engine::command::{Approval, Command, ProductChange};
    use crate::engine::{BACK_OFFICE, Engine, EngineError, Session, SessionId};
    use crate::store::Store;
    use crate::store::settings::StoreSettings;

    /// One command of each kind; the match names every kind, so a new one
    /// cannot be left out of these tests.
    fn sample(kind: CommandKind) -> Command {
        let sku = || "sku-1".to_string();
        let one = Decimal::ONE;
        let contact = || Contact {
            name: "Ann Example".into(),
            phone: None,
            email: None,
            address: None,
            tax_number: None,
        };
        match kind {
            CommandKind::Scan => Command::Scan {
                code: "4006381333931".into(),
                quantity: None,
            },
            CommandKind::AddSku => Command::AddSku {
                sku: sku(),
                quantity: None,
            },
            CommandKind::SetQuantity => Command::SetQuantity {
                line: 0,
                quantity: one,
            },
            CommandKind::VoidLine => Command::VoidLine { line: 0 },
            CommandKind::LineDiscount => Command::LineDiscount {
                line: 0,
                discount: None,
                approval: None,
            },
            CommandKind::SaleDiscount => Command::SaleDiscount {
                discount: None,
                approval: None,
            },
            CommandKind::Tender => Command::Tender {
                kind: TenderKind::Cash,
                amount: None,
            },
            CommandKind::VoidSale => Command::VoidSale { approval: None },
            CommandKind::StartRefund => Command::StartRefund {
                receipt: 1,
                approval: None,
            },
            CommandKind::RefundLine => Command::RefundLine {
                line: 0,
                quantity: one,
            },
            CommandKind::Hold => Command::Hold,
            CommandKind::Recall => Command::Recall { id: 1 },
            CommandKind::Reprint => Command::Reprint {
                receipt: None,
                approval: None,
            },
            CommandKind::SetPrice => Command::SetPrice {
                sku: sku(),
                price: Money::new(one),
            },
            CommandKind::OverridePrice => Command::OverridePrice {
                line: 0,
                price: Money::new(one),
                approval: None,
            },
            CommandKind::EditProduct => Command::EditProduct {
                sku: sku(),
                change: ProductChange::RemoveBarcode("1".into()),
            },
            CommandKind::AddUser => Command::AddUser {
                name: String::new(),
                role: Role::Cashier,
                pin: "1234".into(),
            },
            CommandKind::ResetPin => Command::ResetPin {
                user: "nobody".into(),
                pin: "1234".into(),
            },
            CommandKind::SetUserDisabled => Command::SetUserDisabled {
                user: "nobody".into(),
                disabled: true,
            },
            CommandKind::AdjustStock => Command::AdjustStock {
                sku: sku(),
                delta: one,
                reason: "counted".into(),
            },
            CommandKind::ReceiveDelivery => Command::ReceiveDelivery {
                reference: "note 1".into(),
                lines: vec![(sku(), one)],
            },
            CommandKind::SetReorderLevel => Command::SetReorderLevel {
                sku: sku(),
                level: one,
            },
            CommandKind::OpenShift => Command::OpenShift {
                float: Money::new(-one),
            },
            CommandKind::CashMovement => Command::CashMovement {
                amount: Money::new(one),
                reason: "change".into(),
                approval: None,
            },
            CommandKind::CloseShift => Command::CloseShift {
                counted: Money::new(one),
            },
            CommandKind::XReport => Command::XReport { approval: None },
            CommandKind::ZReport => Command::ZReport {
                approval: None,
                despite_open_sales: false,
            },
            CommandKind::NoSale => Command::NoSale { approval: None },
            CommandKind::AddCustomer => Command::AddCustomer {
                contact: contact(),
                consent: Consent::default(),
            },
            CommandKind::CorrectCustomer => Command::CorrectCustomer {
                id: 99,
                contact: contact(),
                consent: Consent::default(),
            },
            CommandKind::EraseCustomer => Command::EraseCustomer {
                id: 99,
                approval: None,
            },
            CommandKind::AttachCustomer => Command::AttachCustomer { id: Some(99) },
            CommandKind::Logout => Command::Logout,
        }
    }

    #[test]
    fn every_kind_has_a_row_named_as_the_socket_names_it() {
        let mut names = std::collections::HashSet::new();
        for kind in CommandKind::iter() {
            let command = sample(kind);
            assert_eq!(command.kind(), kind);
            let facts = kind.facts();
            let wire = match serde_json::to_value(&command).unwrap() {
                serde_json::Value::String(name) => name,
                serde_json::Value::Object(map) => map.keys().next().unwrap().clone(),
                other => panic!("{other}"),
            };
            assert_eq!(facts.name, wire, "{kind:?}");
            assert!(names.insert(facts.name), "{} twice", facts.name);
            assert!(!facts.summary.is_empty(), "{kind:?}");
        }
    }

    /// The commands as today's engine treats them: the lists the facts
    /// table replaced, written out once more to pin it.
    #[test]
    fn the_table_says_what_the_engine_did_before_it() {
        use CommandKind as K;
        let kinds = |f: fn(&CommandFacts) -> bool| -> Vec<CommandKind> {
            CommandKind::iter().filter(|k| f(&k.facts())).collect()
        };
        let needs_cart = [
            K::SetQuantity,
            K::VoidLine,
            K::LineDiscount,
            K::SaleDiscount,
            K::Tender,
            K::VoidSale,
            K::RefundLine,
            K::Hold,
            K::OverridePrice,
        ];
        assert_eq!(kinds(|f| f.cart == CartUse::Needed), needs_cart);
        let not_in_back_office = [
            K::Scan,
            K::AddSku,
            K::StartRefund,
            K::Recall,
            K::AttachCustomer,
        ];
        assert_eq!(kinds(|f| !f.in_back_office()), not_in_back_office);
        let approvable = [
            K::LineDiscount,
            K::SaleDiscount,
            K::VoidSale,
            K::StartRefund,
            K::Reprint,
            K::OverridePrice,
            K::CashMovement,
            K::XReport,
            K::ZReport,
            K::NoSale,
            K::EraseCustomer,
        ];
        assert_eq!(kinds(|f| f.approval.is_some()), approvable);
        assert_eq!(kinds(|f| f.continues_refund), [K::Tender, K::RefundLine]);
        assert_eq!(kinds(|f| f.cart == CartUse::Optional), [K::Logout]);
    }

    #[test]
    fn a_command_carries_an_approval_exactly_when_its_row_says() {
        let approval = Approval {
            user: "manager".into(),
            pin: "9999".into(),
        };
        for kind in CommandKind::iter() {
            let facts = kind.facts();
            let plain = sample(kind);
            let approved = plain.clone().with_approval(approval.clone());
            assert_eq!(approved != plain, facts.approval.is_some(), "{kind:?}");
            assert_eq!(plain.takes_approval(), facts.approval.is_some(), "{kind:?}");
            match facts.approval {
                Some(Approves::Permission) => assert!(facts.permission.is_some(), "{kind:?}"),
                Some(Approves::Later(permissions)) => assert!(!permissions.is_empty()),
                None => {}
            }
        }
    }

    fn empty_store(dir: &std::path::Path) -> Store {
        let settings = StoreSettings {
            store_name: "Test".into(),
            terminal: "T01".into(),
            public_key: String::new(),
            rules: Default::default(),
            measure_layout: Default::default(),
            cashier_discount_limit: Decimal::TEN,
            created_at: chrono::Utc::now(),
        };
        Store::create(&dir.join("store"), settings).unwrap()
    }

    /// An admin (who holds every permission) on `lane`, let in without a PIN.
    fn admin_on(engine: &mut Engine, lane: u16) -> SessionId {
        let id = SessionId(u64::from(lane) + 1);
        let session = Session {
            user: "admin".into(),
            role: Role::Admin,
            lane,
            last_active: chrono::Utc::now(),
            origin: "test".into(),
        };
        engine.sessions.insert(id, session);
        id
    }

    #[test]
    fn the_gate_refuses_as_the_table_says() {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = Engine::new(empty_store(dir.path())).unwrap();
        for (n, kind) in CommandKind::iter().enumerate() {
            let facts = kind.facts();
            let back_office = admin_on(&mut engine, BACK_OFFICE);
            let refused = engine.execute(back_office, sample(kind));
            let said_back_office = matches!(refused, Err(EngineError::BackOffice));
            assert_eq!(said_back_office, !facts.in_back_office(), "{kind:?}");
            // A lane of its own, with no cart on it.
            let lane = admin_on(&mut engine, n as u16 + 1);
            let outcome = engine.execute(lane, sample(kind));
            let said_no_cart = matches!(outcome, Err(EngineError::NoCart));
            assert_eq!(said_no_cart, facts.cart == CartUse::Needed, "{kind:?}");
        }
    }
}
