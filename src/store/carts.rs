//! Open carts, one per lane, and sales held (parked) aside: a killed till
//! resumes its cart, and a held sale moves back onto any lane whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::error::StoreError;
use super::journal::JournalEvent;
use super::kv::{self, Bytes};
use super::{NEXT_HELD_KEY, Store, keys};
use crate::domain::sale::{HeldSale, Sale};

/// Each lane's open cart as last saved or read, beside the bytes stored for
/// it. A scan reads the lane's cart back, and decoding it was a tenth of a
/// scan's CPU (perf); a copy whose bytes are still the store's is the cart,
/// whoever wrote it, so the copy is checked against the store on every read.
#[derive(Default)]
pub struct CartMemo {
    lanes: Mutex<HashMap<u16, (Bytes, Arc<Sale>)>>,
}

/// Why a lane's cart is read: to show it (the memo keeps its copy), or to
/// change it (the memo's copy is handed over, cloned only if the event that
/// told of it is still held, and the changed cart's save keeps the one the
/// new event shares: no clone in a scan whose event was sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartRead {
    Show,
    Change,
}

impl CartMemo {
    fn get(&self, lane: u16, stored: &Bytes, read: CartRead) -> Option<Sale> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        match (lanes.get(&lane), read) {
            (Some((bytes, _)), CartRead::Change) if bytes == stored => lanes
                .remove(&lane)
                .map(|(_, sale)| Arc::unwrap_or_clone(sale)),
            (Some((bytes, sale)), CartRead::Show) if bytes == stored => Some(Sale::clone(sale)),
            _ => None,
        }
    }

    fn keep(&self, lane: u16, stored: Bytes, sale: Arc<Sale>) {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.insert(lane, (stored, sale));
    }
}

impl Store {
    pub fn cart(&self, lane: u16, read: CartRead) -> Result<Option<Sale>, StoreError> {
        let Some(stored) = self.open_carts.stored(&lane)? else {
            return Ok(None);
        };
        if let Some(sale) = self.cart_memo.get(lane, &stored, read) {
            return Ok(Some(sale));
        }
        let sale = self.open_carts.decode(&stored)?;
        if read == CartRead::Show {
            self.cart_memo.keep(lane, stored, Arc::new(sale.clone()));
        }
        Ok(Some(sale))
    }

    /// Every lane's open cart, by lane.
    pub fn open_carts(&self) -> impl Iterator<Item = Result<(u16, Sale), StoreError>> + '_ {
        self.open_carts.entries()
    }

    /// Saves the open cart after each change, so a killed till resumes it.
    /// It is never waited for on the disk: a power cut may lose the last
    /// scans of an unfinished sale (rescanned), never a completed one, and
    /// a disk trip per scan would slow every scan on an SD card.
    pub fn save_cart(&self, lane: u16, sale: &Arc<Sale>) -> Result<(), StoreError> {
        let stored = self.open_carts.insert_stored(&lane, &**sale)?;
        self.cart_memo.keep(lane, stored, Arc::clone(sale));
        Ok(())
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
