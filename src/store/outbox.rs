//! The terminal's side of head-office sync, as the store keeps it: the link
//! to head office, the batch being sent, what was last heard, and catalog
//! change sets waiting for the engine.
//!
//! Journal entries enter the outbox in the transaction that makes them (see
//! `journal::append`). A batch is cut from the front of the outbox and kept,
//! bytes and all, until head office acknowledges it: a retry after a cut
//! connection or a restart sends the very same bytes under the same sequence,
//! which head office recognises and acknowledges again instead of storing
//! twice. Only the acknowledgement removes the entries.
//!
//! The handle holds its own clones of the store's trees, so the sync worker runs
//! on its own thread and never waits for, or holds up, a sale.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::envelope::decode;
use super::error::StoreError;
use super::journal::{JournalEvent, JournalRecord};
use super::keys;
use super::kv::{self, Db, Tree};
use super::table::Table;
use super::write::Put;
use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;

const LINK_KEY: &[u8] = b"hq_link";
const PENDING_KEY: &[u8] = b"sync_pending";
const NEXT_BATCH_KEY: &[u8] = b"sync_next_batch";
const STATE_KEY: &[u8] = b"sync_state";
pub(super) const CATALOG_ERROR_KEY: &[u8] = b"catalog_error";
pub(super) const CATALOG_VERSION_KEY: &[u8] = b"catalog_version";

/// Where head office is and how to know it: written by `till sync join`
/// from the bundle head office made at enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqLink {
    /// `https://host:port` of head office.
    pub url: String,
    /// PEM of head office's own CA: the only issuer trusted for it, so a
    /// certificate from any public CA for the same name is refused.
    pub ca_pem: String,
    /// Hex of the ed25519 key head office signs acknowledgements and catalogs with.
    pub hq_key: String,
    /// A client certificate and its key (PEM), if head office issued one.
    pub client_cert: Option<(String, String)>,
}

/// A batch cut and signed, waiting for its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingBatch {
    pub seq: u64,
    /// Journal sequence numbers of its first and last entries.
    pub first: u64,
    pub last: u64,
    /// The hash of its last entry, which head office's acknowledgement names.
    pub last_hash: super::journal::Hash,
    /// The signed batch exactly as sent.
    pub bytes: Vec<u8>,
}

/// What the sync worker last saw; shown on the status bar and by `till sync status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_ok: Option<DateTime<Utc>>,
    /// Why the last attempt failed (unreachable, refused and why); cleared by a success.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Head office's address, once the terminal has joined it.
    pub hq: Option<String>,
    /// Journal entries not yet acknowledged.
    pub backlog: usize,
    /// When the oldest of them was made.
    pub oldest: Option<DateTime<Utc>>,
    pub state: SyncState,
    /// The newest head-office catalog applied here.
    pub catalog_version: u64,
    /// Why the last change set was refused, until one is applied.
    pub catalog_error: Option<String>,
}

impl SyncStatus {
    /// One line for the status bar and `till sync status`: where sending
    /// stands, how much waits and for how long.
    /// Short, as the status bar of an 80-column screen has little room:
    /// "HQ: 12 unsent, 3h", "HQ failing: 12 unsent, 3h", "HQ: all sent".
    pub fn summary(&self, now: DateTime<Utc>) -> String {
        self.line(Some(now))
    }

    /// The summary without how long the oldest has waited, for a status bar
    /// with no room for it: "HQ failing: 12 unsent".
    pub fn brief(&self) -> String {
        self.line(None)
    }

    fn line(&self, now: Option<DateTime<Utc>>) -> String {
        let state = if self.hq.is_none() {
            " not joined"
        } else if self.state.last_error.is_some() {
            " failing"
        } else {
            ""
        };
        let waiting = match (self.backlog, self.oldest) {
            (0, _) => "all sent".to_string(),
            (n, Some(oldest)) if let Some(now) = now => {
                format!("{n} unsent, {}", short_age(now - oldest))
            }
            (n, _) => format!("{n} unsent"),
        };
        format!("HQ{state}: {waiting}")
    }
}

