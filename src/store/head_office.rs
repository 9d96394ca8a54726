//! The engine's side of head office: handing the sync worker its outbox,
//! pinning head office on this terminal, and refusing a catalog change set,
//! each with its journal entry.

use super::error::StoreError;
use super::journal::JournalEvent;
use super::outbox::{self, HqLink, Outbox};
use super::{Put, Store, keys};
use crate::domain::product::Product;

/// A head-office catalog change set the sync worker has queued: its
/// version and its products.
pub type WaitingCatalog = (u64, Vec<Product>);

impl Store {
    /// A handle on the outbox and the sync state, for the sync worker's thread.
    pub fn outbox(&self) -> Outbox {
        Outbox {
            dir: self.dir.clone(),
            journal: self.journal.clone(),
            outbox: self.outbox.clone(),
            meta: self.meta.clone(),
            sales: self.sales.clone(),
            catalog_inbox: self.catalog_inbox.clone(),
            catalog_queued: self.catalog_queued.clone(),
        }
    }

    /// The oldest change set waiting to be applied, if any may be there:
    /// `checked` is what this returned last time with an empty inbox (0 at
    /// first, so an inbox left from before the store opened is read). Returns
    /// the change set and the new mark. Nothing can be missed: the mark is
    /// taken before the read, and a change set counts only once stored
    /// (`Outbox::queue_catalog`). The engine asks before every command.
    pub fn next_catalog(&self, checked: u64) -> Result<(Option<WaitingCatalog>, u64), StoreError> {
        let mark = self.catalog_queued.now() + 1;
        if mark == checked {
            return Ok((None, checked));
        }
        Ok((self.catalog_inbox.first()?, mark))
    }

    /// Journals why a head-office change set was not applied, and counts it
    /// as seen, so it is not fetched again.
    pub fn refuse_catalog(
        &self,
        version: u64,
        actor: &str,
        reason: String,
    ) -> Result<(), StoreError> {
        let puts = [
            self.catalog_inbox.delete(&version),
            Put::bytes(&self.meta, outbox::CATALOG_VERSION_KEY, keys::seq(version)),
            Put::bytes(
                &self.meta,
                outbox::CATALOG_ERROR_KEY,
                format!("version {version}: {reason}"),
            ),
        ];
        let event = JournalEvent::CatalogRefused { version, reason };
        self.write_journaled(&puts, actor, event).map(drop)
    }

    /// Pins head office (its address, CA and key) on this terminal, journaled.
    pub fn join_hq(&self, link: &HqLink, actor: Option<&str>) -> Result<(), StoreError> {
        let put = Outbox::link_put(&self.meta, link)?;
        let event = JournalEvent::HqJoined {
            url: link.url.clone(),
        };
        self.write_journaled_as(&[put], actor, event).map(drop)
    }
}
