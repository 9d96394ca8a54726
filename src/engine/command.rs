//! What a till can ask the engine to do. Serde-serialisable so a client can send
//! them over the daemon's socket exactly as the in-process TUI hands them over.
//! What the engine knows of each kind of command (its permission, its cart,
//! its approval) is [`CommandKind::facts`], in `engine::facts`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::customer::{Consent, Contact};
use crate::domain::discount::Discount;
use crate::domain::limits::{
    self, MAX_DELIVERY_LINES, MAX_REASON, MAX_SKU, MAX_TAX_CODE, MAX_USER_NAME, TooLarge,
};
use crate::domain::money::Money;
use crate::domain::tender::TenderKind;
use crate::domain::user::Role;

/// A manager's name and PIN, given at the till to allow what the cashier may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub user: String,
    pub pin: String,
}

/// A command. `CommandKind` (its variants without their data) names each
/// kind for the facts table, and lets a test try every one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(CommandKind), derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// A scanned or typed code: barcode or PLU. `quantity` defaults to 1 (or the
    /// weight in a variable-measure code).
    Scan {
        code: String,
        quantity: Option<Decimal>,
    },
    /// A product picked from the lookup by its sku.
    AddSku {
        sku: String,
        quantity: Option<Decimal>,
    },
    SetQuantity {
        line: usize,
        quantity: Decimal,
    },
    VoidLine {
        line: usize,
    },
    LineDiscount {
        line: usize,
        discount: Option<Discount>,
        approval: Option<Approval>,
    },
    /// Discounts beyond the store's limit for cashiers need `approval`.
    SaleDiscount {
        discount: Option<Discount>,
        approval: Option<Approval>,
    },
    /// `amount: None` pays exactly what is due.
    Tender {
        kind: TenderKind,
        amount: Option<Money>,
    },
    VoidSale {
        approval: Option<Approval>,
    },
    /// Opens a refund against a receipt of this terminal.
    StartRefund {
        receipt: u64,
        approval: Option<Approval>,
    },
    RefundLine {
        line: usize,
        quantity: Decimal,
    },
    /// Parks the open sale so the next customer can be served.
    Hold,
    /// Brings a held sale back onto this lane.
    Recall {
        id: u64,
    },
    /// Prints a receipt again, marked DUPLICATE: the last one (`None`) for
    /// anyone who sells, any other with a manager's approval.
    Reprint {
        receipt: Option<u64>,
        approval: Option<Approval>,
    },
    /// Changes a product's shelf price for every sale from now on.
    SetPrice {
        sku: String,
        price: Money,
    },
    /// Sells one line at another price than the shelf's (damaged goods, a
    /// price match): a manager's call.
    OverridePrice {
        line: usize,
        price: Money,
        approval: Option<Approval>,
    },
    /// Moves a product to another tax category, or adds or removes a barcode.
    EditProduct {
        sku: String,
        change: ProductChange,
    },
    AddUser {
        name: String,
        role: Role,
        pin: String,
    },
    ResetPin {
        user: String,
        pin: String,
    },
    /// Disables (or enables again) a user; a disabled user cannot log in.
    SetUserDisabled {
        user: String,
        disabled: bool,
    },
    /// Stock counted, damaged or lost: `delta` pieces (or kg) and why.
    AdjustStock {
        sku: String,
        delta: Decimal,
        reason: String,
    },
    /// A delivery in: quantities per sku, against a delivery note.
    ReceiveDelivery {
        reference: String,
        lines: Vec<(String, Decimal)>,
    },
    SetReorderLevel {
        sku: String,
        level: Decimal,
    },
    /// Starts a shift on this lane with the float counted into the drawer.
    OpenShift {
        float: Money,
    },
    /// Cash put into (positive) or taken out of (negative) the drawer, with why.
    CashMovement {
        amount: Money,
        reason: String,
        approval: Option<Approval>,
    },
    /// Ends the lane's shift with the cash counted, blind: the expected amount
    /// is shown only afterwards, with the difference.
    CloseShift {
        counted: Money,
    },
    /// Takings since the last Z report; changes nothing. Below the role
    /// that may see reports, an approver's PIN lets it show.
    XReport {
        approval: Option<Approval>,
    },
    /// Ends the day: a numbered report of the takings since the last one, into
    /// the journal; the grand total carries on.
    ZReport {
        approval: Option<Approval>,
        /// Taken although a lane has an open sale (which then falls in the
        /// next Z): without it such a Z is refused with the lanes named.
        #[serde(default)]
        despite_open_sales: bool,
    },
    /// Opens the cash drawer without a sale (a manager's call).
    NoSale {
        approval: Option<Approval>,
    },
    /// A new customer, with what they agreed to.
    AddCustomer {
        contact: Contact,
        consent: Consent,
    },
    /// A customer's details corrected (the old and new are kept, sealed).
    CorrectCustomer {
        id: u64,
        contact: Contact,
        consent: Consent,
    },
    /// Erases a customer's personal data for good, leaving their id on sales.
    EraseCustomer {
        id: u64,
        approval: Option<Approval>,
    },
    /// Puts a customer on the lane's sale (`None` takes them off).
    AttachCustomer {
        id: Option<u64>,
    },
    Logout,
}

