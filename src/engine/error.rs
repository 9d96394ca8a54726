//! Why the engine refused a command. Every refusal leaves the store as it was.

use crate::domain::barcode::BarcodeError;
use crate::domain::refund::RefundError;
use crate::domain::sale::SaleError;
use crate::domain::user::{Permission, Role};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Barcode(#[from] BarcodeError),
    #[error("no product has code {0}: check the code, or look the product up by name")]
    UnknownCode(String),
    #[error("{0}")]
    Sale(#[from] SaleError),
    #[error("{0}")]
    Refund(#[from] RefundError),
    #[error("wrong user or PIN")]
    BadLogin,
    #[error("user {user} is locked after too many wrong PINs until {until}: wait, or log in as another user", until = until.with_timezone(&chrono::Local).format("%H:%M:%S"))]
    LockedOut {
        user: String,
        until: chrono::DateTime<chrono::Utc>,
    },
    #[error(
        "{0} is sold by weight: put it on the scale and type the weight, then * and the code (e.g. 0.5*4011)"
    )]
    WeightNeeded(String),
    #[error(
        "this weight label is for {0}, which is sold by the piece: check the scale's item setup"
    )]
    LabelMismatch(String),
    #[error("not logged in (or the session ended): log in again")]
    NoSession,
    #[error("locked after {minutes} minutes without use: log in again (the sale is kept)")]
    SessionLocked { minutes: i64 },
    /// The permission, and the least role the shop's table gives it: whose
    /// approval to ask for.
    #[error("{0} needs {a}'s approval: ask {a} to enter their PIN", a = .1.a())]
    NeedsApproval(Permission, Role),
    #[error("the approving user may not approve {0} either")]
    ApprovalRefused(Permission),
    #[error("{}: a Z now leaves them to the next Z; finish or void them first, or take the Z anyway", open_list(.0))]
    OpenSales(Vec<(u16, crate::domain::money::Money)>),
    #[error("there is no open sale")]
    NoCart,
    #[error("finish or void the open sale first")]
    CartOpen,
    #[error("{0} is not a price a till can set (negative, too large, or finer than the currency)")]
    BadPrice(crate::domain::money::Money),
    #[error("no receipt printer is set up (till.toml, [devices] printer)")]
    NoPrinter,
    #[error("no cash drawer is set up behind the printer (till.toml, [printer] drawer)")]
    NoDrawer,
    #[error(
        "lane {0} is in use on another screen: a manager can take it over, or use another lane (--lane)"
    )]
    LaneBusy(u16),
    #[error(
        "this screen is the back office, where nothing is sold: start it with --lane N to sell"
    )]
    BackOffice,
    #[error("shift {0} is still open on this lane: close it first")]
    ShiftOpen(u64),
    #[error("no shift is open on this lane: open one with the counted float")]
    NoShift,
    #[error(
        "'{0}' cannot be used here: a new user needs a name of their own; a user cannot disable themself"
    )]
    BadUser(String),
    #[error("{0}")]
    BadPin(String),
    #[error("code {code} already belongs to product {sku}")]
    CodeTaken { code: String, sku: String },
    #[error("say why: a stock change needs a reason")]
    NoReason,
    #[error("a delivery's quantities must be more than zero")]
    BadQuantity,
    #[error("a cash movement needs an amount (negative to take cash out) and a reason")]
    BadCashMovement,
    #[error("held sale {0} is gone (recalled on another lane?)")]
    NoSuchHeld(u64),
    #[error("a sale with payments cannot be held: finish it or void it")]
    HoldAfterTender,
    #[error("receipt {0} is not in this store")]
    NoSuchReceipt(u64),
    #[error("receipt {0} is itself a refund: refund the original receipt")]
    RefundOfRefund(u64),
    #[error("this label carries its own weight or price: scan it without a quantity")]
    QuantityOnLabel,
    #[error(
        "this lane's cart is larger than a till can show ({why}): it was put aside as held sale {held}, and the lane is free (till export shows it)"
    )]
    CartTooLarge {
        held: u64,
        why: crate::domain::limits::TooLarge,
    },
    #[error(transparent)]
    TooLarge(#[from] crate::domain::limits::TooLarge),
    #[error(transparent)]
    Contact(#[from] crate::domain::customer::ContactError),
    #[error(
        "a backup with the keys in it is an admin's to take: they sign as this till and open every customer's details"
    )]
    KeysNeedAdmin,
    #[error("no such output waiting at the daemon (it keeps one an hour, for who asked for it)")]
    NoSuchSpool,
    #[error("only the till daemon does that: this engine runs without one")]
    NoOffice,
    #[error("customer {0} is not in this store")]
    NoSuchCustomer(u64),
    #[error("customer {0}'s details were erased: nothing is left to change or attach")]
    CustomerErased(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A refusal from the daemon's engine, in its words, or a lost connection.
    #[error("{0}")]
    Remote(String),
}

/// "lane 1 has an open sale of 3.87, lane 2 one of 1.29".
pub fn open_list(open: &[(u16, crate::domain::money::Money)]) -> String {
    let each: Vec<String> = open
        .iter()
        .enumerate()
        .map(|(i, (lane, total))| {
            if i == 0 {
                format!("lane {lane} has an open sale of {total}")
            } else {
                format!("lane {lane} one of {total}")
            }
        })
        .collect();
    each.join(", ")
}
