//! The shop's pricing rules: currency, rounding, tax mode and tax categories.
//!
//! One value of [`PriceRules`] is fixed per store (kept in the store's meta) and
//! handed to every calculation, so a sale's figures depend on nothing else.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, RoundingMode};
use super::tax::{TaxCategory, TaxMode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRules {
    pub currency: Currency,
    pub rounding: RoundingMode,
    /// Smallest coin for cash payments (0.05 in Switzerland); `None` pays cash to the cent.
    pub cash_increment: Option<Decimal>,
    pub tax_mode: TaxMode,
    pub tax_categories: Vec<TaxCategory>,
}

impl PriceRules {
    pub fn tax_category(&self, code: &str) -> Option<&TaxCategory> {
        self.tax_categories.iter().find(|c| c.code == code)
    }
}

impl Default for PriceRules {
    /// A euro shop with tax-inclusive prices and three common rates.
    fn default() -> Self {
        let cat = |code: &str, name: &str, rate: Decimal| TaxCategory {
            code: code.to_string(),
            name: name.to_string(),
            rate,
        };
        PriceRules {
            currency: Currency::default(),
            rounding: RoundingMode::HalfEven,
            cash_increment: None,
            tax_mode: TaxMode::Inclusive,
            tax_categories: vec![
                cat("std", "Standard", Decimal::new(20, 2)),
                cat("red", "Reduced", Decimal::new(10, 2)),
                cat("food", "Food", Decimal::new(55, 3)),
                cat("zero", "Zero-rated", Decimal::ZERO),
            ],
        }
    }
}
