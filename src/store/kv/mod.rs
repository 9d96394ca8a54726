//! sled, and every workaround Till needs around it, in one place: the rest
//! of the store (and head office's store) sees only [`Db`], [`Tree`],
//! [`Tx`] and [`TxTree`], and never names `sled::`.
//!
//! What lives here, each with its reason at its place:
//! - the settings sled is opened with (cache and background flush, sized
//!   for a Raspberry Pi with 1 GB of RAM);
//! - making a write durable in one disk trip: every write goes through the
//!   [`commit_log`] (one frame, one pwrite), and [`Db::persist`] is one
//!   fdatasync of it; sled's own flush (several waiting `sync_file_range`
//!   calls, then an fsync of its file) only runs at a checkpoint;
//! - applying writes to sled off the lane's path, while reads see them
//!   at once (`pending`, `merged`);
//! - removing a snapshot a crash left unfinished, which sled would open;
//! - waiting out the file lock a just-dropped `sled::Db` still holds;
//! - the disk-full latch: sled keeps an I/O error and refuses every write
//!   after it ([`Failure::stops_the_store`]);
//! - the witness ([`witness`]): damage to the end of sled's log reads as
//!   its end, so a note beside sled says how far the journal was durable.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::ops::{Bound, RangeBounds};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::envelope::{decode, encode};
use super::error::StoreError;
use super::keys;
use super::lock::StoreLock;
use super::private;

pub mod commit_log;
mod merged;
mod pending;
pub mod witness;

use commit_log::{CommitLog, Frame, MARKER_KEY, MARKER_TREE, Op, REDO_KEY, Writer};
use merged::Merged;
use pending::{Lookup, Pending};

/// sled's page cache. Its default (1 GiB) is all the RAM of a Raspberry Pi
/// with 1 GB, and sled fills it as the store is read: a 1M-product catalog
/// would push the daemon out of memory. The till is held to 40 MiB of RSS
/// (see DESIGN's Performance); 32 MiB of cache holds the hot part of the
/// catalog (what is scanned today), and a miss is a read from the kernel's
/// page cache, not from the SD card.
const CACHE_BYTES: u64 = 32 << 20;

/// sled's background flusher is off: everything sled holds is also in the
/// commit log, so sled's file needs writing out only at a checkpoint, and
/// an idle till never wakes to write (0% CPU, no SD card wear). sled still
/// writes a full I/O buffer out by itself.
const FLUSH_EVERY_MS: Option<u64> = None;

/// The tree sled makes in every database; Till keeps nothing in it.
pub const DEFAULT_TREE: &str = "__sled__default";

/// Files sled keeps in a store directory; their presence tells a store from
/// a stray folder.
const SLED_FILES: [&str; 2] = ["conf", "db"];

/// Bytes as sled holds them (cheap to clone).
pub type Bytes = sled::IVec;

/// Whether `path` holds sled's files.
pub fn looks_like_db(path: &Path) -> bool {
    SLED_FILES.iter().all(|f| path.join(f).exists())
}

/// An error of sled's own (not one of the store's): kept whole for its message.
#[derive(Debug)]
pub struct Failure(sled::Error);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Failure {
    /// The disk failed under sled. sled keeps such an error and refuses
    /// every write after it (the latch), so only reopening the store
    /// (restarting the till) goes on.
    pub fn stops_the_store(&self) -> bool {
        matches!(self.0, sled::Error::Io(_))
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            // ENOSPC, also as sled hands it on after the first time.
            sled::Error::Io(io) if super::error::is_disk_full(&io) => StoreError::DiskFull,
            sled::Error::Corruption { .. } => StoreError::corrupt("sled log", e),
            e => StoreError::Sled(Failure(e)),
        }
    }
}

/// A sled database in a directory whose lock we hold, that can be made
/// durable: the till's store, and head office's.
pub struct Db {
    path: PathBuf,
    db: sled::Db,
    log: Arc<Log>,
    /// Writers beside the engine (the sync and printer workers) hold it
    /// shared while they write; a backup holds it alone, with the engine's
    /// lock, so it copies one moment of the store.
    quiet: RwLock<()>,
    // Declared last so it is released after this handle's sled has closed.
    _lock: StoreLock,
}

