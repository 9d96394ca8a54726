//! From a scanned or typed code to a sale line: barcode rules, then the catalog.

use rust_decimal::Decimal;

use super::error::EngineError;
use crate::domain::barcode::{self, MeasureKind, Scanned};
use crate::domain::money::Money;
use crate::domain::product::{Product, Unit};
use crate::domain::sale::Line;
use crate::store::settings::StoreSettings;
use crate::store::{Store, keys};

/// Builds the line a code stands for. Codes are validated (check digits) before
/// the catalog is asked, so a misread never becomes a wrong item.
pub fn line_for(
    store: &Store,
    settings: &StoreSettings,
    code: &str,
    quantity: Option<Decimal>,
) -> Result<Line, EngineError> {
    let scanned = barcode::parse(code, &settings.measure_layout)?;
    let found = |keys: &mut dyn Iterator<Item = Vec<u8>>| -> Result<Product, EngineError> {
        for key in keys {
            if let Some(p) = store.product_by_key(&key)? {
                return Ok(p);
            }
        }
        Err(EngineError::UnknownCode(code.trim().to_string()))
    };
    match scanned {
        Scanned::Item { keys: codes, .. } => {
            let product = found(&mut codes.iter().map(|c| keys::barcode(c)))?;
            Ok(Line::from_product(
                &product,
                quantity.unwrap_or(Decimal::ONE),
            ))
        }
        Scanned::Plu(plu) => {
            let product = found(&mut std::iter::once(keys::plu(&plu)))?;
            Ok(Line::from_product(
                &product,
                quantity.unwrap_or(Decimal::ONE),
            ))
        }
        Scanned::Measured { key, kind, value } => {
            let product = found(&mut std::iter::once(keys::barcode(&key)))?;
            if quantity.is_some() {
                return Err(EngineError::QuantityOnLabel);
            }
            let mut line = Line::from_product(&product, Decimal::ONE);
            match kind {
                MeasureKind::Weight => {
                    line.unit = Unit::Kg;
                    line.quantity = value;
                }
                // The label's price is the price: one piece at that amount.
                MeasureKind::Price => {
                    line.unit = Unit::Each;
                    line.unit_price = Money::new(value);
                }
            }
            Ok(line)
        }
    }
}
