//! The printer as the engine sees it: whether there is one (and a drawer on
//! it), queuing a job with the journal entry that explains it, a report's
//! paper, waking the worker, and reprinting a receipt as a duplicate.
//! Printing itself is `devices`'; the queue is the store's.

use chrono::Utc;
use std::sync::mpsc::Sender;

use super::{Approval, Engine, EngineError, Event, Session};
use crate::domain::sale::ReceiptNo;
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;
use crate::domain::user::Permission;
use crate::store::StoreError;
use crate::store::journal::JournalEvent;
use crate::store::print_queue::{JobKind, PrintJob, Printer};

/// A job queued now, not tried yet.
fn job(kind: JobKind, kick: bool) -> PrintJob {
    PrintJob {
        kind,
        kick,
        queued_at: Utc::now(),
        attempts: 0,
    }
}

impl Engine {
    /// Prints from now on: `wake` tells the printer worker a job was queued.
    pub fn attach_printer(&mut self, wake: Sender<()>, drawer: bool) {
        self.printer = Some((wake, Printer { drawer }));
    }

    pub(super) fn wake_printer(&self) {
        if let Some((wake, _)) = &self.printer {
            // A worker that has stopped will find the job at its next start.
            let _ = wake.send(());
        }
    }

    /// Queues a print job with the journal entry that explains it, and wakes
    /// the printer.
    pub(super) fn queue_print(
        &self,
        session: &Session,
        kind: JobKind,
        kick: bool,
        event: JournalEvent,
    ) -> Result<(), EngineError> {
        self.store
            .queue_job_journaled(&job(kind, kick), &session.user, event)?;
        self.wake_printer();
        Ok(())
    }

    /// A report's paper, when there is a printer to print it on.
    pub(super) fn report_job(&self, report: &DayReport, shifts: &[Shift]) -> Option<PrintJob> {
        self.printer.as_ref().map(|_| {
            let kind = JobKind::Report {
                report: Box::new(report.clone()),
                shifts: shifts.to_vec(),
            };
            job(kind, false)
        })
    }

    pub(super) fn printer(&self) -> Result<Printer, EngineError> {
        self.printer
            .as_ref()
            .map(|(_, p)| *p)
            .ok_or(EngineError::NoPrinter)
    }

    /// Prints a receipt again, marked DUPLICATE: the last one (`None`) for
    /// anyone, any older one with the reprint permission or an approval.
    pub(super) fn reprint(
        &self,
        session: &Session,
        receipt: Option<u64>,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        self.printer()?;
        let last = self.store.last_receipt()?;
        let target = match receipt {
            Some(n) => ReceiptNo(n),
            None => last.ok_or(EngineError::NoSuchReceipt(0))?,
        };
        let sale = self.receipt(target.0)?;
        let approved_by = if Some(target) == last {
            None
        } else {
            self.authorise(session, Permission::Reprint, approval)?
        };
        let hash = self.store.receipt_hash(target)?.ok_or_else(|| {
            StoreError::corrupt("journal", format!("no entry for receipt {}", target.0))
        })?;
        let kind = JobKind::Receipt {
            receipt: target,
            hash,
            duplicate: true,
        };
        let event = JournalEvent::Reprinted {
            receipt: target,
            approved_by,
        };
        self.queue_print(session, kind, false, event)?;
        Ok(vec![Event::Reprinted {
            receipt: sale.receipt_label(),
        }])
    }
}
