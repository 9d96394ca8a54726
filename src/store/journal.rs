//! The append-only, hash-chained journal.
//!
//! Each entry's hash is `sha256(previous hash || canonical bytes of the entry)`,
//! the first entry chaining from 32 zero bytes. Changing, removing or reordering
//! any entry breaks every hash after it, which `verify` finds. Entries never hold
//! personal data: a sale is referenced by its receipt number and the digest of
//! its record, so a customer can be erased without breaking the chain.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::envelope::{Encoded, canonical, decode};
use super::error::StoreError;
use super::keys;
use super::kv::{Tree, Tx, TxAbort};
use super::table::Table;
use super::write::Put;
use crate::domain::money::Money;
use crate::domain::sale::ReceiptNo;
use crate::domain::tender::Tender;
use crate::domain::user::Permission;

pub type Hash = [u8; 32];

const HEAD_KEY: &[u8] = b"journal_head";
const CHECKPOINT_KEY: &[u8] = b"journal_checkpoint";

/// Where the kept journal starts once retention has removed older entries:
/// the first kept entry and the hash it chains from. The chain is verified
/// from here, so a journal with its old years removed still proves that
/// nothing kept was altered, removed or reordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub first_seq: u64,
    pub prev_hash: Hash,
    pub at: DateTime<Utc>,
}

pub fn checkpoint(meta: &Tree) -> Result<Option<Checkpoint>, StoreError> {
    meta.value(CHECKPOINT_KEY, "journal checkpoint")
}

pub fn set_checkpoint(meta: &Tree, checkpoint: &Checkpoint) -> Result<(), StoreError> {
    meta.put_value(CHECKPOINT_KEY, checkpoint)
}

/// The checkpoint as a record to write with its journal entry.
pub fn checkpoint_put<'a>(meta: &'a Tree, checkpoint: &Checkpoint) -> Result<Put<'a>, StoreError> {
    Put::value(meta, CHECKPOINT_KEY, checkpoint)
}

