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
    let (product, measured) = match scanned {
        Scanned::Item { keys: codes, .. } => {
            (found(&mut codes.iter().map(|c| keys::barcode(c)))?, None)
        }
        Scanned::Plu(plu) => (found(&mut std::iter::once(keys::plu(&plu)))?, None),
        Scanned::Measured { key, kind, value } => (
            found(&mut std::iter::once(keys::barcode(&key)))?,
            Some((kind, value)),
        ),
    };
    line_of(product, measured, quantity)
}

/// The line for a product picked by sku, as from the lookup screen.
pub fn line_for_sku(
    store: &Store,
    sku: &str,
    quantity: Option<Decimal>,
) -> Result<Line, EngineError> {
    let product = store
        .product(sku)?
        .ok_or_else(|| EngineError::UnknownCode(sku.to_string()))?;
    line_of(product, None, quantity)
}

/// The rules every way of adding a product shares: weighed goods need a
/// weight, and a scale label must fit the product.
fn line_of(
    product: Product,
    measured: Option<(MeasureKind, Decimal)>,
    quantity: Option<Decimal>,
) -> Result<Line, EngineError> {
    let mut line = Line::from_product(&product, quantity.unwrap_or(Decimal::ONE));
    match measured {
        // A weighed product is never silently sold as one kilo.
        None if product.unit == Unit::Kg && quantity.is_none() => {
            Err(EngineError::WeightNeeded(product.name))
        }
        None => Ok(line),
        Some(_) if quantity.is_some() => Err(EngineError::QuantityOnLabel),
        Some((MeasureKind::Weight, _)) if product.unit == Unit::Each => {
            Err(EngineError::LabelMismatch(product.name))
        }
        Some((MeasureKind::Weight, weight)) => {
            line.quantity = weight;
            Ok(line)
        }
        // The label's price is the price: one piece at that amount.
        Some((MeasureKind::Price, price)) => {
            line.unit = Unit::Each;
            line.quantity = Decimal::ONE;
            line.unit_price = Money::new(price);
            Ok(line)
        }
    }
}
