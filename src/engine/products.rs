//! Changes to the catalog: a manager's (shelf prices, tax categories,
//! barcodes) and head office's change sets, applied before the next command
//! and refused whole when this till cannot take them. Finding products is
//! `catalog`'s index.

use rust_decimal::Decimal;

use super::{Engine, EngineError, Event, ProductChange, Session};
use crate::domain::barcode::{self, Scanned};
use crate::domain::limits;
use crate::domain::money::{Currency, Money};
use crate::domain::product::Product;
use crate::domain::sale::SaleError;
use crate::store::journal::JournalEvent;
use crate::store::{StoreError, keys};

/// Who the journal says changed the catalog when head office's change set is applied.
pub const HQ_ACTOR: &str = "head-office";

/// A price as a till may set it: not negative, in the currency's cents, and
/// far below the amounts that would overflow a sum.
pub(super) fn check_price(price: Money, currency: &Currency) -> Result<(), EngineError> {
    let ok = !price.is_negative()
        && price.amount() <= Decimal::from(1_000_000_000u64)
        && price.amount().normalize().scale() <= currency.minor_units;
    if ok {
        Ok(())
    } else {
        Err(EngineError::BadPrice(price))
    }
}

impl Engine {
    /// Changes a product's shelf price for every sale from now on.
    pub(super) fn set_price(
        &self,
        session: &Session,
        sku: String,
        price: Money,
    ) -> Result<Vec<Event>, EngineError> {
        let mut product = self.product(&sku)?;
        check_price(price, &self.settings.rules.currency)?;
        let event = JournalEvent::PriceChanged {
            sku,
            old: product.price,
            new: price,
        };
        product.price = price;
        self.store
            .put_products_journaled(&[product], Some(&session.user), event, None)?;
        Ok(Vec::new())
    }

    /// Moves a product to another tax category, or adds or removes a barcode.
    pub(super) fn edit_product(
        &mut self,
        session: &Session,
        sku: String,
        change: ProductChange,
    ) -> Result<Vec<Event>, EngineError> {
        let mut product = self.product(&sku)?;
        let described = |p: &Product| format!("tax {} codes {}", p.tax_code, p.barcodes.join(";"));
        let old = described(&product);
        match change {
            ProductChange::TaxCategory(code) => {
                if self.settings.rules.tax_category(&code).is_none() {
                    return Err(SaleError::UnknownTaxCategory(code).into());
                }
                product.tax_code = code;
            }
            ProductChange::AddBarcode(code) => product.barcodes.push(self.free_barcode(code)?),
            ProductChange::RemoveBarcode(code) => product.barcodes.retain(|c| *c != code),
        }
        let new = described(&product);
        let event = JournalEvent::ProductChanged { sku, old, new };
        self.store
            .put_products_journaled(&[product], Some(&session.user), event, None)?;
        self.catalog = None;
        Ok(Vec::new())
    }

    fn product(&self, sku: &str) -> Result<Product, EngineError> {
        self.store
            .product(sku)?
            .ok_or_else(|| EngineError::UnknownCode(sku.to_string()))
    }

    /// The barcode as a scan finds it (validated and normalised), if no
    /// product has it yet.
    fn free_barcode(&self, code: String) -> Result<String, EngineError> {
        let key = match barcode::parse(&code, &self.settings.measure_layout)? {
            Scanned::Item { keys, .. } => keys.into_iter().next().unwrap_or_default(),
            Scanned::Measured { key, .. } => key,
            Scanned::Plu(_) => return Err(EngineError::UnknownCode(code)),
        };
        if let Some(other) = self.store.product_by_key(&keys::barcode(&key))? {
            return Err(EngineError::CodeTaken {
                code: key,
                sku: other.sku,
            });
        }
        Ok(key)
    }

    /// Applies the head-office catalog change sets the sync worker has left,
    /// oldest first, each journaled as head office's act, before the command
    /// that follows. One this till cannot take (a tax category it does not
    /// have, a price in the wrong cents, a code another product holds) is
    /// refused whole, journaled with the reason, not asked for again, and
    /// shown on the sync status. A failure here never fails the cashier's
    /// command: the change set waits, and the log says why.
    pub(super) fn apply_catalog_updates(&mut self) {
        if let Err(e) = self.try_apply_catalog_updates() {
            tracing::error!(error = %e, "cannot apply head office's catalog; it waits");
        }
    }

    fn try_apply_catalog_updates(&mut self) -> Result<(), EngineError> {
        loop {
            let (next, mark) = self.store.next_catalog(self.inbox_checked)?;
            let Some((version, products)) = next else {
                self.inbox_checked = mark;
                return Ok(());
            };
            match self.check_catalog(&products)? {
                Ok(()) => {
                    let event = JournalEvent::CatalogApplied {
                        version,
                        count: products.len(),
                        digest: crate::store::journal::digest(&products)?,
                    };
                    self.store.put_products_journaled(
                        &products,
                        Some(HQ_ACTOR),
                        event,
                        Some(version),
                    )?;
                }
                Err(reason) => {
                    tracing::warn!(version, %reason, "refused a head-office catalog change set");
                    self.store.refuse_catalog(version, HQ_ACTOR, reason)?;
                }
            }
            self.catalog = None;
        }
    }

    /// Whether this till can take the change set (the outer error is the
    /// store's trouble, which must not refuse it for good).
    fn check_catalog(&self, products: &[Product]) -> Result<Result<(), String>, StoreError> {
        let in_set: std::collections::HashSet<&str> =
            products.iter().map(|p| p.sku.as_str()).collect();
        for p in products {
            let codes = p.barcodes.iter().map(|c| (c, keys::barcode(c)));
            for (code, key) in codes.chain(p.plu.iter().map(|c| (c, keys::plu(c)))) {
                if let Some(other) = self.store.product_by_key(&key)?
                    && other.sku != p.sku
                    && !in_set.contains(other.sku.as_str())
                {
                    return Ok(Err(format!(
                        "{}: code {code} belongs to product {} on this till",
                        p.sku, other.sku
                    )));
                }
            }
            if let Err(reason) = self.check_product(p) {
                return Ok(Err(reason));
            }
        }
        Ok(Ok(()))
    }

    /// Whether a product of head office's is one this till can sell: why not.
    fn check_product(&self, p: &Product) -> Result<(), String> {
        let rules = &self.settings.rules;
        if p.sku.trim().is_empty() || p.name.trim().is_empty() {
            return Err(format!("product '{}' has no sku or no name", p.sku));
        }
        if let Err(e) = p.check_bounds() {
            // The sku itself may be what is too long: show only its start.
            let sku: String = p.sku.chars().take(limits::MAX_SKU).collect();
            return Err(format!("{sku}: {e}"));
        }
        if let Err(e) = check_price(p.price, &rules.currency) {
            return Err(format!("{}: {e}", p.sku));
        }
        if rules.tax_category(&p.tax_code).is_none() {
            return Err(format!(
                "{}: tax category '{}' is not configured on this till",
                p.sku, p.tax_code
            ));
        }
        Ok(())
    }
}