/// `JournalEventKind` (the variants without their data) lets a test walk
/// every kind of entry (see `journal_text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(JournalEventKind), derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum JournalEvent {
    StoreCreated {
        terminal: String,
    },
    Login {
        user: String,
    },
    LoginFailed {
        user: String,
    },
    Logout {
        user: String,
    },
    /// A session left idle too long was locked.
    SessionLocked {
        user: String,
    },
    UserCreated {
        user: String,
        role: String,
    },
    /// `digest` is the sha256 of the canonical bytes of the completed sale record.
    SaleCompleted {
        receipt: ReceiptNo,
        total: Money,
        digest: Hash,
    },
    RefundCompleted {
        receipt: ReceiptNo,
        original: ReceiptNo,
        total: Money,
        digest: Hash,
    },
    /// A sale abandoned before completion: what was on it, so voids can be audited.
    SaleVoided {
        lines: usize,
        total: Money,
        /// Payments already taken, which the void must hand back.
        tendered: Vec<Tender>,
        approved_by: Option<String>,
    },
    /// A supervisor's or manager's approval of something beyond the user's role.
    Override {
        permission: Permission,
        approved_by: String,
    },
    LineVoided {
        sku: String,
        quantity: Decimal,
        amount: Money,
    },
    /// The cash drawer opened: on a cash sale (`receipt`) or a no-sale.
    DrawerOpened {
        receipt: Option<ReceiptNo>,
        approved_by: Option<String>,
    },
    /// A receipt printed again, marked DUPLICATE.
    Reprinted {
        receipt: ReceiptNo,
        approved_by: Option<String>,
    },
    /// A shelf price changed, for every sale from then on.
    PriceChanged {
        sku: String,
        old: Money,
        new: Money,
    },
    /// One line sold at another price than the shelf's.
    PriceOverridden {
        sku: String,
        old: Money,
        new: Money,
        approved_by: Option<String>,
    },
    ShiftOpened {
        number: u64,
        lane: u16,
        float: Money,
    },
    CashMoved {
        shift: u64,
        amount: Money,
        reason: String,
        approved_by: Option<String>,
    },
    ShiftClosed {
        number: u64,
        counted: Money,
        expected: Money,
    },
    /// The day's Z report: its number, last receipt, takings and the grand total.
    ZReport {
        number: u64,
        to_receipt: u64,
        gross: Money,
        grand_total: Money,
    },
    /// Stock counted, found damaged or lost: the change and why.
    StockAdjusted {
        sku: String,
        delta: Decimal,
        reason: String,
    },
    /// A delivery received against a reference (delivery note, invoice).
    StockReceived {
        reference: String,
        lines: Vec<(String, Decimal)>,
    },
    ReorderLevelSet {
        sku: String,
        level: Decimal,
    },
    PinReset {
        user: String,
    },
    UserDisabled {
        user: String,
        disabled: bool,
    },
    /// A product's tax category or barcodes changed: old and new, in words.
    ProductChanged {
        sku: String,
        old: String,
        new: String,
    },
    ProductsImported {
        count: usize,
        digest: Hash,
    },
    /// This terminal pinned head office: its address (and CA and key).
    HqJoined {
        url: String,
    },
    /// A head-office catalog change set applied: its version, how many
    /// products it set, and the digest of the change set.
    CatalogApplied {
        version: u64,
        count: usize,
        digest: Hash,
    },
    /// A head-office change set this terminal would not apply, and why.
    CatalogRefused {
        version: u64,
        reason: String,
    },
    /// Customers are named by id only: the person's details live (sealed)
    /// in the customers tree, so erasing them never touches the chain.
    CustomerAdded {
        id: u64,
    },
    /// Which fields a correction changed, and the digest of the sealed
    /// record of old and new values in the customer's history.
    CustomerCorrected {
        id: u64,
        fields: Vec<String>,
        record: Hash,
    },
    CustomerErased {
        id: u64,
    },
    /// A backup was taken; with the keys in it or not.
    BackupTaken {
        with_keys: bool,
    },
    /// Retention removed the journal before `first_seq` (which chains from
    /// `prev_hash`) and the receipts below `receipts_kept_from`. Verification
    /// holds the store's markers to the latest of these, so a marker written
    /// by hand cannot hide entries or sales.
    RetentionApplied {
        first_seq: u64,
        prev_hash: Hash,
        receipts_kept_from: u64,
    },
    /// Everything was exported (`till export`), customers' details included.
    Exported {
        format: String,
        customers: usize,
    },
    /// The store was rebuilt from an export or a backup.
    Restored {
        from: String,
    },
    /// A connection to the daemon named a session it had not logged in
    /// (another screen's, an ended one, or a made-up one): refused before
    /// any handler ran. `peer` is who the kernel says was at the other end.
    RequestRefused {
        peer: String,
        asked: String,
    },
    /// Wrong PINs locked `user` out for logins from `origin` until `until`;
    /// logins from elsewhere (the kiosk, another manager) are not locked.
    LockedOut {
        user: String,
        origin: String,
        until: chrono::DateTime<chrono::Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// The user who acted, by name; `None` for the system itself.
    pub actor: Option<String>,
    pub event: JournalEvent,
    pub prev_hash: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub entry: JournalEntry,
    pub hash: Hash,
}

/// The last entry's sequence number and hash, kept in meta so appending is O(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Head {
    next_seq: u64,
    hash: Hash,
}

pub fn chain_hash(prev: &Hash, entry: &JournalEntry) -> Result<Hash, StoreError> {
    Ok(chain_hash_of(prev, &canonical(entry)?))
}

/// [`chain_hash`] of an entry already encoded.
fn chain_hash_of(prev: &Hash, entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(entry);
    h.finalize().into()
}

pub fn digest<T: Serialize>(value: &T) -> Result<Hash, StoreError> {
    Ok(Sha256::digest(canonical(value)?).into())
}

/// [`digest`] of a value already encoded.
pub fn digest_of<T>(value: &Encoded<T>) -> Hash {
    Sha256::digest(value.canonical()).into()
}

