//! Retention: what is past its time goes, but only once it is safe to: a
//! sale only after head office has it and a Z report has closed it, a
//! journal entry only after head office has it and a Z report came after.
//!
//! Both go from the oldest end only, so what is kept is one unbroken run.
//! Markers are written before anything is deleted (the first receipt kept,
//! the journal checkpoint), so a run cut short by a crash leaves a store
//! that verifies, and the next run finishes the job.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::journal::{self, ChainError, Checkpoint, Hash, JournalEvent};
use super::{Put, Store, keys};
use crate::textfile::Invalid;

pub(super) const KEPT_FROM_KEY: &[u8] = b"receipts_kept_from";

/// How long each kind of record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Sales and refunds, Z reports and closed shifts.
    pub sales: Duration,
    /// The journal: at least as long as sales, whose digests it holds.
    pub journal: Duration,
}

/// `[retention]` of till.toml: the periods the shop chose, in years (and
/// the screen's log files, in days).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Sales and refunds, Z reports and closed shifts: the legal period for
    /// business records (often 6 to 10 years).
    pub sales_years: u32,
    /// The journal, at least as long as sales.
    pub journal_years: u32,
    /// The screen's daily log files (`till.YYYY-MM-DD.log`: logins,
    /// errors): this many are kept.
    pub log_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            sales_years: 7,
            journal_years: 7,
            log_days: 30,
        }
    }
}

impl RetentionConfig {
    /// Each period at least one and at most a century (a typo in days for
    /// years shows), and the journal kept as long as the sales it proves.
    pub fn check(&self) -> Result<(), Invalid> {
        for (key, value, max) in [
            ("sales_years", self.sales_years, 100),
            ("journal_years", self.journal_years, 100),
            ("log_days", self.log_days, 100 * 366),
        ] {
            if value == 0 || value > max {
                return Err(Invalid::new(key, format!("{key} is 1 to {max}")));
            }
        }
        if self.journal_years < self.sales_years {
            return Err(Invalid::new(
                "journal_years",
                "journal_years must be at least sales_years: the journal proves the sales",
            ));
        }
        Ok(())
    }

    pub fn policy(&self) -> Policy {
        let years = |n: u32| chrono::Duration::days(365 * i64::from(n) + i64::from(n / 4));
        Policy {
            sales: years(self.sales_years),
            journal: years(self.journal_years),
        }
    }
}

/// What a run removed (or, dry, would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub sales: usize,
    pub z_reports: usize,
    pub shifts: usize,
    pub journal: usize,
}

/// What a run removes, found before anything is.
struct Plan {
    /// Receipts going, oldest first.
    sales: Vec<u64>,
    /// The first receipt kept after the run.
    kept_from: u64,
    z_reports: Vec<u64>,
    shifts: Vec<u64>,
    /// Journal entries going from the kept start, and the entry (with the
    /// hash it chains from) that starts the journal after them, if one is kept.
    journal: usize,
    new_start: Option<(u64, Hash)>,
}

impl Plan {
    fn removed(&self) -> Removed {
        Removed {
            sales: self.sales.len(),
            z_reports: self.z_reports.len(),
            shifts: self.shifts.len(),
            journal: self.journal,
        }
    }
}

impl Store {
    /// The first receipt still kept: receipts below it were removed by retention.
    pub fn receipts_kept_from(&self) -> Result<u64, StoreError> {
        Ok(self.meta.seq_at(KEPT_FROM_KEY)?.unwrap_or(1))
    }

