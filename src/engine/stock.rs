//! Stock levels: adjustments with a reason, deliveries booked in, reorder
//! levels, and the stock list. Sales take stock off in the store, with the
//! receipt; nothing here sells.

use rust_decimal::Decimal;

use super::{Engine, EngineError, Event, Session};
use crate::domain::stock::{StockLevel, StockRow};
use crate::store::journal::JournalEvent;

impl Engine {
    pub(super) fn adjust_stock(
        &self,
        session: &Session,
        sku: String,
        delta: Decimal,
        reason: String,
    ) -> Result<Vec<Event>, EngineError> {
        if reason.trim().is_empty() {
            return Err(EngineError::NoReason);
        }
        let event = JournalEvent::StockAdjusted {
            sku: sku.clone(),
            delta,
            reason,
        };
        self.change_stock(session, &[(sku, delta)], event, |l, d| l.on_hand += d)
    }

    pub(super) fn receive_delivery(
        &self,
        session: &Session,
        reference: String,
        lines: Vec<(String, Decimal)>,
    ) -> Result<Vec<Event>, EngineError> {
        if lines.iter().any(|(_, q)| *q <= Decimal::ZERO) {
            return Err(EngineError::BadQuantity);
        }
        // One line per product, however the delivery note lists them.
        let mut merged: Vec<(String, Decimal)> = Vec::new();
        for (sku, qty) in lines {
            match merged.iter_mut().find(|(s, _)| *s == sku) {
                Some((_, q)) => *q += qty,
                None => merged.push((sku, qty)),
            }
        }
        let event = JournalEvent::StockReceived {
            reference,
            lines: merged.clone(),
        };
        self.change_stock(session, &merged, event, |l, q| l.on_hand += q)
    }

    pub(super) fn set_reorder_level(
        &self,
        session: &Session,
        sku: String,
        level: Decimal,
    ) -> Result<Vec<Event>, EngineError> {
        let event = JournalEvent::ReorderLevelSet {
            sku: sku.clone(),
            level,
        };
        self.change_stock(session, &[(sku, level)], event, |l, v| l.reorder_level = v)
    }

    /// Applies `apply` to each sku's stock level and saves them with `event`.
    fn change_stock(
        &self,
        session: &Session,
        changes: &[(String, Decimal)],
        event: JournalEvent,
        apply: impl Fn(&mut StockLevel, Decimal),
    ) -> Result<Vec<Event>, EngineError> {
        // Far below Decimal's limits, so no sum of them can overflow.
        let limit = Decimal::from(1_000_000_000u64);
        if changes.iter().any(|(_, v)| v.abs() > limit) {
            return Err(EngineError::BadQuantity);
        }
        let mut levels = Vec::with_capacity(changes.len());
        let mut rows = Vec::with_capacity(changes.len());
        for (sku, value) in changes {
            let product = self
                .store
                .product(sku)?
                .ok_or_else(|| EngineError::UnknownCode(sku.clone()))?;
            let mut level = self.store.stock(sku)?;
            apply(&mut level, *value);
            levels.push((sku.clone(), level));
            rows.push(StockRow {
                sku: sku.clone(),
                name: product.name,
                level,
            });
        }
        self.store.set_stock(&levels, &session.user, event)?;
        Ok(vec![Event::Stock(rows)])
    }

    /// Every product's stock, or only those at or below their reorder level.
    pub(super) fn stock_rows(&self, low_only: bool) -> Result<Vec<StockRow>, EngineError> {
        let mut rows = Vec::new();
        for product in self.store.products() {
            let product = product?;
            let level = self.store.stock(&product.sku)?;
            if !low_only || level.is_low() {
                rows.push(StockRow {
                    sku: product.sku,
                    name: product.name,
                    level,
                });
            }
        }
        Ok(rows)
    }
}
