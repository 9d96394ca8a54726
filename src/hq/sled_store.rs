//! Head office's embedded store: sled, in the directory given to
//! `till hq serve --data`, opened and made durable through the till's own
//! `store::kv` (the same settings and workarounds).
//!
//! Trees: `terminals` (id → record), `batches`, `journal` and `sales` (each
//! keyed by terminal id and number, so one terminal's records sit together
//! in order), `catalog` (version → signed change set) and `meta`.

use std::path::Path;

use super::store::{Accepted, BatchRecord, HqStore, HqStoreError, RefusalNote, TerminalRecord};
use crate::domain::receipt::CompletedSale;
use crate::proto::wire::Signed;
use crate::store::envelope::{decode, encode};
use crate::store::kv::{self, Db, Tree};
use crate::store::table::Table;
use crate::store::{StoreError, keys};

pub struct SledHqStore {
    dir: Db,
    terminals: Table<String, TerminalRecord>,
    /// Keyed by terminal and number (see `key`), so raw trees.
    batches: Tree,
    journal: Tree,
    sales: Tree,
    /// Version → the signed change set's own bytes.
    catalog: Tree,
    refusals: Table<String, RefusalNote>,
}

/// A terminal's records under its id: the id's length first, so "T1" and
/// "T10" never share a prefix.
fn key(terminal: &str, n: u64) -> Vec<u8> {
    let mut k = prefix(terminal);
    k.extend_from_slice(&keys::seq(n));
    k
}

fn prefix(terminal: &str) -> Vec<u8> {
    let id = terminal.as_bytes();
    let mut k = Vec::with_capacity(id.len() + 10);
    k.extend_from_slice(&(id.len() as u16).to_be_bytes());
    k.extend_from_slice(id);
    k
}

impl SledHqStore {
    pub fn open(path: &Path) -> Result<SledHqStore, StoreError> {
        std::fs::create_dir_all(path).map_err(|e| StoreError::io(path, e))?;
        let dir = Db::open(path)?;
        Ok(SledHqStore {
            terminals: Table::open(&dir, "terminals", "terminal")?,
            batches: dir.tree("batches")?,
            journal: dir.tree("journal")?,
            sales: dir.tree("sales")?,
            catalog: dir.tree("catalog")?,
            refusals: Table::open(&dir, "refusals", "refusal")?,
            dir,
        })
    }
}

impl HqStore for SledHqStore {
    fn terminal(&self, id: &str) -> Result<Option<TerminalRecord>, HqStoreError> {
        Ok(self.terminals.get(id)?)
    }

    fn terminals(&self) -> Result<Vec<TerminalRecord>, HqStoreError> {
        Ok(self.terminals.values().collect::<Result<_, _>>()?)
    }

    fn enroll(&self, terminal: &TerminalRecord) -> Result<(), HqStoreError> {
        let new = encode(terminal)?;
        // Only if the id is free: two enrolments at once cannot both win.
        match self
            .terminals
            .tree()
            .insert_new(terminal.id.as_bytes(), new)?
        {
            true => Ok(self.dir.persist()?),
            false => match self.terminal(&terminal.id)? {
                Some(known) if known.public_key == terminal.public_key => Ok(()),
                _ => Err(HqStoreError::KeyClash(terminal.id.clone())),
            },
        }
    }

    fn batch(&self, terminal: &str, seq: u64) -> Result<Option<BatchRecord>, HqStoreError> {
        Ok(self.batches.value(key(terminal, seq), "batch")?)
    }

    fn commit(&self, accepted: &Accepted) -> Result<bool, HqStoreError> {
        let id = accepted.after.id.as_str();
        let mut sales = Vec::with_capacity(accepted.sales.len());
        for sale in &accepted.sales {
            sales.push((key(id, sale.receipt.0), encode(sale)?));
        }
        let mut entries = Vec::with_capacity(accepted.entries.len());
        for record in &accepted.entries {
            entries.push((key(id, record.entry.seq), encode(record)?));
        }
        let batch = encode(&accepted.batch)?;
        let after = encode(&accepted.after)?;
        let trees = [
            self.terminals.tree(),
            &self.batches,
            &self.journal,
            &self.sales,
        ];
        let stored = kv::transact(&trees, |tx| {
            let terminals = self.terminals.within(tx)?;
            if terminals.get(id)?.as_ref() != Some(&accepted.before) {
                return Ok(false);
            }
            let journal = tx.tree(&self.journal)?;
            for (k, v) in &entries {
                journal.insert(k, v.as_slice())?;
            }
            let tx_sales = tx.tree(&self.sales)?;
            for (k, v) in &sales {
                tx_sales.insert(k, v.as_slice())?;
            }
            tx.tree(&self.batches)?
                .insert(key(id, accepted.batch.seq), batch.as_slice())?;
            tx.tree(self.terminals.tree())?
                .insert(id.as_bytes(), after.as_slice())?;
            Ok(true)
        })?;
        // Acknowledged only once it would survive a power cut here.
        if stored {
            self.dir.persist()?;
        }
        Ok(stored)
    }

    fn for_each_sale(&self, f: &mut dyn FnMut(&str, CompletedSale)) -> Result<(), HqStoreError> {
        for item in self.sales.iter() {
            let (k, raw) = item?;
            let len = k
                .get(..2)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                .unwrap_or(0);
            let terminal = k
                .get(2..2 + len)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            f(&terminal, decode(&raw, "sale")?);
        }
        Ok(())
    }

    fn publish(&self, version: u64, set: &Signed) -> Result<(), HqStoreError> {
        self.catalog.insert(keys::seq(version), set.to_bytes()?)?;
        self.dir.persist()?;
        Ok(())
    }

    fn catalog_after(&self, version: u64) -> Result<Option<Signed>, HqStoreError> {
        let Some(next) = version.checked_add(1) else {
            return Ok(None);
        };
        let Some((_, raw)) = self.catalog.range(keys::seq(next)..).next().transpose()? else {
            return Ok(None);
        };
        Signed::from_bytes(&raw)
            .map(Some)
            .map_err(|e| StoreError::corrupt("catalog", e.to_string()).into())
    }

    fn persist(&self) -> Result<(), HqStoreError> {
        Ok(self.dir.persist()?)
    }

    fn note_refusal(&self, terminal: &str, refusal: &RefusalNote) -> Result<(), HqStoreError> {
        Ok(self.refusals.insert(terminal, refusal)?)
    }

    fn last_refusal(&self, terminal: &str) -> Result<Option<RefusalNote>, HqStoreError> {
        Ok(self.refusals.get(terminal)?)
    }

    fn catalog_version(&self) -> Result<u64, HqStoreError> {
        Ok(self
            .catalog
            .last()?
            .and_then(|(k, _)| keys::parse_seq(&k))
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::{key, prefix};

    #[test]
    fn one_terminals_keys_never_share_a_prefix_with_anothers() {
        assert!(!key("T10", 1).starts_with(&prefix("T1")));
        assert!(key("T1", 1) < key("T1", 2));
    }
}