    /// Removes what `policy` says is past its time at `now`, if it is safe
    /// to (see the module). With `dry_run`, only counts.
    pub fn run_retention(
        &self,
        policy: Policy,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Removed, StoreError> {
        let plan = self.retention_plan(policy, now)?;
        if dry_run {
            return Ok(plan.removed());
        }
        self.mark_retention(&plan, now)?;
        self.remove_retained(&plan)?;
        self.persist()?;
        Ok(plan.removed())
    }

    fn first_unsent(&self) -> Result<u64, StoreError> {
        Ok(self
            .outbox
            .first()?
            .and_then(|(k, _)| keys::parse_seq(&k))
            .unwrap_or(u64::MAX))
    }

    fn retention_plan(&self, policy: Policy, now: DateTime<Utc>) -> Result<Plan, StoreError> {
        let first_unsent = self.first_unsent()?;
        let sales_cutoff = now - policy.sales;
        let sales = self.expired_sales(sales_cutoff, first_unsent)?;
        let kept_from = sales.last().map_or(self.receipts_kept_from()?, |r| r + 1);
        let z_reports = self
            .z_reports
            .values()
            .filter_map(|z| match z {
                Ok(z) if z.to_receipt < kept_from && z.at < sales_cutoff => z.z_number.map(Ok),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        let shifts = self
            .shift_history
            .values()
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
        let (journal, new_start) =
            self.expired_entries(now - policy.journal, first_unsent, kept_from)?;
        Ok(Plan {
            sales,
            kept_from,
            z_reports,
            shifts,
            journal,
            new_start,
        })
    }

    /// Sales: the oldest first, while each is old, Z-closed and at head office.
    fn expired_sales(
        &self,
        cutoff: DateTime<Utc>,
        first_unsent: u64,
    ) -> Result<Vec<u64>, StoreError> {
        let closed = self.z_state()?.last_receipt;
        let mut expired = Vec::new();
        for sale in self.sales.values() {
            let sale = sale?;
            let entry = self
                .receipt_entries
                .seq_at(keys::seq(sale.receipt.0))?
                .unwrap_or(u64::MAX);
            if sale.completed_at >= cutoff || sale.receipt.0 > closed || entry >= first_unsent {
                break;
            }
            expired.push(sale.receipt.0);
        }
        Ok(expired)
    }

    /// The journal: the oldest first, while each entry is old, at head
    /// office, no later than the last Z report, and names no kept sale.
    /// How many go, and the first kept entry with the hash it chains from.
    fn expired_entries(
        &self,
        cutoff: DateTime<Utc>,
        first_unsent: u64,
        kept_from: u64,
    ) -> Result<(usize, Option<(u64, Hash)>), StoreError> {
        let last_z = self
            .journal
            .values()
            .rev()
            .find(|r| {
                matches!(r, Ok(r) if matches!(r.entry.event, JournalEvent::ZReport { .. }))
                    || r.is_err()
            })
            .transpose()?
            .map_or(0, |r| r.entry.seq + 1);
        let start = journal::checkpoint(&self.meta)?.map_or(0, |c| c.first_seq);
        let mut expired = 0;
        for r in self.journal.values_from(&start) {
            let r = r?;
            let names_kept_sale = match r.entry.event {
                JournalEvent::SaleCompleted { receipt, .. }
                | JournalEvent::RefundCompleted { receipt, .. } => receipt.0 >= kept_from,
                _ => false,
            };
            if r.entry.at >= cutoff
                || r.entry.seq >= first_unsent
                || r.entry.seq >= last_z
                || names_kept_sale
            {
                return Ok((expired, Some((r.entry.seq, r.entry.prev_hash))));
            }
            expired += 1;
        }
        Ok((expired, None))
    }

    /// Markers first, journaled with them in one step: what verifies must
    /// never depend on a run finishing, nor on markers nobody journaled.
    fn mark_retention(&self, plan: &Plan, now: DateTime<Utc>) -> Result<(), StoreError> {
        let checkpoint = if plan.journal > 0 {
            let (first_seq, prev_hash) = match plan.new_start {
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
        if plan.sales.len() + plan.journal == 0 {
            return Ok(());
        }
        let mut puts = vec![Put::bytes(
            &self.meta,
            KEPT_FROM_KEY,
            keys::seq(plan.kept_from),
        )];
        if let Some(c) = &checkpoint {
            puts.push(journal::checkpoint_put(&self.meta, c)?);
        }
        let event = JournalEvent::RetentionApplied {
            first_seq: checkpoint.map_or(0, |c| c.first_seq),
            prev_hash: checkpoint.map_or([0; 32], |c| c.prev_hash),
            receipts_kept_from: plan.kept_from,
        };
        self.write_journaled_as(&puts, None, event).map(drop)
    }

    /// Removes what the markers now leave out; re-run safely after a crash.
    fn remove_retained(&self, plan: &Plan) -> Result<(), StoreError> {
        for receipt in &plan.sales {
            self.sales.remove(receipt)?;
            self.refunds.remove(receipt)?;
            self.receipt_entries.remove(keys::seq(*receipt))?;
        }
        for z in &plan.z_reports {
            self.z_reports.remove(z)?;
        }
        for s in &plan.shifts {
            self.shift_history.remove(s)?;
        }
        if let Some(c) = journal::checkpoint(&self.meta)? {
            for entry in self.journal.tree().range(..keys::seq(c.first_seq)) {
                self.journal.tree().remove(entry?.0)?;
            }
        }
        Ok(())
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
        for r in self.journal.values().rev() {
            let r = r.map_err(|e| bad(e.to_string()))?;
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
