//! The print queue: jobs written in the same transaction as what they print,
//! and taken off only once the printer has taken the bytes. A printer that is
//! off, unplugged or out of paper delays a receipt; it never loses one.
//!
//! The queue handle holds its own clones of the sled trees, so the printer
//! worker can run on its own thread beside the engine.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use super::envelope::{decode, encode};
use super::error::StoreError;
use super::journal::Hash;
use super::keys;
use crate::domain::customer::Contact;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::ReceiptNo;

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
    jobs: &TransactionalTree,
    meta: &TransactionalTree,
    job: &PrintJob,
) -> Result<u64, ConflictableTransactionError<StoreError>> {
    let id = keys::counter(meta, NEXT_JOB_KEY, "print job counter")?;
    meta.insert(NEXT_JOB_KEY, &keys::seq(id + 1))?;
    jobs.insert(
        &keys::seq(id),
        encode(job).map_err(ConflictableTransactionError::Abort)?,
    )?;
    Ok(id)
}

#[derive(Clone)]
pub struct PrintQueue {
    pub(super) dir: std::sync::Arc<super::SledDir>,
    pub(super) jobs: sled::Tree,
    /// For the buyer on a tax invoice, unsealed only to print it.
    pub(super) customers: sled::Tree,
    pub(super) sealer: std::sync::Arc<super::sealing::Sealer>,
    pub(super) sales: sled::Tree,
}

impl PrintQueue {
    /// The oldest job waiting.
    pub fn next(&self) -> Result<Option<(u64, PrintJob)>, StoreError> {
        match self.jobs.first()? {
            Some((key, raw)) => {
                let id = keys::parse_seq(&key)
                    .ok_or_else(|| StoreError::corrupt("print job", "bad key"))?;
                Ok(Some((id, decode(&raw, "print job")?)))
            }
            None => Ok(None),
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn sale(&self, receipt: ReceiptNo) -> Result<Option<CompletedSale>, StoreError> {
        self.sales
            .get(keys::seq(receipt.0))?
            .map(|raw| decode(&raw, "sale"))
            .transpose()
    }

    /// A customer's details, for the buyer block of a tax invoice.
    pub fn customer(&self, id: u64) -> Result<Option<Contact>, StoreError> {
        super::customers::contact(&self.customers, &self.sealer, id)
    }

    /// Notes, durably, that the job's bytes are about to go out.
    pub fn attempt(&self, id: u64, job: &PrintJob) -> Result<(), StoreError> {
        let tried = PrintJob {
            attempts: job.attempts + 1,
            ..job.clone()
        };
        let _writing = self.dir.writing();
        self.jobs.insert(keys::seq(id), encode(&tried)?)?;
        self.dir.db.flush()?;
        Ok(())
    }

    /// The printer has the job: take it off, so a restart does not print it again.
    pub fn done(&self, id: u64) -> Result<(), StoreError> {
        let _writing = self.dir.writing();
        self.jobs.remove(keys::seq(id))?;
        self.dir.db.flush()?;
        Ok(())
    }
}
