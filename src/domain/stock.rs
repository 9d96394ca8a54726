//! Stock on hand per product: what sales and refunds move automatically, and
//! what a manager counts, adjusts and receives.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StockLevel {
    /// May go below zero: a till sells what is on the shelf even when the
    /// count is behind; the list of low stock shows it.
    pub on_hand: Decimal,
    /// At or below this the product is on the low-stock list; zero: never.
    pub reorder_level: Decimal,
}

impl StockLevel {
    pub fn is_low(&self) -> bool {
        !self.reorder_level.is_zero() && self.on_hand <= self.reorder_level
    }
}

/// A product's stock as a manager sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub level: StockLevel,
}