/// The trees every journal append touches. A transaction that appends
/// must be opened over all three ([`Chain::trees`]).
#[derive(Clone, Copy)]
pub struct Chain<'a> {
    pub journal: &'a Table<u64, JournalRecord>,
    /// Every entry waits here until head office acknowledges it: all of them,
    /// so head office sees an unbroken chain, not just the sales.
    pub outbox: &'a Tree,
    pub meta: &'a Tree,
}

impl<'a> Chain<'a> {
    pub fn trees(&self) -> [&'a Tree; 3] {
        [self.journal.tree(), self.outbox, self.meta]
    }
}

/// Appends inside the caller's transaction, so an entry is written together
/// with whatever it records (and queued for head office), or not at all.
pub fn append(
    tx: &Tx<'_>,
    chain: Chain<'_>,
    actor: Option<&str>,
    event: JournalEvent,
    at: DateTime<Utc>,
) -> Result<JournalRecord, TxAbort> {
    let meta = tx.tree(chain.meta)?;
    let head = meta
        .value::<Head>(HEAD_KEY, "journal head")?
        .unwrap_or(Head {
            next_seq: 0,
            hash: [0; 32],
        });
    let entry = JournalEntry {
        seq: head.next_seq,
        at,
        actor: actor.map(str::to_string),
        event,
        prev_hash: head.hash,
    };
    // Encoded once: hashed, then stored as the record's first field.
    let entry_bytes = canonical(&entry)?;
    let hash = chain_hash_of(&head.hash, &entry_bytes);
    let stored = Encoded::<JournalRecord>::of_fields(&[&entry_bytes, &hash]);
    chain
        .journal
        .within(tx)?
        .insert_encoded(&head.next_seq, stored)?;
    let record = JournalRecord { entry, hash };
    tx.tree(chain.outbox)?
        .insert(keys::seq(head.next_seq), &[] as &[u8])?;
    let next = Head {
        next_seq: head.next_seq + 1,
        hash,
    };
    meta.put_value(HEAD_KEY, &next)?;
    Ok(record)
}

/// The next entry's number and the hash it will chain from.
pub fn head(meta: &Tree) -> Result<(u64, Hash), StoreError> {
    Ok(match meta.value::<Head>(HEAD_KEY, "journal head")? {
        Some(head) => (head.next_seq, head.hash),
        None => (0, [0; 32]),
    })
}

/// Sets the head to follow `last` (none: an empty journal), for a store
/// rebuilt from an export.
pub fn set_head(meta: &Tree, last: Option<&JournalRecord>) -> Result<(), StoreError> {
    match last {
        Some(r) => set_head_at(meta, r.entry.seq + 1, r.hash),
        None => set_head_at(meta, 0, [0; 32]),
    }
}

pub fn set_head_at(meta: &Tree, next_seq: u64, hash: Hash) -> Result<(), StoreError> {
    meta.put_value(HEAD_KEY, &Head { next_seq, hash })
}

/// Why the chain does not hold, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("journal entry {seq} cannot be read: {detail}")]
    Unreadable { seq: u64, detail: String },
    #[error("journal entry {seq} is missing (found {found} next)")]
    Gap { seq: u64, found: u64 },
    #[error(
        "journal entry {seq} does not follow entry {prev}: its previous-hash field was changed"
    )]
    BrokenLink { seq: u64, prev: u64 },
    #[error("journal entry {seq} was altered: its hash does not match its contents")]
    Altered { seq: u64 },
    #[error("journal entry {seq}: {detail}")]
    Record { seq: u64, detail: String },
    #[error(
        "the journal ends at entry {last}, but the store recorded {expected} entries: entries were removed"
    )]
    Truncated { last: u64, expected: u64 },
    #[error(
        "the journal's head record is missing or unreadable: the end of the chain cannot be checked"
    )]
    NoHead,
    #[error("receipt {receipt}: {detail}")]
    Receipts { receipt: u64, detail: String },
}

