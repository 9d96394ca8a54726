//! Stock levels per product: set by a manager with a journal entry, moved
//! by every completed sale (see `sales`).

use super::Store;
use super::error::StoreError;
use super::journal::JournalEvent;
use crate::domain::stock::StockLevel;

impl Store {
    pub fn stock(&self, sku: &str) -> Result<StockLevel, StoreError> {
        Ok(self.stock.get(sku)?.unwrap_or_default())
    }

    /// Sets new stock levels with their journal entry, together.
    pub fn set_stock(
        &self,
        levels: &[(String, StockLevel)],
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let puts = levels
            .iter()
            .map(|(sku, level)| self.stock.put(sku, level))
            .collect::<Result<Vec<_>, _>>()?;
        self.write_journaled(&puts, actor, event).map(drop)
    }
}
