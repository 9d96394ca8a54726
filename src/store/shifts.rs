//! Shifts (open per lane, then kept in the history) and Z reports with the
//! Z state they move on: each saved with its journal entry.

use super::error::StoreError;
use super::journal::JournalEvent;
use super::print_queue::PrintJob;
use super::{NEXT_SHIFT_KEY, Put, Store, Z_STATE_KEY, keys};
use crate::domain::shift::Shift;
use crate::domain::takings::{DayReport, ZState};

impl Store {
    /// The lane's open shift, if any.
    pub fn shift(&self, lane: u16) -> Result<Option<Shift>, StoreError> {
        self.shifts.get(&lane)
    }

    /// The number the next shift gets. Read outside the write: the engine
    /// applies one command at a time, and `save_shift` stores the next one.
    pub fn next_shift_number(&self) -> Result<u64, StoreError> {
        Ok(self.meta.seq_at(NEXT_SHIFT_KEY)?.unwrap_or(1))
    }

    /// Saves a shift with its journal entry: open while it is, to the history
    /// when it closes.
    pub fn save_shift(
        &self,
        shift: &Shift,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let counter = self.next_shift_number()?.max(shift.number + 1);
        let mut puts = vec![Put::bytes(&self.meta, NEXT_SHIFT_KEY, keys::seq(counter))];
        if shift.close.is_some() {
            puts.push(self.shifts.delete(&shift.lane));
            puts.push(self.shift_history.put(&shift.number, shift)?);
        } else {
            puts.push(self.shifts.put(&shift.lane, shift)?);
        }
        self.write_journaled(&puts, actor, event).map(drop)
    }

    /// Closed shifts, oldest first.
    pub fn closed_shifts(&self) -> impl DoubleEndedIterator<Item = Result<Shift, StoreError>> + '_ {
        self.shift_history.values()
    }

    pub fn z_state(&self) -> Result<ZState, StoreError> {
        Ok(self.meta.value(Z_STATE_KEY, "Z state")?.unwrap_or_default())
    }

    /// Stores a Z report and moves the Z state on, with its journal entry
    /// and, when there is a printer, its printout queued: all in one
    /// transaction, so no Z is ever left without its paper waiting.
    pub fn save_z(
        &self,
        report: &DayReport,
        actor: &str,
        event: JournalEvent,
        print: Option<&PrintJob>,
    ) -> Result<(), StoreError> {
        let number = report
            .z_number
            .ok_or_else(|| StoreError::corrupt("Z report", "no number"))?;
        let state = ZState {
            number,
            last_receipt: report.to_receipt,
            grand_total: report.grand_total,
        };
        let puts = [
            self.z_reports.put(&number, report)?,
            Put::value(&self.meta, Z_STATE_KEY, &state)?,
        ];
        self.write_journaled_printing(&puts, Some(actor), event, print)
            .map(drop)
    }
}
