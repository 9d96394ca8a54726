//! Reading the journal back, and proving it: the chain holds, every sale
//! record still has the digest its entry took of it, and the receipts run
//! without a gap from the first one retention kept.

use super::Store;
use super::error::StoreError;
use super::journal::{self, ChainError, JournalEvent, JournalRecord};

impl Store {
    pub fn journal(&self) -> impl Iterator<Item = Result<JournalRecord, StoreError>> + '_ {
        self.journal.values()
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal_tail(&self, limit: usize) -> Result<Vec<JournalRecord>, StoreError> {
        self.journal.values().rev().take(limit).collect()
    }

    /// Checks the whole chain, and that every sale record still has the digest
    /// its journal entry took of it.
    pub fn verify_journal(&self) -> Result<u64, ChainError> {
        // Receipts below this were removed by retention, after head office had them.
        let kept_from = self.receipts_kept_from().map_err(|_| ChainError::NoHead)?;
        let mut journaled = std::collections::HashSet::new();
        let entries = journal::verify(&self.journal, &self.meta, |record| {
            let (receipt, digest) = match &record.entry.event {
                JournalEvent::SaleCompleted {
                    receipt, digest, ..
                }
                | JournalEvent::RefundCompleted {
                    receipt, digest, ..
                } => (*receipt, *digest),
                _ => return Ok(()),
            };
            let n = receipt.0;
            if n < kept_from && self.sale(receipt).ok().flatten().is_none() {
                // Removed by retention, which the journal says (checked below).
                return Ok(());
            }
            let sale = self
                .sale(receipt)
                .map_err(|e| format!("the sale record of receipt {n} cannot be read: {e}"))?
                .ok_or_else(|| format!("the sale record of receipt {n} is missing"))?;
            if journal::digest(&sale).map_err(|e| e.to_string())? != digest {
                return Err(format!("the sale record of receipt {n} was altered"));
            }
            journaled.insert(n);
            Ok(())
        })?;
        // And the other way round: every sale record is journaled, and the
        // receipt numbers run 1, 2, 3, … without a gap.
        self.check_retention_marks(kept_from)?;
        let kept = self.sales.keys_from(&kept_from);
        for (expected, key) in (kept_from..).zip(kept) {
            let receipt = key.unwrap_or(0);
            if receipt != expected {
                return Err(ChainError::Receipts {
                    receipt: expected,
                    detail: format!("missing (found {receipt} next)"),
                });
            }
            if !journaled.contains(&receipt) {
                return Err(ChainError::Receipts {
                    receipt,
                    detail: "has a sale record but no journal entry".into(),
                });
            }
        }
        Ok(entries)
    }
}
