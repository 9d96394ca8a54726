//! Products as the catalog holds them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::limits::{self, MAX_BARCODES, MAX_PRODUCT_NAME, MAX_SKU, MAX_TAX_CODE, TooLarge};
use super::money::Money;

/// How a product is counted: by the piece, or weighed in kilograms (price per kg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Each,
    Kg,
}

impl Unit {
    /// Pieces are whole; weights are kept to the gram, as scales and GS1 codes give them.
    pub fn accepts(self, quantity: Decimal) -> bool {
        match self {
            Unit::Each => quantity.fract().is_zero(),
            Unit::Kg => quantity.normalize().scale() <= 3,
        }
    }
}

/// A catalog entry. `sku` is the shop's own code and the key everywhere;
/// barcodes are stored normalised (see `barcode::Scanned`) so any scan finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub sku: String,
    pub name: String,
    /// Per piece, or per kg for weighed products; tax-inclusive or not per the store's tax mode.
    pub price: Money,
    pub tax_code: String,
    pub unit: Unit,
    pub barcodes: Vec<String>,
    /// A short code cashiers type for loose goods ("4011" for bananas).
    pub plu: Option<String>,
}

impl Product {
    /// Refuses a product past the bounds of `domain::limits`, so that no
    /// cart line or catalog record made from it can outgrow a frame.
    pub fn check_bounds(&self) -> Result<(), TooLarge> {
        limits::check("the sku", &self.sku, MAX_SKU)?;
        limits::check("the name", &self.name, MAX_PRODUCT_NAME)?;
        limits::check("the tax category", &self.tax_code, MAX_TAX_CODE)?;
        limits::check_count("barcodes on one product", self.barcodes.len(), MAX_BARCODES)
    }

    /// The code a person would type for it: its first barcode, else its PLU.
    pub fn display_code(&self) -> &str {
        self.barcodes
            .first()
            .or(self.plu.as_ref())
            .map(String::as_str)
            .unwrap_or("")
    }
}
