//! Retention: what is past its time goes, but only once it is safe to: a
//! sale only after head office has it and a Z report has closed it, a
//! journal entry only after head office has it and a Z report came after.
//!
//! Both go from the oldest end only, so what is kept is one unbroken run.
//! Markers are written before anything is deleted (the first receipt kept,
//! the journal checkpoint), so a run cut short by a crash leaves a store
//! that verifies, and the next run finishes the job.

use chrono::{DateTime, Duration, Utc};

use super::envelope::decode;
use super::error::StoreError;
use super::journal::{self, ChainError, Checkpoint, JournalEvent, JournalRecord};
use super::{Put, Store, keys};
use crate::domain::receipt::CompletedSale;
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;

pub(super) const KEPT_FROM_KEY: &[u8] = b"receipts_kept_from";

/// How long each kind of record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Sales and refunds, Z reports and closed shifts.
    pub sales: Duration,
    /// The journal: at least as long as sales, whose digests it holds.
    pub journal: Duration,
}

/// What a run removed (or, dry, would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub sales: usize,
    pub z_reports: usize,
    pub shifts: usize,
    pub journal: usize,
}

impl Store {
    /// The first receipt still kept: receipts below it were removed by retention.
    pub fn receipts_kept_from(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(KEPT_FROM_KEY)?
            .and_then(|raw| keys::parse_seq(&raw))
            .unwrap_or(1))
    }

    /// Removes what `policy` says is past its time at `now`, if it is safe
    /// to (see the module). With `dry_run`, only counts.
    pub fn run_retention(
        &self,
        policy: Policy,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Removed, StoreError> {
        let mut removed = Removed::default();
        let closed = self.z_state()?.last_receipt;
        let first_unsent = self
            .outbox
            .first()?
            .and_then(|(k, _)| keys::parse_seq(&k))
            .unwrap_or(u64::MAX);
        // Sales: the oldest first, while each is old, Z-closed and at head office.
        let sales_cutoff = now - policy.sales;
        let mut doomed = Vec::new();
        for raw in self.sales.iter().values() {
            let sale: CompletedSale = decode(&raw?, "sale")?;
            let entry = self
                .receipt_entries
                .get(keys::seq(sale.receipt.0))?
                .and_then(|k| keys::parse_seq(&k))
                .unwrap_or(u64::MAX);
            if sale.completed_at >= sales_cutoff || sale.receipt.0 > closed || entry >= first_unsent
            {
                break;
            }
            doomed.push(sale.receipt.0);
        }
        removed.sales = doomed.len();
        let kept_from = doomed.last().map_or(self.receipts_kept_from()?, |r| r + 1);
        let z_reports: Vec<u64> = self
            .z_reports
            .iter()
            .values()
            .map(|raw| decode::<DayReport>(&raw?, "Z report"))
            .filter_map(|z| match z {
                Ok(z) if z.to_receipt < kept_from && z.at < sales_cutoff => z.z_number.map(Ok),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        removed.z_reports = z_reports.len();
        let shifts: Vec<u64> = self
            .shift_history
            .iter()
            .values()
            .map(|raw| decode::<Shift>(&raw?, "shift"))
            .filter_map(|s| match s {
                Ok(s)
                    if s.close
                        .as_ref()
                        .is_some_and(|c| c.last_receipt < kept_from && c.at < sales_cutoff) =>
                {
                    Some(Ok(s.number))
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        removed.shifts = shifts.len();
        // The journal: the oldest first, while each entry is old, at head
        // office, no later than the last Z report, and names no kept sale.
        let journal_cutoff = now - policy.journal;
        let last_z = self
            .journal
            .iter()
            .values()
            .rev()
            .map(|raw| decode::<JournalRecord>(&raw?, "journal entry"))
            .find(|r| {
                matches!(r, Ok(r) if matches!(r.entry.event, JournalEvent::ZReport { .. }))
                    || r.is_err()
            })
            .transpose()?
            .map_or(0, |r| r.entry.seq + 1);
        let start = journal::checkpoint(&self.meta)?.map_or(0, |c| c.first_seq);
        let mut new_start = None;
        for raw in self.journal.range(keys::seq(start)..).values() {
            let r: JournalRecord = decode(&raw?, "journal entry")?;
            let names_kept_sale = match r.entry.event {
                JournalEvent::SaleCompleted { receipt, .. }
                | JournalEvent::RefundCompleted { receipt, .. } => receipt.0 >= kept_from,
                _ => false,
            };
            if r.entry.at >= journal_cutoff
                || r.entry.seq >= first_unsent
                || r.entry.seq >= last_z
                || names_kept_sale
            {
                new_start = Some((r.entry.seq, r.entry.prev_hash));
                break;
            }
            removed.journal += 1;
        }
        if dry_run {
            return Ok(removed);
        }
        // Markers first, journaled with them in one step: what verifies must
        // never depend on a run finishing, nor on markers nobody journaled.
        let checkpoint = if removed.journal > 0 {
            let (first_seq, prev_hash) = match new_start {
                Some(start) => start,
                None => journal::head(&self.meta)?,
            };
            Some(Checkpoint {
                first_seq,
                prev_hash,
                at: now,
            })
        } else {
            journal::checkpoint(&self.meta)?
        };
        if removed.sales + removed.journal > 0 {
            let mut puts = vec![Put {
                tree: &self.meta,
                key: KEPT_FROM_KEY.to_vec(),
                value: Some(keys::seq(kept_from).to_vec()),
            }];
            if let Some(c) = &checkpoint {
                puts.push(journal::checkpoint_put(&self.meta, c)?);
            }
            let event = JournalEvent::RetentionApplied {
                first_seq: checkpoint.map_or(0, |c| c.first_seq),
                prev_hash: checkpoint.map_or([0; 32], |c| c.prev_hash),
                receipts_kept_from: kept_from,
            };
            self.write_journaled_as(&puts, None, event)?;
        }
        for receipt in &doomed {
            self.sales.remove(keys::seq(*receipt))?;
            self.refunds.remove(keys::seq(*receipt))?;
            self.receipt_entries.remove(keys::seq(*receipt))?;
        }
        for z in &z_reports {
            self.z_reports.remove(keys::seq(*z))?;
        }
        for s in &shifts {
            self.shift_history.remove(keys::seq(*s))?;
        }
        if let Some(c) = journal::checkpoint(&self.meta)? {
            for key in self.journal.range(..keys::seq(c.first_seq)).keys() {
                self.journal.remove(key?)?;
            }
        }
        self.persist()?;
        Ok(removed)
    }
}

impl Store {
    /// The retention markers must be what the latest `RetentionApplied`
    /// entry of the kept journal says, and may not reach past what head
    /// office has: a marker written by hand would otherwise hide entries
    /// and sales from verification.
    pub(super) fn check_retention_marks(&self, kept_from: u64) -> Result<(), ChainError> {
        let bad = |detail: String| ChainError::Receipts {
            receipt: kept_from,
            detail,
        };
        let checkpoint = journal::checkpoint(&self.meta).map_err(|e| bad(e.to_string()))?;
        let mut journaled = None;
        for raw in self.journal.iter().values().rev() {
            let raw = raw.map_err(|e| bad(e.to_string()))?;
            let r: JournalRecord = decode(&raw, "journal entry").map_err(|e| bad(e.to_string()))?;
            if let JournalEvent::RetentionApplied {
                first_seq,
                prev_hash,
                receipts_kept_from,
            } = r.entry.event
            {
                journaled = Some((first_seq, prev_hash, receipts_kept_from));
                break;
            }
        }
        let marks = (
            checkpoint.map_or(0, |c| c.first_seq),
            checkpoint.map_or([0; 32], |c| c.prev_hash),
            kept_from,
        );
        let expected = journaled.unwrap_or((0, [0; 32], 1));
        if marks != expected {
            return Err(bad(
                "the store's retention markers are not what its journal says retention did: records may have been hidden"
                    .into(),
            ));
        }
        let first_unsent = self
            .outbox
            .first()
            .ok()
            .flatten()
            .and_then(|(k, _)| keys::parse_seq(&k));
        if let Some(unsent) = first_unsent
            && marks.0 > unsent
        {
            return Err(bad(format!(
                "the journal was cut at entry {} but entry {unsent} never reached head office",
                marks.0
            )));
        }
        Ok(())
    }
}
