//! Why the engine refused a command. Every refusal leaves the store as it was.

use crate::domain::barcode::BarcodeError;
use crate::domain::refund::RefundError;
use crate::domain::sale::SaleError;
use crate::domain::user::Permission;
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
    #[error("user {user} is locked after {attempts} wrong PINs: a manager must unlock it")]
    LockedOut { user: String, attempts: u32 },
    #[error("not logged in (or the session ended): log in again")]
    NoSession,
    #[error("this needs a manager's approval ({0:?}): ask a manager to enter their PIN")]
    NeedsApproval(Permission),
    #[error("the approving user may not do this either ({0:?})")]
    ApprovalRefused(Permission),
    #[error("there is no open sale")]
    NoCart,
    #[error("finish or void the open sale first")]
    CartOpen,
    #[error("receipt {0} is not in this store")]
    NoSuchReceipt(u64),
    #[error("receipt {0} is itself a refund: refund the original receipt")]
    RefundOfRefund(u64),
    #[error("this label carries its own weight or price: scan it without a quantity")]
    QuantityOnLabel,
    #[error(transparent)]
    Store(#[from] StoreError),
}