impl SyncStatus {
    /// Everything known, as label and value: the manager's Sync tab and
    /// `till sync status` show the same.
    pub fn fields(&self, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        let when = |at: Option<DateTime<Utc>>| match at {
            Some(at) => format!(
                "{} ({} ago)",
                at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"),
                short_age(now - at)
            ),
            None => "never".to_string(),
        };
        vec![
            (
                "Head office",
                self.hq
                    .clone()
                    .unwrap_or_else(|| "not joined (till sync join BUNDLE)".into()),
            ),
            ("Unsent entries", self.backlog.to_string()),
            (
                "Oldest unsent",
                match self.oldest {
                    Some(_) => when(self.oldest),
                    None => "-".into(),
                },
            ),
            ("Last reached", when(self.state.last_ok)),
            ("Last tried", when(self.state.last_attempt)),
            (
                "Last error",
                self.state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "none".into()),
            ),
            ("Catalog version", self.catalog_version.to_string()),
            (
                "Catalog refused",
                self.catalog_error.clone().unwrap_or_else(|| "none".into()),
            ),
        ]
    }
}

/// "40s", "12m", "5h", "3d": how long, to a glance.
pub fn short_age(age: chrono::Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// What the front of the outbox holds: entries in order, and the sale and
/// refund records they name.
pub struct Unsent {
    pub entries: Vec<JournalRecord>,
    pub sales: Vec<CompletedSale>,
}

#[derive(Clone)]
pub struct Outbox {
    pub(super) dir: std::sync::Arc<Db>,
    pub(super) journal: Table<u64, JournalRecord>,
    /// Keys only: the entries waiting, in order.
    pub(super) outbox: Tree,
    pub(super) meta: Tree,
    pub(super) sales: Table<u64, CompletedSale>,
    pub(super) catalog_inbox: Table<u64, Vec<Product>>,
    pub(super) catalog_queued: QueuedCatalogs,
}

/// How many change sets were queued since the store opened, so the engine
/// can tell there is none new without reading the inbox: it asks before
/// every command, and reading an empty tree was a tenth of a scan.
#[derive(Clone, Default)]
pub struct QueuedCatalogs(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl QueuedCatalogs {
    /// Counted only once the change set is stored (see `Store::next_catalog`).
    fn count(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    pub(super) fn now(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl Outbox {
    pub fn link(&self) -> Result<Option<HqLink>, StoreError> {
        self.meta.value(LINK_KEY, "head-office link")
    }

    pub(super) fn link_put<'a>(meta: &'a Tree, link: &HqLink) -> Result<Put<'a>, StoreError> {
        Put::value(meta, LINK_KEY, link)
    }

    /// Journal entries not yet acknowledged, counted from the first and last
    /// keys: entries enter in sequence and leave in sequence, so the outbox
    /// is always one unbroken run (a count would walk the whole tree).
    pub fn len(&self) -> usize {
        match self.outbox.seq_bounds() {
            (Some(first), Some(last)) => usize::try_from(last - first + 1).unwrap_or(usize::MAX),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.outbox.is_empty()
    }

    /// When the oldest unacknowledged entry was made.
    pub fn oldest(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let Some((key, _)) = self.outbox.first()? else {
            return Ok(None);
        };
        let Some(raw) = self.journal.tree().get(&key)? else {
            return Err(StoreError::corrupt(
                "outbox",
                "an entry waiting for head office is missing from the journal",
            ));
        };
        let record: JournalRecord = decode(&raw, "journal entry")?;
        Ok(Some(record.entry.at))
    }

    pub fn status(&self) -> Result<SyncStatus, StoreError> {
        Ok(SyncStatus {
            hq: self.link()?.map(|l| l.url),
            backlog: self.len(),
            oldest: self.oldest()?,
            state: self.state()?,
            catalog_version: self.applied_catalog()?,
            catalog_error: self
                .meta
                .get(CATALOG_ERROR_KEY)?
                .map(|raw| String::from_utf8_lossy(&raw).into_owned()),
        })
    }

    pub fn state(&self) -> Result<SyncState, StoreError> {
        Ok(self
            .meta
            .value(STATE_KEY, "sync state")?
            .unwrap_or_default())
    }

    /// Notes how an attempt to reach head office went. Only the sync worker
    /// writes it (the engine's catalog refusals have a key of their own, so
    /// neither overwrites the other). Not fsynced: it is a display, and
    /// losing the last one to a power cut loses nothing.
    pub fn note(&self, outcome: Result<(), String>) -> Result<(), StoreError> {
        let _writing = self.dir.writing();
        let mut state = self.state()?;
        let now = Utc::now();
        state.last_attempt = Some(now);
        match outcome {
            Ok(()) => {
                state.last_ok = Some(now);
                state.last_error = None;
            }
            Err(why) => state.last_error = Some(why),
        }
        self.meta.put_value(STATE_KEY, &state)
    }

    /// The number the next batch will be cut under.
    pub fn next_batch(&self) -> Result<u64, StoreError> {
        Ok(self.meta.seq_at(NEXT_BATCH_KEY)?.unwrap_or(1))
    }

    /// Puts back what an export said of head office (`dump::restore`).
    pub(super) fn restore(
        &self,
        state: &SyncState,
        catalog_version: u64,
    ) -> Result<(), StoreError> {
        self.meta.put_value(STATE_KEY, state)?;
        self.meta
            .insert(CATALOG_VERSION_KEY, &keys::seq(catalog_version))
    }

    /// The batch waiting for its acknowledgement, if one was cut.
    pub fn pending(&self) -> Result<Option<PendingBatch>, StoreError> {
        self.meta.value(PENDING_KEY, "pending batch")
    }

    /// The batch to send: the pending one if there is one, else a new one cut
    /// from the front of the outbox (at most `max_entries` entries, stopping
    /// once `max_bytes` of records are taken) and sealed by `seal`, which is
    /// given the batch's sequence number. `None` when nothing waits.
    pub fn cut(
        &self,
        max_entries: usize,
        max_bytes: usize,
        seal: impl FnOnce(u64, Unsent) -> Result<Vec<u8>, StoreError>,
    ) -> Result<Option<PendingBatch>, StoreError> {
        if let Some(pending) = self.pending()? {
            return Ok(Some(pending));
        }
        let unsent = self.unsent(max_entries, max_bytes)?;
        let (Some(first), Some(last)) = (unsent.entries.first(), unsent.entries.last()) else {
            return Ok(None);
        };
        let (first, last, last_hash) = (first.entry.seq, last.entry.seq, last.hash);
        let seq = self.next_batch()?;
        let batch = PendingBatch {
            seq,
            first,
            last,
            last_hash,
            bytes: seal(seq, unsent)?,
        };
        // Kept, durably, before it is sent: a batch is never cut twice under
        // one number, even across a power cut.
        let _writing = self.dir.writing();
        self.meta.put_value(PENDING_KEY, &batch)?;
        self.dir.persist()?;
        Ok(Some(batch))
    }

    /// The front of the outbox, with the sale records its entries name, up
    /// to the bounds of one batch.
    fn unsent(&self, max_entries: usize, max_bytes: usize) -> Result<Unsent, StoreError> {
        let mut unsent = Unsent {
            entries: Vec::new(),
            sales: Vec::new(),
        };
        let mut bytes = 0usize;
        for key in self.outbox.keys() {
            let key = key?;
            let raw = self.journal.tree().get(&key)?.ok_or_else(|| {
                StoreError::corrupt("outbox", "an entry waiting for head office is missing")
            })?;
            bytes += raw.len();
            let record: JournalRecord = decode(&raw, "journal entry")?;
            if let JournalEvent::SaleCompleted { receipt, .. }
            | JournalEvent::RefundCompleted { receipt, .. } = &record.entry.event
            {
                let raw = self
                    .sales
                    .tree()
                    .get(keys::seq(receipt.0))?
                    .ok_or_else(|| {
                        StoreError::corrupt("sales", format!("receipt {} is missing", receipt.0))
                    })?;
                bytes += raw.len();
                unsent.sales.push(decode(&raw, "sale")?);
            }
            unsent.entries.push(record);
            if unsent.entries.len() >= max_entries || bytes >= max_bytes {
                break;
            }
        }
        Ok(unsent)
    }

    /// Head office has the pending batch `seq`: its entries leave the outbox
    /// and the next batch gets the next number, together.
    pub fn acknowledge(&self, seq: u64) -> Result<(), StoreError> {
        let _writing = self.dir.writing();
        kv::transact(&[&self.outbox, &self.meta], |tx| {
            let meta = tx.tree(&self.meta)?;
            let pending: PendingBatch = meta
                .value(PENDING_KEY, "pending batch")?
                .ok_or_else(|| StoreError::corrupt("sync", "no batch is waiting"))?;
            if pending.seq != seq {
                return Err(StoreError::corrupt(
                    "sync",
                    format!("acknowledged batch {seq}, but batch {} waits", pending.seq),
                )
                .into());
            }
            let outbox = tx.tree(&self.outbox)?;
            for entry in pending.first..=pending.last {
                outbox.remove(keys::seq(entry))?;
            }
            meta.remove(PENDING_KEY)?;
            meta.insert(NEXT_BATCH_KEY, &keys::seq(seq + 1))?;
            Ok(())
        })?;
        // Durable before the next batch is cut under the next number.
        self.dir.persist()
    }

    /// Sends again from journal entry `next_entry` as batch `next_batch`,
    /// where head office's copy ends, if this journal has `last_hash` just
    /// before that entry: the same chain, so nothing is forked, only missing
    /// there. Returns whether it rewound. Re-run safely after a crash: the
    /// entries are put back first, the batch numbering last.
    pub fn rewind(
        &self,
        next_batch: u64,
        next_entry: u64,
        last_hash: super::journal::Hash,
    ) -> Result<bool, StoreError> {
        let chains = match next_entry.checked_sub(1) {
            None => last_hash == [0; 32],
            Some(prev) => match self.journal.get(&prev)? {
                Some(record) => record.hash == last_hash,
                None => false,
            },
        };
        if !chains || !self.journal.contains(&next_entry)? {
            return Ok(false);
        }
        let _writing = self.dir.writing();
        for key in self.journal.tree().range(keys::seq(next_entry)..) {
            self.outbox.insert(key?.0, &[] as &[u8])?;
        }
        kv::transact(&[&self.outbox, &self.meta], |tx| {
            let meta = tx.tree(&self.meta)?;
            meta.remove(PENDING_KEY)?;
            meta.insert(NEXT_BATCH_KEY, &keys::seq(next_batch))?;
            Ok(())
        })?;
        self.dir.persist()?;
        Ok(true)
    }

    /// The newest catalog version applied here.
    pub fn applied_catalog(&self) -> Result<u64, StoreError> {
        Ok(self.meta.seq_at(CATALOG_VERSION_KEY)?.unwrap_or(0))
    }

    /// The newest catalog version this terminal has, applied or waiting.
    pub fn catalog_version(&self) -> Result<u64, StoreError> {
        let queued = self.catalog_inbox.last_key()?.unwrap_or(0);
        Ok(queued.max(self.applied_catalog()?))
    }

    /// Keeps a verified change set for the engine to apply.
    pub fn queue_catalog(&self, version: u64, products: &[Product]) -> Result<(), StoreError> {
        let _writing = self.dir.writing();
        // As the slice, which encodes as the Vec the inbox reads back.
        self.catalog_inbox
            .tree()
            .put_value(keys::seq(version), &products)?;
        self.catalog_queued.count();
        self.dir.persist()
    }
}