impl Command {
    /// Refuses a command carrying a string past its bound (see
    /// `domain::limits`), before anything looks at it: whatever a client
    /// sends, nothing it stores can outgrow a frame.
    pub fn check_bounds(&self) -> Result<(), TooLarge> {
        let sku = |s: &str| limits::check("the sku", s, MAX_SKU);
        let user = |s: &str| limits::check("the user name", s, MAX_USER_NAME);
        let reason = |s: &str| limits::check("the reason", s, MAX_REASON);
        let approval = |a: &Option<Approval>| a.as_ref().map_or(Ok(()), |a| user(&a.user));
        match self {
            Command::Scan { code, .. } => limits::check("the code", code, MAX_SKU),
            Command::AddSku { sku: s, .. }
            | Command::SetPrice { sku: s, .. }
            | Command::SetReorderLevel { sku: s, .. } => sku(s),
            Command::EditProduct { sku: s, change } => {
                sku(s)?;
                match change {
                    ProductChange::TaxCategory(code) => {
                        limits::check("the tax category", code, MAX_TAX_CODE)
                    }
                    ProductChange::AddBarcode(code) | ProductChange::RemoveBarcode(code) => {
                        limits::check("the barcode", code, MAX_SKU)
                    }
                }
            }
            Command::AddUser { name, .. } => user(name),
            Command::ResetPin { user: u, .. } | Command::SetUserDisabled { user: u, .. } => user(u),
            Command::AdjustStock {
                sku: s, reason: r, ..
            } => sku(s).and_then(|()| reason(r)),
            Command::ReceiveDelivery { reference, lines } => {
                reason(reference)?;
                limits::check_count("lines on a delivery", lines.len(), MAX_DELIVERY_LINES)?;
                lines.iter().try_for_each(|(s, _)| sku(s))
            }
            Command::CashMovement {
                reason: r,
                approval: a,
                ..
            } => reason(r).and_then(|()| approval(a)),
            Command::LineDiscount { approval: a, .. }
            | Command::SaleDiscount { approval: a, .. }
            | Command::VoidSale { approval: a }
            | Command::StartRefund { approval: a, .. }
            | Command::Reprint { approval: a, .. }
            | Command::OverridePrice { approval: a, .. }
            | Command::XReport { approval: a }
            | Command::ZReport { approval: a, .. }
            | Command::NoSale { approval: a }
            | Command::EraseCustomer { approval: a, .. } => approval(a),
            // Contacts are bounded by `Contact::cleaned`; the rest carry no strings.
            Command::SetQuantity { .. }
            | Command::VoidLine { .. }
            | Command::Tender { .. }
            | Command::RefundLine { .. }
            | Command::Hold
            | Command::Recall { .. }
            | Command::OpenShift { .. }
            | Command::CloseShift { .. }
            | Command::AddCustomer { .. }
            | Command::CorrectCustomer { .. }
            | Command::AttachCustomer { .. }
            | Command::Logout => Ok(()),
        }
    }

    pub fn kind(&self) -> CommandKind {
        self.into()
    }

    /// Whether an approver's PIN can lift a refusal of this command; for the
    /// rest, only logging in as a user whose role may does.
    pub fn takes_approval(&self) -> bool {
        self.kind().facts().approval.is_some()
    }

    /// The same command carrying a manager's approval (unchanged if it
    /// cannot carry one).
    pub fn with_approval(mut self, approval: Approval) -> Command {
        if let Some(slot) = self.approval_slot() {
            *slot = Some(approval);
        }
        self
    }

    /// Takes the approval out of the command, for the gate to check.
    pub(super) fn take_approval(&mut self) -> Option<Approval> {
        self.approval_slot().and_then(Option::take)
    }

    /// Where the command carries an approval, if it has the field. Which
    /// commands take one is the facts table's; a test proves the two agree.
    fn approval_slot(&mut self) -> Option<&mut Option<Approval>> {
        match self {
            Command::VoidSale { approval }
            | Command::StartRefund { approval, .. }
            | Command::LineDiscount { approval, .. }
            | Command::SaleDiscount { approval, .. }
            | Command::Reprint { approval, .. }
            | Command::NoSale { approval }
            | Command::CashMovement { approval, .. }
            | Command::XReport { approval }
            | Command::ZReport { approval, .. }
            | Command::EraseCustomer { approval, .. }
            | Command::OverridePrice { approval, .. } => Some(approval),
            Command::Scan { .. }
            | Command::AddSku { .. }
            | Command::SetQuantity { .. }
            | Command::VoidLine { .. }
            | Command::Tender { .. }
            | Command::RefundLine { .. }
            | Command::Hold
            | Command::Recall { .. }
            | Command::SetPrice { .. }
            | Command::OpenShift { .. }
            | Command::AdjustStock { .. }
            | Command::AddUser { .. }
            | Command::EditProduct { .. }
            | Command::ResetPin { .. }
            | Command::SetUserDisabled { .. }
            | Command::ReceiveDelivery { .. }
            | Command::SetReorderLevel { .. }
            | Command::CloseShift { .. }
            | Command::AddCustomer { .. }
            | Command::CorrectCustomer { .. }
            | Command::AttachCustomer { .. }
            | Command::Logout => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductChange {
    TaxCategory(String),
    AddBarcode(String),
    RemoveBarcode(String),
}
