//! Journaled writes: records written (or removed) together with the journal
//! entry that says why, in one transaction, then made durable. Every change
//! the engine makes that is not a sale goes through here.

use chrono::Utc;
use serde::Serialize;

use super::Store;
use super::envelope::encode;
use super::error::StoreError;
use super::journal::{self, JournalEvent, JournalRecord};
use super::kv::{self, Tree};
use super::print_queue::{self, PrintJob};

/// One record to write (or remove) together with a journal entry.
pub struct Put<'a> {
    pub tree: &'a Tree,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

impl<'a> Put<'a> {
    /// Raw bytes under `key` (a counter, a mark).
    pub fn bytes(tree: &'a Tree, key: impl AsRef<[u8]>, value: impl Into<Vec<u8>>) -> Put<'a> {
        Put {
            tree,
            key: key.as_ref().to_vec(),
            value: Some(value.into()),
        }
    }

    /// A value in its envelope under `key`.
    pub fn value<V: Serialize>(
        tree: &'a Tree,
        key: impl AsRef<[u8]>,
        value: &V,
    ) -> Result<Put<'a>, StoreError> {
        Ok(Put::bytes(tree, key, encode(value)?))
    }

    /// The removal of `key`.
    pub fn remove(tree: &'a Tree, key: impl AsRef<[u8]>) -> Put<'a> {
        Put {
            tree,
            key: key.as_ref().to_vec(),
            value: None,
        }
    }
}

impl Store {
    /// The journal's trees, for appending inside a transaction.
    pub(super) fn chain(&self) -> journal::Chain<'_> {
        journal::Chain {
            journal: &self.journal,
            outbox: &self.outbox,
            meta: &self.meta,
        }
    }

    /// Journals an event that changes no record of its own (a login, a
    /// store created).
    pub fn append_journal(
        &self,
        actor: Option<&str>,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        self.write_journaled_as(&[], actor, event)
    }

    /// Writes (or, with `value: None`, removes) records and journals `event`
    /// in one transaction, then makes it durable: the one way a change and
    /// its journal entry land together.
    pub fn write_journaled(
        &self,
        puts: &[Put<'_>],
        actor: &str,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        self.write_journaled_as(puts, Some(actor), event)
    }

    /// `write_journaled`, also for entries the system itself makes (no actor).
    pub(crate) fn write_journaled_as(
        &self,
        puts: &[Put<'_>],
        actor: Option<&str>,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        self.write_journaled_printing(puts, actor, event, None)
    }

    /// `write_journaled_as`, with `job` queued in the same transaction: what
    /// is written and its printout are one fact (a Z and its paper), so a
    /// crash never leaves one without the other. The job counter is in
    /// `meta`, one of the chain's trees.
    pub(super) fn write_journaled_printing(
        &self,
        puts: &[Put<'_>],
        actor: Option<&str>,
        event: JournalEvent,
        job: Option<&PrintJob>,
    ) -> Result<JournalRecord, StoreError> {
        let chain = self.chain();
        let mut trees = chain.trees().to_vec();
        trees.extend(puts.iter().map(|p| p.tree));
        if job.is_some() {
            trees.push(self.print_jobs.tree());
        }
        let now = Utc::now();
        let record = kv::transact(&trees, |tx| {
            for put in puts {
                let tree = tx.tree(put.tree)?;
                match &put.value {
                    Some(v) => tree.insert(&put.key, v.as_slice())?,
                    None => drop(tree.remove(&put.key)?),
                }
            }
            let record = journal::append(tx, chain, actor, event.clone(), now)?;
            if let Some(job) = job {
                print_queue::queue(tx, &self.print_jobs, &self.meta, job)?;
            }
            Ok(record)
        })?;
        self.persist()?;
        Ok(record)
    }
}
