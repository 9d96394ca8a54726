//! The store's own settings, fixed at `till init` and kept in the meta tree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::pricing::PriceRules;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub store_name: String,
    /// This terminal's id; receipt numbers are a series per terminal, so two
    /// offline tills can never issue the same number.
    pub terminal: String,
    /// Hex of the terminal's ed25519 public key (see `identity`).
    pub public_key: String,
    pub rules: PriceRules,
    pub measure_layout: VariableMeasureLayout,
    /// The largest discount, in percent of what it applies to, that a cashier
    /// may give without a supervisor's approval.
    pub cashier_discount_limit: rust_decimal::Decimal,
    pub created_at: DateTime<Utc>,
}