impl Db {
    /// Makes `path` private (see `private`: first, so that a store of
    /// another user's says what to run, not which file it could not open),
    /// locks it (naming any holder) and opens sled in it.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        private::restrict_umask();
        private::secure(path)?;
        let lock = StoreLock::acquire(path)?;
        let db = open_sled(path)?;
        let db_path = path.join("db");
        let db_file = File::open(&db_path).map_err(|e| StoreError::io(&db_path, e))?;
        let marker = db.open_tree(MARKER_TREE)?;
        let (commits, frames) = CommitLog::open(path)?;
        let pending = Pending::start(marker.clone(), db_path.clone())?;
        let log = Arc::new(Log {
            commits,
            db_file,
            db_path,
            marker,
            pending,
            writes: Mutex::default(),
        });
        let last = log.replay(&db, frames)?;
        let mut writer = log.commits.lock()?;
        log.checkpoint(&mut writer, &db)?;
        drop(writer);
        log.commits.start_after(last);
        Ok(Db {
            path: path.to_path_buf(),
            db,
            log,
            quiet: RwLock::new(()),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tree(&self, name: &str) -> Result<Tree, StoreError> {
        let tree = self.db.open_tree(name)?;
        let writes = self.log.writes_of(&tree.name());
        Ok(Tree {
            name: tree.name(),
            tree,
            log: self.log.clone(),
            writes,
        })
    }

    /// Every tree's name, sled's own default tree included; the commit
    /// log's marker is the store's bookkeeping, not its data, and is left out.
    pub fn tree_names(&self) -> Vec<String> {
        self.db
            .tree_names()
            .into_iter()
            .map(|n| String::from_utf8_lossy(&n).into_owned())
            .filter(|n| n != MARKER_TREE)
            .collect()
    }

    /// Held by a worker while it writes (see `quiet`).
    pub fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.quiet.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Held by a backup: no worker writes until it is dropped.
    pub fn quiet(&self) -> RwLockWriteGuard<'_, ()> {
        self.quiet.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes everything written so far durable: one fdatasync of the commit
    /// log, shared by every lane waiting at the same moment. (Every write
    /// is in the kernel's hands as soon as it returns, so a killed till
    /// keeps it without this; a power cut keeps only what this covered.)
    pub fn persist(&self) -> Result<(), StoreError> {
        self.log.commits.sync()?;
        self.log.pending.release(self.log.commits.synced());
        Ok(())
    }
}

impl Drop for Db {
    /// A clean close leaves sled holding everything, so the next open has
    /// nothing to replay.
    fn drop(&mut self) {
        if let Ok(mut writer) = self.log.commits.lock()
            && let Err(e) = self.log.checkpoint(&mut writer, &self.db)
        {
            tracing::warn!(error = %e, "cannot write the store out at close; the next open replays its commit log");
        }
    }
}

/// The commit log with what a checkpoint needs of sled, shared by every
/// [`Tree`] of one [`Db`] (a write goes through it whatever tree it is on).
struct Log {
    commits: CommitLog,
    /// sled's data file, kept open to fsync it at a checkpoint:
    /// `sled::Db::flush` alone does not reach the disk on Linux (it uses
    /// sync_file_range, which skips the drive's cache and the file's metadata).
    db_file: File,
    db_path: PathBuf,
    /// Where sled keeps the last lsn it applied (see `commit_log`), and
    /// where an earlier till kept a redo record (see `replay`).
    marker: sled::Tree,
    /// The writes in the commit log sled does not hold yet.
    pending: Pending,
    /// Per tree, its count of writes (see [`Tree::writes`]), shared by
    /// every handle on that tree.
    writes: Mutex<HashMap<Bytes, Arc<AtomicU64>>>,
}

impl Log {
    fn writes_of(&self, tree: &Bytes) -> Arc<AtomicU64> {
        let mut counts = self.writes.lock().unwrap_or_else(|p| p.into_inner());
        counts.entry(tree.clone()).or_default().clone()
    }

    /// Makes sled's file hold every write so far, durably: after it, the
    /// commit log's frames so far are no longer needed. `writer` holds the
    /// log, so no write comes in meanwhile. `db` is any of the database's
    /// trees (a tree's flush is its whole database's).
    ///
    /// The log is made durable first: sled is given only durable frames.
    /// The store's directory is fsynced too: sled makes and renames its
    /// snapshot files without, and a power cut that keeps the log but loses
    /// the snapshot's name leaves a sled that opens without the store's
    /// records (the power-cut test met it).
    fn checkpoint(&self, writer: &mut Writer, db: &sled::Tree) -> Result<(), StoreError> {
        self.commits.sync_held(writer)?;
        self.pending.release(writer.last());
        self.pending.drain()?;
        db.flush()?;
        self.db_file
            .sync_all()
            .map_err(|e| StoreError::io(&self.db_path, e))?;
        sync_dir(self.db_path.parent().unwrap_or(Path::new(".")))
    }

    /// Before a write is appended: when `pending` is full, makes the log
    /// durable, so the applier can take what waits and the write's push
    /// finds room (a restore or an import writes without a persist
    /// between). Before, not after: a write whose fdatasync failed here is
    /// not in the log at all.
    fn make_room(&self, writer: &mut Writer) -> Result<(), StoreError> {
        if self.pending.is_full() {
            self.commits.sync_held(writer)?;
            self.pending.release(self.commits.synced());
        }
        Ok(())
    }

    /// Brings sled to the last write the disk holds: the frames sled does
    /// not hold yet (those after its marker) are applied in order, then a
    /// write sled holds only part of, whose frame did not reach the disk
    /// (only an earlier till gave sled writes not yet durable, with
    /// such a redo record). Returns the last lsn there is.
    fn replay(&self, db: &sled::Db, frames: Vec<Frame>) -> Result<u64, StoreError> {
        let applied = self
            .marker
            .get(MARKER_KEY)?
            .and_then(|raw| keys::parse_seq(&raw))
            .unwrap_or(0);
        let mut last = applied;
        let mut replayed = 0;
        let mut frames = frames.into_iter().filter(|f| f.lsn > applied).peekable();
        // The log must take up where sled's file ends: writes between the
        // two are gone, and the later ones alone would make a store that
        // never was.
        if let Some(first) = frames.peek()
            && first.lsn != applied + 1
        {
            return Err(StoreError::corrupt(
                "commit log",
                format!(
                    "sled's file ends at write {applied} and the commit log starts at write {}",
                    first.lsn
                ),
            ));
        }
        let frames: Vec<Frame> = frames.collect();
        let trees = frames
            .iter()
            .map(|f| trees_of(db, &f.ops))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(newest) = frames.last() {
            let writes = frames.iter().zip(&trees);
            pending::apply(
                &self.marker,
                writes.map(|(f, t)| (&f.ops[..], &t[..])),
                newest.lsn,
            )?;
            last = newest.lsn;
            replayed = frames.len();
        }
        // A write sled began but whose frame did not reach the disk (an
        // earlier till gave sled writes not yet durable, each of several
        // records after its frame as a redo record): finished from that
        // record, which is then dropped.
        if let Some(redo) = self.marker.get(REDO_KEY)? {
            let redo = Frame::from_bytes(&redo).ok_or_else(|| {
                StoreError::corrupt("commit log", "sled's redo record is damaged")
            })?;
            if redo.lsn > last + 1 {
                return Err(StoreError::corrupt(
                    "commit log",
                    format!(
                        "sled's redo record is write {} and the store ends at {last}",
                        redo.lsn
                    ),
                ));
            }
            if redo.lsn == last + 1 {
                let trees = trees_of(db, &redo.ops)?;
                pending::apply(&self.marker, [(&redo.ops[..], &trees[..])], redo.lsn)?;
                last = redo.lsn;
                replayed += 1;
            }
            self.marker.remove(REDO_KEY)?;
        }
        if replayed > 0 {
            tracing::info!(
                replayed,
                "replayed the commit log's writes sled had not written out"
            );
        }
        Ok(last)
    }
}

/// The trees `ops` write to, opened in `db`.
fn trees_of(db: &sled::Db, ops: &[Op]) -> Result<Vec<sled::Tree>, StoreError> {
    let mut trees: Vec<sled::Tree> = Vec::new();
    for op in ops {
        if !trees.iter().any(|t| t.name() == op.tree) {
            trees.push(db.open_tree(&op.tree)?);
        }
    }
    Ok(trees)
}

/// Makes the names in `dir` durable (new files, renames, removals): an
/// fsync of a file does not, on every filesystem.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// Opens sled, waiting briefly for its own lock. Holding our lock file proves
/// no other till has the store, but a `sled::Db` dropped a moment ago in this
/// process releases its file lock only when its background flusher thread
/// ends, so a quick reopen (init, then sell) can meet that lingering lock.
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    discard_unfinished_snapshots(path)?;
    let config = sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(FLUSH_EVERY_MS);
    let give_up = Instant::now() + Duration::from_secs(2);
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(io)) if is_lock_busy(&io) => {
                if Instant::now() >= give_up {
                    let holder = "a process that ignores till.lock".to_string();
                    return Err(StoreError::Locked {
                        path: path.to_path_buf(),
                        holder,
                    });
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// sled 0.34 writes a snapshot to `snap.<lsn>.generating`, fsyncs it and only
/// then renames it to `snap.<lsn>`; but at open it takes the newest `snap.*`
/// file *including* an unfinished `.generating` one, and a till killed while
/// writing it could never open its store again ("Read corrupted data at file
/// offset None"; sled issues #1527, #1533). An unfinished snapshot is never the
/// committed one (the rename is the commit), so removing it before sled opens
/// loses nothing: sled recovers from the last finished snapshot and the log.
/// Called with our lock held, so no other till is writing one.
fn discard_unfinished_snapshots(path: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(path).map_err(|e| StoreError::io(path, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::warn!(file = %name, "removing a snapshot left unfinished by a crash");
            std::fs::remove_file(entry.path()).map_err(|e| StoreError::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// sled reports its file lock being held as an `Other` error wrapping WouldBlock.
fn is_lock_busy(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("could not acquire lock")
}

/// One tree of records, as bytes (see `table` for typed ones). Every write
/// goes through the commit log (see [`transact`]) and waits in `pending`
/// until sled holds it; reads look there first.
#[derive(Clone)]
pub struct Tree {
    tree: sled::Tree,
    name: Bytes,
    log: Arc<Log>,
    writes: Arc<AtomicU64>,
}

type Entry = Result<(Bytes, Bytes), StoreError>;

fn as_bytes<K: AsRef<[u8]>>(bound: Bound<&K>) -> Bound<&[u8]> {
    bound.map(|k| k.as_ref())
}

impl Tree {
    pub fn name(&self) -> Bytes {
        self.name.clone()
    }

    /// How many writes (or transactions over it) this tree has had since
    /// the store opened. Counted once a write can be read and before it
    /// returns, so a copy of what the tree holds, read after this gave `n`,
    /// holds every write that returned as long as this still gives `n`
    /// (see `store::scan_cache`).
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Counts a write readers can see now (see [`Tree::writes`]).
    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Release);
    }

    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Bytes>, StoreError> {
        let key = key.as_ref();
        match self.log.pending.get(&self.name, key) {
            Lookup::Found(value) => Ok(value),
            // Read after: a write leaves `pending` only once sled holds it.
            Lookup::AskSled(pushes) => {
                let value = self.tree.get(key)?;
                self.log
                    .pending
                    .remember(&self.name, key, value.clone(), pushes);
                Ok(value)
            }
        }
    }

    pub fn insert(&self, key: impl AsRef<[u8]>, value: impl Into<Bytes>) -> Result<(), StoreError> {
        self.write_one(key.as_ref(), Some(value.into()), false)
            .map(drop)
    }

    /// Inserts only where the key is free; whether it was.
    pub fn insert_new(
        &self,
        key: impl AsRef<[u8]>,
        value: impl Into<Bytes>,
    ) -> Result<bool, StoreError> {
        self.write_one(key.as_ref(), Some(value.into()), true)
    }

    pub fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), StoreError> {
        self.write_one(key.as_ref(), None, false).map(drop)
    }

    /// One write on its own (a cart after a scan, a printer's mark): a
    /// frame, then `pending`. `only_if_free` makes it an insert where the
    /// key is free; whether it wrote.
    fn write_one(
        &self,
        key: &[u8],
        value: Option<Bytes>,
        only_if_free: bool,
    ) -> Result<bool, StoreError> {
        let log = &self.log;
        let mut writer = log.commits.lock()?;
        log.pending.healthy()?;
        // Under the writer's lock, nothing can take the key meanwhile.
        if only_if_free && self.get(key)?.is_some() {
            return Ok(false);
        }
        let lsn = writer.next_lsn();
        let ops = vec![Op {
            tree: self.name(),
            key: Bytes::from(key),
            value,
        }];
        log.make_room(&mut writer)?;
        log.commits
            .append(&mut writer, lsn, &ops, |w| log.checkpoint(w, &self.tree))?;
        log.pending.push(lsn, ops, vec![self.tree.clone()]);
        self.wrote();
        Ok(true)
    }

    pub fn first(&self) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        self.iter().next().transpose()
    }

    pub fn last(&self) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        self.iter().next_back().transpose()
    }

    fn merged(&self, iter: sled::Iter, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Merged {
        Merged::new(iter, self.log.pending.overlay(&self.name, lo, hi))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Entry> + use<> {
        self.merged(self.tree.iter(), Bound::Unbounded, Bound::Unbounded)
    }

    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        range: R,
    ) -> impl DoubleEndedIterator<Item = Entry> + use<K, R> {
        let (lo, hi) = (range.start_bound(), range.end_bound());
        let overlay = self
            .log
            .pending
            .overlay(&self.name, as_bytes(lo), as_bytes(hi));
        Merged::new(self.tree.range(range), overlay)
    }

    pub fn scan_prefix<P: AsRef<[u8]>>(
        &self,
        prefix: P,
    ) -> impl DoubleEndedIterator<Item = Entry> + use<P> {
        let p = prefix.as_ref();
        let mut overlay =
            self.log
                .pending
                .overlay(&self.name, Bound::Included(p), Bound::Unbounded);
        overlay.retain(|(k, _)| k.starts_with(p));
        Merged::new(self.tree.scan_prefix(prefix), overlay)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = Result<Bytes, StoreError>> + use<> {
        self.iter().map(|e| e.map(|(k, _)| k))
    }

    /// Walks the whole tree: keep it off hot paths.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// A record kept in the versioned envelope; `what` names it in errors.
    pub fn value<V: DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
        what: &str,
    ) -> Result<Option<V>, StoreError> {
        self.get(key)?.map(|raw| decode(&raw, what)).transpose()
    }

    pub fn put_value<V: Serialize>(
        &self,
        key: impl AsRef<[u8]>,
        value: &V,
    ) -> Result<(), StoreError> {
        self.insert(key, encode(value)?)
    }

    /// A number kept as a sequence key (a counter, a mark); unreadable reads
    /// as none, as it always has outside a transaction.
    pub fn seq_at(&self, key: impl AsRef<[u8]>) -> Result<Option<u64>, StoreError> {
        Ok(self.get(key)?.and_then(|raw| keys::parse_seq(&raw)))
    }

    /// Whether the key of the first record and of the last parse as sequence
    /// numbers: (first, last).
    pub fn seq_bounds(&self) -> (Option<u64>, Option<u64>) {
        let seq = |entry: Result<Option<(Bytes, Bytes)>, StoreError>| {
            entry.ok().flatten().and_then(|(k, _)| keys::parse_seq(&k))
        };
        (seq(self.first()), seq(self.last()))
    }
}

/// Why a transaction stops: the store's own error. Every tree operation
/// and every `StoreError` turns into one with `?`.
pub struct TxAbort(StoreError);

impl From<StoreError> for TxAbort {
    fn from(e: StoreError) -> TxAbort {
        TxAbort(e)
    }
}

/// The trees of one transaction, and the writes it has made so far (the
/// commit log's frame once it commits).
pub struct Tx<'a> {
    trees: &'a [&'a Tree],
    writes: &'a RefCell<Writes>,
}

/// A transaction's writes so far: in order (the frame), and the newest of
/// each key (a read inside the transaction; a bulk load reads each product
/// it replaces, so a scan of the list would grow with the square of it).
struct Writes {
    ops: Vec<Op>,
    newest: foldhash::HashMap<(Bytes, Bytes), usize>,
}

impl Writes {
    /// Room for a completed sale's writes (about fifteen), so that the
    /// common transaction never grows its maps while it runs.
    fn new() -> Writes {
        const USUAL: usize = 32;
        Writes {
            ops: Vec::with_capacity(USUAL),
            newest: foldhash::HashMap::with_capacity_and_hasher(USUAL, Default::default()),
        }
    }
}

impl<'a> Tx<'a> {
    /// `tree`'s view in this transaction; it must be one of those it was opened over.
    pub fn tree(&self, tree: &Tree) -> Result<TxTree<'a>, TxAbort> {
        let name = tree.name();
        match self.trees.iter().find(|t| t.name == name) {
            Some(tree) => Ok(TxTree {
                tree,
                writes: self.writes,
            }),
            None => Err(StoreError::corrupt(
                "transaction",
                format!(
                    "tree {} was not opened in it",
                    String::from_utf8_lossy(&name)
                ),
            )
            .into()),
        }
    }
}

