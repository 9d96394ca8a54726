//! What head office keeps, behind a trait so that the embedded sled store
//! can give way to a database server when one machine is no longer enough
//! (see README, "Head office").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::receipt::CompletedSale;
use crate::proto::wire::Signed;
use crate::store::StoreError;
use crate::store::journal::{Hash, JournalRecord};

/// A terminal head office knows, and how far its journal has arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalRecord {
    pub id: String,
    pub store_name: String,
    /// Hex of its ed25519 public key: batches must be signed by it.
    pub public_key: String,
    pub enrolled_at: DateTime<Utc>,
    /// The batch number expected next.
    pub next_batch: u64,
    /// The journal entry expected next, and the hash it must chain from.
    pub next_entry: u64,
    pub last_hash: Hash,
}

impl TerminalRecord {
    pub fn new(id: &str, store_name: &str, public_key: &str) -> TerminalRecord {
        TerminalRecord {
            id: id.to_string(),
            store_name: store_name.to_string(),
            public_key: public_key.to_string(),
            enrolled_at: Utc::now(),
            next_batch: 1,
            next_entry: 0,
            last_hash: [0; 32],
        }
    }
}

/// A batch as head office remembers it: enough to know a retry of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub seq: u64,
    /// sha256 of the signed body: the same batch sent again has the same one.
    pub digest: Hash,
    pub first_entry: u64,
    pub last_entry: u64,
    pub sales: usize,
    pub received_at: DateTime<Utc>,
}

/// A checked batch, ready to store.
pub struct Accepted {
    /// The terminal as it was when the batch was checked against it.
    pub before: TerminalRecord,
    pub after: TerminalRecord,
    pub batch: BatchRecord,
    pub entries: Vec<JournalRecord>,
    pub sales: Vec<CompletedSale>,
}

#[derive(Debug, thiserror::Error)]
pub enum HqStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("terminal {0} is already enrolled with another key")]
    KeyClash(String),
}

pub trait HqStore: Send + Sync {
    fn terminal(&self, id: &str) -> Result<Option<TerminalRecord>, HqStoreError>;
    fn terminals(&self) -> Result<Vec<TerminalRecord>, HqStoreError>;
    /// Registers a terminal. Enrolling it again with the same key changes
    /// nothing; another key under a known id is refused.
    fn enroll(&self, terminal: &TerminalRecord) -> Result<(), HqStoreError>;
    fn batch(&self, terminal: &str, seq: u64) -> Result<Option<BatchRecord>, HqStoreError>;
    /// Stores a checked batch, durably, but only if the terminal is still as
    /// `before` saw it; `false` if another request stored a batch first.
    fn commit(&self, accepted: &Accepted) -> Result<bool, HqStoreError>;
    /// Every sale and refund received, with the terminal that made it.
    fn for_each_sale(&self, f: &mut dyn FnMut(&str, CompletedSale)) -> Result<(), HqStoreError>;
    /// Keeps a signed catalog change set under its version.
    fn publish(&self, version: u64, set: &Signed) -> Result<(), HqStoreError>;
    /// The first change set after `version`, if any.
    fn catalog_after(&self, version: u64) -> Result<Option<Signed>, HqStoreError>;
    fn catalog_version(&self) -> Result<u64, HqStoreError>;
    /// Makes everything stored so far durable. A batch another connection
    /// stored a moment ago may not be on disk yet: no acknowledgement of a
    /// batch goes out before this.
    fn persist(&self) -> Result<(), HqStoreError>;
    /// Keeps the latest refusal of a terminal's batch, for `till hq terminals`.
    fn note_refusal(&self, terminal: &str, refusal: &RefusalNote) -> Result<(), HqStoreError>;
    fn last_refusal(&self, terminal: &str) -> Result<Option<RefusalNote>, HqStoreError>;
}

/// A refused batch as head office remembers it: a gap or a fork is reported
/// where the owner looks, not only to the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalNote {
    pub at: DateTime<Utc>,
    pub reason: String,
}
