//! Open carts, one per lane, and sales held (parked) aside: a killed till
//! resumes its cart, and a held sale moves back onto any lane whole.

use super::error::StoreError;
use super::journal::JournalEvent;
use super::kv;
use super::{NEXT_HELD_KEY, Store, keys};
use crate::domain::sale::{HeldSale, Sale};

impl Store {
    pub fn cart(&self, lane: u16) -> Result<Option<Sale>, StoreError> {
        self.open_carts.get(&lane)
    }

    /// Every lane's open cart, by lane.
    pub fn open_carts(&self) -> impl Iterator<Item = Result<(u16, Sale), StoreError>> + '_ {
        self.open_carts.entries()
    }

    /// Saves the open cart after each change, so a killed till resumes it.
    /// It is never waited for on the disk: a power cut may lose the last
    /// scans of an unfinished sale (rescanned), never a completed one, and
    /// a disk trip per scan would slow every scan on an SD card.
    pub fn save_cart(&self, lane: u16, sale: &Sale) -> Result<(), StoreError> {
        self.open_carts.insert(&lane, sale)
    }

    /// Saves (or with `None` drops) the lane's cart and journals why, together.
    pub fn put_cart_journaled(
        &self,
        lane: u16,
        sale: Option<&Sale>,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let put = match sale {
            Some(sale) => self.open_carts.put(&lane, sale)?,
            None => self.open_carts.delete(&lane),
        };
        self.write_journaled(&[put], actor, event).map(drop)
    }

    /// Parks the lane's cart under a new id, in one step, so a customer who
    /// forgot something can step aside while the next one is served.
    pub fn hold_cart(&self, lane: u16, held: &HeldSale) -> Result<u64, StoreError> {
        let trees = [self.open_carts.tree(), self.held.tree(), &self.meta];
        let id = kv::transact(&trees, |tx| {
            let meta = tx.tree(&self.meta)?;
            // Small numbers a cashier can say aloud: #1, #2, …
            let id = meta.counter(NEXT_HELD_KEY, "held-sale counter")?;
            meta.insert(NEXT_HELD_KEY, &keys::seq(id + 1))?;
            let held = HeldSale { id, ..held.clone() };
            self.open_carts.within(tx)?.remove(&lane)?;
            self.held.within(tx)?.insert(&id, &held)?;
            Ok(id)
        })?;
        self.persist()?;
        Ok(id)
    }

    pub fn held_sales(&self) -> impl Iterator<Item = Result<HeldSale, StoreError>> + '_ {
        self.held.values()
    }

    /// Moves a held sale back onto the lane; `None` if another till took it first.
    pub fn recall(&self, lane: u16, id: u64) -> Result<Option<HeldSale>, StoreError> {
        let trees = [self.open_carts.tree(), self.held.tree()];
        let found = kv::transact(&trees, |tx| {
            let Some(held) = self.held.within(tx)?.take(&id)? else {
                return Ok(None);
            };
            self.open_carts.within(tx)?.insert(&lane, &held.sale)?;
            Ok(Some(held))
        })?;
        self.persist()?;
        Ok(found)
    }
}