/// Runs `f` as one transaction over `trees` (named twice is once): all its
/// writes land together or none do.
///
/// Every write of the store comes here or to [`Tree::insert`], one at a
/// time (the commit log's writer is held throughout): `f` reads the store
/// with its own writes over it, then its writes are appended to the commit
/// log as one frame and handed to `pending`, which applies them to sled
/// once they are durable. Durable only once [`Db::persist`] returns.
pub fn transact<T>(
    trees: &[&Tree],
    f: impl FnOnce(&Tx<'_>) -> Result<T, TxAbort>,
) -> Result<T, StoreError> {
    let Some(first) = trees.first() else {
        return Err(StoreError::corrupt("transaction", "over no tree"));
    };
    let log = &first.log;
    let mut unique: Vec<&Tree> = Vec::with_capacity(trees.len());
    for tree in trees {
        if !Arc::ptr_eq(&tree.log, log) {
            return Err(StoreError::corrupt("transaction", "over two stores"));
        }
        if !unique.iter().any(|t| t.name == tree.name) {
            unique.push(tree);
        }
    }
    let mut writer = log.commits.lock()?;
    log.pending.healthy()?;
    let lsn = writer.next_lsn();
    let writes = RefCell::new(Writes::new());
    let out = f(&Tx {
        trees: &unique,
        writes: &writes,
    })
    .map_err(|e| e.0)?;
    let ops = writes.into_inner().ops;
    if ops.is_empty() {
        return Ok(out);
    }
    log.make_room(&mut writer)?;
    log.commits
        .append(&mut writer, lsn, &ops, |w| log.checkpoint(w, &first.tree))?;
    let trees = unique.iter().map(|t| t.tree.clone()).collect();
    log.pending.push(lsn, ops, trees);
    // Every tree it was opened over, written or only read: a count too
    // many only costs a cache a miss.
    unique.iter().for_each(|t| t.wrote());
    Ok(out)
}

/// One tree inside a transaction, as bytes: it reads the transaction's own
/// writes, and its writes are noted for the commit log.
#[derive(Clone, Copy)]
pub struct TxTree<'a> {
    tree: &'a Tree,
    writes: &'a RefCell<Writes>,
}