impl ChainError {
    /// The first entry found bad, where one entry is to blame.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ChainError::Unreadable { seq, .. }
            | ChainError::Gap { seq, .. }
            | ChainError::BrokenLink { seq, .. }
            | ChainError::Altered { seq }
            | ChainError::Record { seq, .. } => Some(*seq),
            ChainError::Truncated { last, .. } => Some(last + 1),
            ChainError::NoHead | ChainError::Receipts { .. } => None,
        }
    }
}

/// Walks the journal from the start. `check` is called for each good entry so
/// the caller can also hold records against it (a sale against its digest).
pub fn verify(
    journal: &Table<u64, JournalRecord>,
    meta: &Tree,
    mut check: impl FnMut(&JournalRecord) -> Result<(), String>,
) -> Result<u64, ChainError> {
    let start = checkpoint(meta).map_err(|_| ChainError::NoHead)?;
    let mut prev: Hash = start.map_or([0; 32], |c| c.prev_hash);
    let mut expected_seq = start.map_or(0, |c| c.first_seq);
    for item in journal.tree().range(keys::seq(expected_seq)..) {
        let (key, value) = item.map_err(|e| ChainError::Unreadable {
            seq: expected_seq,
            detail: e.to_string(),
        })?;
        let seq = keys::parse_seq(&key).unwrap_or(u64::MAX);
        if seq != expected_seq {
            return Err(ChainError::Gap {
                seq: expected_seq,
                found: seq,
            });
        }
        let record: JournalRecord =
            decode(&value, "journal entry").map_err(|e| ChainError::Unreadable {
                seq,
                detail: e.to_string(),
            })?;
        if record.entry.seq != seq {
            return Err(ChainError::Altered { seq });
        }
        if record.entry.prev_hash != prev {
            return Err(ChainError::BrokenLink {
                seq,
                prev: seq.saturating_sub(1),
            });
        }
        let hash = chain_hash(&prev, &record.entry).map_err(|e| ChainError::Unreadable {
            seq,
            detail: e.to_string(),
        })?;
        if hash != record.hash {
            return Err(ChainError::Altered { seq });
        }
        check(&record).map_err(|detail| ChainError::Record { seq, detail })?;
        prev = hash;
        expected_seq += 1;
    }
    // The head records how far the chain went: entries cut off its end would
    // otherwise leave a shorter chain that still holds.
    let head = meta.value::<Head>(HEAD_KEY, "journal head").ok().flatten();
    match head {
        Some(head) if head.next_seq == expected_seq && head.hash == prev => Ok(expected_seq),
        None if expected_seq == 0 => Ok(0),
        Some(head) => Err(ChainError::Truncated {
            last: expected_seq.saturating_sub(1),
            expected: head.next_seq,
        }),
        None => Err(ChainError::NoHead),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::envelope::encode;
    use crate::store::kv::{Db, transact};

    /// `append` stores a record built from its entry's bytes (encoded once,
    /// for the hash too): the bytes must be what encoding the record makes,
    /// or a later read, an export or head office's check would differ.
    #[test]
    fn an_appended_record_is_stored_as_encoding_it_makes_it() {
        let dir = tempfile::tempdir().expect("a test store");
        let db = Db::open(dir.path()).expect("a test store");
        let journal = Table::open(&db, "journal", "journal entry").expect("a test store");
        let (outbox, meta) = (
            db.tree("outbox").expect("tree"),
            db.tree("meta").expect("tree"),
        );
        let chain = Chain {
            journal: &journal,
            outbox: &outbox,
            meta: &meta,
        };
        for user in ["ann", "bo\u{e9}"] {
            let event = JournalEvent::Login { user: user.into() };
            let record = transact(&chain.trees(), |tx| {
                append(tx, chain, Some("manager"), event, Utc::now())
            })
            .expect("append");
            let stored = journal
                .tree()
                .get(keys::seq(record.entry.seq))
                .expect("read")
                .expect("stored");
            assert_eq!(&stored[..], &encode(&record).expect("encode")[..]);
            assert_eq!(
                record.hash,
                chain_hash(&record.entry.prev_hash, &record.entry).expect("hash")
            );
        }
    }
}
