//! The print queue: jobs written in the same transaction as what they print,
//! and taken off only once the printer has taken the bytes. A printer that is
//! off, unplugged or out of paper delays a receipt; it never loses one.
//!
//! The queue handle holds its own clones of the store's tables, so the printer
//! worker can run on its own thread beside the engine.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::journal::{Hash, JournalEvent};
use super::kv::{self, Db, Tree, Tx, TxAbort};
use super::table::Table;
use super::{Store, keys};
use crate::domain::customer::Contact;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::ReceiptNo;
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;

pub(super) const NEXT_JOB_KEY: &[u8] = b"next_print_job";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// A receipt; `hash` is its journal entry's, printed in the QR code.
    Receipt {
        receipt: ReceiptNo,
        hash: Hash,
        duplicate: bool,
    },
    /// Open the drawer, print nothing (a no-sale).
    DrawerOnly,
    /// An X or Z report with the shifts it counts, carried whole: an X
    /// report is stored nowhere else, and the paper must say what the screen
    /// said, not what the figures are by the time it prints.
    Report {
        report: Box<DayReport>,
        shifts: Vec<Shift>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    pub kind: JobKind,
    /// Kick the cash drawer after printing.
    pub kick: bool,
    pub queued_at: DateTime<Utc>,
    /// Times the bytes were started on their way. A job tried before may have
    /// printed (the till died before it heard so): it is sent again marked
    /// DUPLICATE, and without the drawer kick.
    pub attempts: u32,
}

/// What the till prints on: whether there is a drawer behind the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printer {
    pub drawer: bool,
}

/// Adds a job inside the caller's transaction; jobs print in this order.
pub fn queue(
    tx: &Tx<'_>,
    jobs: &Table<u64, PrintJob>,
    meta: &Tree,
    job: &PrintJob,
) -> Result<u64, TxAbort> {
    let meta = tx.tree(meta)?;
    let id = meta.counter(NEXT_JOB_KEY, "print job counter")?;
    meta.insert(NEXT_JOB_KEY, &keys::seq(id + 1))?;
    jobs.within(tx)?.insert(&id, job)?;
    Ok(id)
}

#[derive(Clone)]
pub struct PrintQueue {
    pub(super) dir: std::sync::Arc<Db>,
    pub(super) jobs: Table<u64, PrintJob>,
    /// For the buyer on a tax invoice, unsealed only to print it.
    pub(super) customers: Table<u64, super::customers::StoredCustomer>,
    pub(super) sealer: std::sync::Arc<super::sealing::Sealer>,
    pub(super) sales: Table<u64, CompletedSale>,
}

impl PrintQueue {
    /// The oldest job waiting.
    pub fn next(&self) -> Result<Option<(u64, PrintJob)>, StoreError> {
        self.jobs.first()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn sale(&self, receipt: ReceiptNo) -> Result<Option<CompletedSale>, StoreError> {
        self.sales.get(&receipt.0)
    }

    /// A customer's details, for the buyer block of a tax invoice.
    pub fn customer(&self, id: u64) -> Result<Option<Contact>, StoreError> {
        super::customers::contact(&self.customers, &self.sealer, id)
    }

    /// Notes that the job's bytes are about to go out: a killed till knows
    /// it at restart; a power cut may forget it (the job is then printed
    /// again, marked as tried no more often than it was).
    pub fn attempt(&self, id: u64, job: &PrintJob) -> Result<(), StoreError> {
        let tried = PrintJob {
            attempts: job.attempts + 1,
            ..job.clone()
        };
        let _writing = self.dir.writing();
        self.jobs.insert(&id, &tried)
    }

    /// The printer has the job: take it off, so a restart does not print it
    /// again (as with `attempt`, a power cut may forget it).
    pub fn done(&self, id: u64) -> Result<(), StoreError> {
        let _writing = self.dir.writing();
        self.jobs.remove(&id)
    }
}

impl Store {
    /// A handle for the printer worker's thread.
    pub fn print_queue(&self) -> PrintQueue {
        PrintQueue {
            dir: self.dir.clone(),
            jobs: self.print_jobs.clone(),
            customers: self.customers.clone(),
            sealer: self.sealer.clone(),
            sales: self.sales.clone(),
        }
    }

    /// Journals `event` and queues `job` with it, in one transaction.
    pub fn queue_job_journaled(
        &self,
        job: &PrintJob,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        self.write_journaled_printing(&[], Some(actor), event, Some(job))
            .map(drop)
    }

    /// Queues `job` with no journal entry (an X report's paper: the report
    /// changes nothing). The transaction holds `meta`, where the job counter is.
    pub fn queue_job(&self, job: &PrintJob) -> Result<(), StoreError> {
        kv::transact(&[&self.meta, self.print_jobs.tree()], |tx| {
            queue(tx, &self.print_jobs, &self.meta, job).map(drop)
        })?;
        self.persist()
    }
}