impl TxTree<'_> {
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Bytes>, TxAbort> {
        let key = Bytes::from(key.as_ref());
        let written = {
            let writes = self.writes.borrow();
            let at = writes.newest.get(&(self.tree.name(), key.clone()));
            at.map(|at| writes.ops[*at].value.clone())
        };
        match written {
            Some(value) => Ok(value),
            None => Ok(self.tree.get(key)?),
        }
    }

    pub fn insert(&self, key: impl AsRef<[u8]>, value: impl Into<Bytes>) -> Result<(), TxAbort> {
        self.note(Bytes::from(key.as_ref()), Some(value.into()));
        Ok(())
    }

    pub fn remove(&self, key: impl AsRef<[u8]>) -> Result<Option<Bytes>, TxAbort> {
        let old = self.get(&key)?;
        self.note(Bytes::from(key.as_ref()), None);
        Ok(old)
    }

    fn note(&self, key: Bytes, value: Option<Bytes>) {
        let mut writes = self.writes.borrow_mut();
        let at = writes.ops.len();
        writes.newest.insert((self.tree.name(), key.clone()), at);
        writes.ops.push(Op {
            tree: self.tree.name(),
            key,
            value,
        });
    }

    pub fn value<V: DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
        what: &str,
    ) -> Result<Option<V>, TxAbort> {
        match self.get(key)? {
            Some(raw) => Ok(Some(decode(&raw, what)?)),
            None => Ok(None),
        }
    }

    pub fn put_value<V: Serialize>(&self, key: impl AsRef<[u8]>, value: &V) -> Result<(), TxAbort> {
        self.insert(key, encode(value)?)
    }

    /// Reads a counter kept as a sequence key; a damaged counter is an
    /// error, never a silent restart at 1 that would overwrite records.
    pub fn counter(&self, key: impl AsRef<[u8]>, what: &str) -> Result<u64, TxAbort> {
        match self.get(key)? {
            Some(raw) => {
                keys::parse_seq(&raw).ok_or_else(|| StoreError::corrupt(what, "wrong size").into())
            }
            None => Ok(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(key: &str, value: &str) -> Op {
        Op {
            tree: Bytes::from("t"),
            key: Bytes::from(key),
            value: Some(Bytes::from(value)),
        }
    }

    /// Makes every write so far durable and waits until sled holds it.
    fn settle(db: &Db) {
        db.persist().expect("a test store");
        db.log.pending.drain().expect("a test store");
    }

    fn pair(db: &Db) -> (Option<Bytes>, Option<Bytes>) {
        let t = db.tree("t").expect("a test store");
        (
            t.get("a").expect("a test store"),
            t.get("b").expect("a test store"),
        )
    }

    /// What a power cut can leave in the middle of write 2: the commit log
    /// holds its frame or not, and (only ever in a store an earlier till
    /// wrote: it gave sled writes not yet durable) sled holds its redo
    /// record and its first record, or nothing of it.
    fn cut_in_the_middle_of_write_2(
        sled_began: bool,
        framed: bool,
    ) -> (Option<Bytes>, Option<Bytes>) {
        let dir = tempfile::tempdir().expect("a test store");
        let db = Db::open(dir.path()).expect("a test store");
        let t = db.tree("t").expect("a test store");
        transact(&[&t], |tx| {
            let t = tx.tree(&t)?;
            t.insert("a", "1")?;
            t.insert("b", "1")
        })
        .expect("a test store");
        settle(&db);
        let write_2 = Frame {
            lsn: 2,
            ops: vec![op("a", "2"), op("b", "2")],
        };
        if sled_began {
            db.log
                .marker
                .insert(REDO_KEY, write_2.to_bytes())
                .expect("a test store");
            t.tree.insert("a", "2").expect("a test store");
        }
        if framed {
            let mut writer = db.log.commits.lock().expect("a test store");
            db.log
                .commits
                .append(&mut writer, 2, &write_2.ops, |_| Ok(()))
                .expect("a test store");
        }
        drop((t, db));
        pair(&Db::open(dir.path()).expect("a test store"))
    }

    #[test]
    fn a_write_cut_short_is_finished_from_its_frame_or_sleds_redo_record() {
        let one = Some(Bytes::from("1"));
        let two = Some(Bytes::from("2"));
        assert_eq!(
            cut_in_the_middle_of_write_2(false, false),
            (one.clone(), one)
        );
        assert_eq!(
            cut_in_the_middle_of_write_2(true, false),
            (two.clone(), two.clone())
        );
        assert_eq!(
            cut_in_the_middle_of_write_2(true, true),
            (two.clone(), two.clone())
        );
        assert_eq!(
            cut_in_the_middle_of_write_2(false, true),
            (two.clone(), two)
        );
    }

    /// sled is given a write only once the commit log holds it durably, so
    /// a power cut never leaves sled with part of a write the log lost.
    #[test]
    fn sled_holds_only_what_the_log_made_durable() {
        let dir = tempfile::tempdir().expect("a test store");
        let db = Db::open(dir.path()).expect("a test store");
        let t = db.tree("t").expect("a test store");
        // More frames than wake the applier, none of them durable.
        for n in 0..WRITES {
            t.insert("a", n.to_string().as_bytes())
                .expect("a test store");
            t.insert(format!("k{n}"), "v").expect("a test store");
        }
        db.log.pending.drain().expect("a test store");
        let last = Some(Bytes::from((WRITES - 1).to_string().as_str()));
        assert_eq!(
            t.get("a").expect("a test store"),
            last,
            "read from the overlay"
        );
        assert_eq!(t.tree.get("a").expect("a test store"), None, "not in sled");
        settle(&db);
        assert_eq!(
            t.tree.get("a").expect("a test store"),
            last,
            "in sled once durable"
        );
        assert_eq!(t.tree.len(), 1 + WRITES);
    }

    /// Enough writes for several of the applier's batches.
    const WRITES: usize = 200;

    #[test]
    fn a_transaction_reads_its_own_writes_and_an_abort_writes_nothing() {
        let dir = tempfile::tempdir().expect("a test store");
        let db = Db::open(dir.path()).expect("a test store");
        let t = db.tree("t").expect("a test store");
        let seen = transact(&[&t], |tx| {
            let t = tx.tree(&t)?;
            t.insert("a", "1")?;
            let seen = t.get("a")?;
            t.remove("a")?;
            t.insert("b", "1")?;
            Ok((seen, t.get("a")?))
        })
        .expect("a test store");
        assert_eq!(seen, (Some(Bytes::from("1")), None));
        let aborted: Result<(), StoreError> = transact(&[&t], |tx| {
            tx.tree(&t)?.insert("a", "2")?;
            Err(StoreError::corrupt("test", "abort").into())
        });
        assert!(aborted.is_err());
        assert_eq!(pair(&db), (None, Some(Bytes::from("1"))));
    }

    /// A value sled gave while a write to its key went by (applied, and out
    /// of the overlay, before the reader kept what it read) is not kept:
    /// later reads give the write, not the value read before it.
    #[test]
    fn a_read_that_a_write_overtook_is_not_kept() {
        let dir = tempfile::tempdir().expect("a test store");
        {
            let db = Db::open(dir.path()).expect("a test store");
            db.tree("t")
                .and_then(|t| t.insert("a", "1"))
                .expect("a test store");
        }
        // Reopened: sled holds "1", and nothing is kept yet.
        let db = Db::open(dir.path()).expect("a test store");
        let t = db.tree("t").expect("a test store");
        // The reader misses, reads sled ("1") …
        let Lookup::AskSled(pushes) = db.log.pending.get(&t.name, b"a") else {
            panic!("nothing was read since the store opened, so sled must be asked");
        };
        let read = t.tree.get("a").expect("a test store");
        // … while a writer's "2" reaches sled and leaves the overlay …
        t.insert("a", "2").expect("a test store");
        settle(&db);
        // … and only then does the reader keep its "1".
        db.log.pending.remember(&t.name, b"a", read, pushes);
        assert_eq!(t.get("a").expect("a test store"), Some(Bytes::from("2")));
    }

    /// Reads are served from what sled was given and from what it gave
    /// back, as sled would give them: removals included.
    #[test]
    fn kept_values_are_sleds() {
        let dir = tempfile::tempdir().expect("a test store");
        let db = Db::open(dir.path()).expect("a test store");
        let t = db.tree("t").expect("a test store");
        t.insert("a", "1").expect("a test store");
        t.insert("b", "1").expect("a test store");
        settle(&db);
        let kept = |key: &[u8]| match db.log.pending.get(&t.name, key) {
            Lookup::Found(value) => Some(value),
            Lookup::AskSled(_) => None,
        };
        assert_eq!(kept(b"a"), Some(Some(Bytes::from("1"))), "kept as applied");
        t.remove("a").expect("a test store");
        settle(&db);
        assert_eq!(kept(b"a"), Some(None), "a removal is kept too");
        assert_eq!(kept(b"c"), None, "never read: sled is asked");
        assert_eq!(t.get("c").expect("a test store"), None);
        assert_eq!(kept(b"c"), Some(None), "what sled gave is kept");
        assert_eq!(pair(&db), (None, Some(Bytes::from("1"))));
    }
}
