//! The writes the commit log holds that sled has not applied yet, and the
//! thread that applies them.
//!
//! Applying a write to sled costs a completed sale more CPU than its
//! fdatasync: per record sled walks its page table, links a delta and
//! serializes it into its I/O buffer, and a sale is a dozen records. A lane
//! need not wait for that: once its frame is in the commit log (a killed
//! till keeps it; [`super::Db::persist`] makes it durable), the write is
//! kept here, readers find it here before they ask sled, and one thread
//! applies the frames to sled, a batch of them at a time (see
//! [`WAKE_AT`]), while the lanes go on. A checkpoint waits for it to catch
//! up ([`Pending::drain`]).
//!
//! Only frames already durable in the commit log are applied
//! ([`Pending::release`]), so sled never holds any part of a write the disk
//! might lose: whatever part of a batch sled kept through a power cut, the
//! replay finishes from the commit log. That is what lets a batch go to sled
//! as each key's last write alone (a lane's cart, rewritten at every scan
//! and removed at the tender, reaches sled once a batch or not at all; the
//! counters and the marker once a batch, not once a write). sled wrote
//! 14.7 KB for every sale when each frame went in whole after a redo
//! record of its own, and 9.5 KB so (strace of the completion bench's
//! `sync_file_range`s; 5.3 KB with vendor/sled's consolidation patch):
//! every byte of it is disk time a lane's fdatasync may queue behind, and
//! SD card wear.
//!
//! A write's records leave this overlay together, once sled holds all of
//! them, so a reader sees a sale whole or not at all, as a sled transaction
//! showed it.
//!
//! What leaves the overlay is kept beside it ([`Kept`]), with what point
//! reads found in sled: a completed sale reads about ten records that the
//! sale before it wrote (counters, the journal's head, stock levels), and a
//! sled read pins its epoch and walks its page table, a sixth of a
//! completion's CPU (perf).

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use foldhash::HashMap;

use super::Bytes;
use super::commit_log::{MARKER_KEY, Op};
use crate::store::error::StoreError;
use crate::store::keys;

/// Frames waiting beyond this make a writer make the log durable and wait
/// for the applier (see [`Pending::is_full`]): memory
/// stays bounded when a restore or an import writes faster than sled takes
/// (at most twice this: a batch being applied, and as many waiting).
const MAX_QUEUED: usize = 4096;

/// The applier is woken once this many durable frames wait, or when a drain asks:
/// a wake-up is a futex call that costs the writer 5-10 µs (perf: a third
/// of a completion's CPU, and a fifth of a scan's), and nothing needs sled
/// to hold a write soon: readers find it here and the commit log keeps it.
/// A sale is about six frames, so sled catches up every ten sales or so.
const WAKE_AT: usize = 64;

/// What [`Kept`] may hold (keys and values, plus a little for each entry)
/// before it starts again empty: the records a few hundred sales touch.
const KEPT_BYTES: usize = 1 << 20;
const KEPT_ENTRY: usize = 64;

pub struct Pending {
    shared: Arc<Shared>,
    applier: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    marker: sled::Tree,
    /// sled's file, to name in an error.
    db_path: PathBuf,
}

#[derive(Default)]
struct State {
    /// Per tree, per key: the newest value sled does not hold yet (`None`
    /// removes) and the lsn of the write that made it.
    latest: HashMap<Bytes, BTreeMap<Bytes, (u64, Option<Bytes>)>>,
    queue: VecDeque<Queued>,
    /// The last lsn the commit log holds durably: frames up to it may be applied.
    released: u64,
    /// A batch taken off the queue and not yet in sled.
    applying: bool,
    /// Why sled stopped taking writes, if it did.
    failed: Option<(std::io::ErrorKind, String)>,
    stop: bool,
    /// The applier waits for work, and a release (once [`WAKE_AT`] frames
    /// may be applied) or a drain must wake it.
    idle: bool,
    /// Writers and drains waiting for the applier to get on. A wake-up is a
    /// futex call, a few microseconds every write: made only when heard.
    watchers: usize,
    /// Counts pushes, so that a value read from sled is kept only if no
    /// write was handed over while it was read (see [`Pending::remember`]).
    pushes: u64,
    kept: Kept,
}

/// Values sled holds, per tree and key, as they left the overlay or as a
/// point read found them: a read served from here is the one sled would
/// give, because every write passes through the overlay first (which is
/// asked before this) and replaces its key here when it leaves it.
#[derive(Default)]
struct Kept {
    trees: HashMap<Bytes, HashMap<Bytes, Option<Bytes>>>,
    bytes: usize,
}

impl Kept {
    fn get(&self, tree: &Bytes, key: &[u8]) -> Option<Option<Bytes>> {
        self.trees.get(tree)?.get(key).cloned()
    }

    /// Keeps `value` for the key, starting again empty when full (a bulk
    /// load goes through here too, and no entry is worth more than another).
    fn keep(&mut self, tree: &Bytes, key: Bytes, value: Option<Bytes>) {
        let size = key.len() + value.as_ref().map_or(0, |v| v.len()) + KEPT_ENTRY;
        // Cleared first, whatever the size: a value too large to keep must
        // not leave the key's older value here to be read instead.
        if self.bytes + size > KEPT_BYTES {
            self.trees.clear();
            self.bytes = 0;
        }
        if size > KEPT_BYTES {
            return;
        }
        self.bytes += size;
        let keys = match self.trees.get_mut(tree) {
            Some(keys) => keys,
            None => self.trees.entry(tree.clone()).or_default(),
        };
        // A key kept twice counts twice until the next start: a bound, not a tally.
        keys.insert(key, value);
    }
}

/// What [`Pending::get`] found: the value sled does not hold yet or holds
/// as kept, or that sled must be asked (and the push count it was asked at).
pub enum Lookup {
    Found(Option<Bytes>),
    AskSled(u64),
}

struct Queued {
    lsn: u64,
    ops: Vec<Op>,
    trees: Vec<sled::Tree>,
}

impl State {
    /// How many frames at the queue's front may be applied now.
    fn ready(&self) -> usize {
        self.queue.partition_point(|q| q.lsn <= self.released)
    }
}

impl Pending {
    /// Starts the applier; `marker` is where sled keeps the last lsn it holds.
    pub fn start(marker: sled::Tree, db_path: PathBuf) -> Result<Pending, StoreError> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            marker,
            db_path,
        });
        let worker = shared.clone();
        let applier = std::thread::Builder::new()
            .name("till-store-apply".into())
            .spawn(move || worker.run())
            .map_err(|e| StoreError::io(&shared.db_path, e))?;
        Ok(Pending {
            shared,
            applier: Some(applier),
        })
    }

    /// Refuses a write once sled has failed one: the store takes no more
    /// until it is reopened (what the commit log holds is replayed then).
    pub fn healthy(&self) -> Result<(), StoreError> {
        self.shared
            .state()
            .failed
            .as_ref()
            .map_or(Ok(()), |f| Err(self.shared.error(f)))
    }

    /// Whether a writer should make the log durable before its push: the
    /// queue is full, and only durable frames leave it.
    pub fn is_full(&self) -> bool {
        self.shared.state().queue.len() >= MAX_QUEUED
    }

    /// Hands write `lsn`, already in the commit log, to the applier.
    /// `trees` are those its ops write to. Called in lsn order (under the
    /// commit log's writer).
    pub fn push(&self, lsn: u64, ops: Vec<Op>, trees: Vec<sled::Tree>) {
        let mut state = self.shared.state();
        // Frames the applier may not take yet would never make room.
        while state.queue.len() >= MAX_QUEUED && state.ready() > 0 && state.failed.is_none() {
            state = self.shared.watch(state);
        }
        for op in &ops {
            state
                .latest
                .entry(op.tree.clone())
                .or_default()
                .insert(op.key.clone(), (lsn, op.value.clone()));
        }
        state.queue.push_back(Queued { lsn, ops, trees });
        state.pushes += 1;
    }

    /// The commit log holds every write up to `lsn` durably: the applier
    /// may take them.
    pub fn release(&self, lsn: u64) {
        let mut state = self.shared.state();
        state.released = state.released.max(lsn);
        if state.idle && state.ready() >= WAKE_AT {
            self.shared.changed.notify_all();
        }
    }

    /// The value of `key` in `tree` if it is here (`Found(None)`: removed),
    /// or that sled's is the newest.
    pub fn get(&self, tree: &Bytes, key: &[u8]) -> Lookup {
        let state = self.shared.state();
        if let Some((_, value)) = state.latest.get(tree).and_then(|keys| keys.get(key)) {
            return Lookup::Found(value.clone());
        }
        match state.kept.get(tree, key) {
            Some(value) => Lookup::Found(value),
            None => Lookup::AskSled(state.pushes),
        }
    }

    /// Keeps what sled gave for `key` after a [`Lookup::AskSled`] at
    /// `pushes`, unless a write was handed over since: that write may have
    /// reached sled and left the overlay before this value was read.
    pub fn remember(&self, tree: &Bytes, key: &[u8], value: Option<Bytes>, pushes: u64) {
        let mut state = self.shared.state();
        if state.pushes == pushes {
            state.kept.keep(tree, Bytes::from(key), value);
        }
    }

    /// The writes to `tree` between `lo` and `hi` that sled does not hold
    /// yet, in key order.
    pub fn overlay(
        &self,
        tree: &Bytes,
        lo: Bound<&[u8]>,
        hi: Bound<&[u8]>,
    ) -> Vec<(Bytes, Option<Bytes>)> {
        let state = self.shared.state();
        let Some(keys) = state.latest.get(tree) else {
            return Vec::new();
        };
        if is_empty_range(lo, hi) {
            return Vec::new();
        }
        keys.range::<[u8], _>((lo, hi))
            .map(|(k, (_, v))| (k.clone(), v.clone()))
            .collect()
    }

    /// Waits until sled holds every write released so far: after a release
    /// of the last lsn given out (as a checkpoint makes), every write.
    pub fn drain(&self) -> Result<(), StoreError> {
        let mut state = self.shared.state();
        loop {
            if let Some(failed) = &state.failed {
                return Err(self.shared.error(failed));
            }
            if state.ready() == 0 && !state.applying {
                return Ok(());
            }
            if state.idle {
                self.shared.changed.notify_all();
            }
            state = self.shared.watch(state);
        }
    }
}

/// Whether no key lies between the bounds (`BTreeMap::range` panics on
/// some of those, and sled's iterator is simply empty).
fn is_empty_range(lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> bool {
    match (lo, hi) {
        (Bound::Included(l), Bound::Included(h)) => l > h,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(h))
        | (Bound::Excluded(l), Bound::Included(h)) => l >= h,
        _ => false,
    }
}

impl Drop for Pending {
    /// The applier finishes what was released (a clean close released
    /// everything: `Db`'s drop checkpoints first), then stops; the rest is
    /// in the commit log for the next open.
    fn drop(&mut self) {
        self.shared.state().stop = true;
        self.shared.changed.notify_all();
        if let Some(applier) = self.applier.take() {
            let _ = applier.join();
        }
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(state).unwrap_or_else(|p| p.into_inner())
    }

    /// Waits, as a writer or a drain, for the applier's next step.
    fn watch<'a>(&self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.watchers += 1;
        let mut state = self.wait(state);
        state.watchers -= 1;
        state
    }

    fn error(&self, (kind, message): &(std::io::ErrorKind, String)) -> StoreError {
        if *kind == std::io::ErrorKind::StorageFull {
            return StoreError::DiskFull;
        }
        StoreError::io(
            &self.db_path,
            std::io::Error::new(
                *kind,
                format!(
                    "{message}; restart the till once the disk is mended (every sale it confirmed is kept)"
                ),
            ),
        )
    }

    /// The applier: the released frames waiting, as one batch into sled
    /// (see [`apply`]), then out of the overlay together. After a failure
    /// it applies nothing more; the overlay keeps serving reads, and the
    /// commit log keeps every write for the next open.
    ///
    /// The overlay's lock is taken once for a batch, not once a frame: each
    /// taking met a lane's read or write now and then, and the lane slept
    /// on it (perf's sched_switch: one sale in fifteen).
    fn run(&self) {
        loop {
            let batch: Vec<Queued> = {
                let mut state = self.state();
                loop {
                    if state.failed.is_none() && state.ready() > 0 {
                        state.applying = true;
                        break;
                    }
                    if state.stop {
                        return;
                    }
                    state.idle = true;
                    state = self.wait(state);
                    state.idle = false;
                }
                // Writers held back by `MAX_QUEUED` may go on.
                if state.watchers > 0 {
                    self.changed.notify_all();
                }
                let ready = state.ready();
                state.queue.drain(..ready).collect()
            };
            let last = batch.last().map_or(0, |job| job.lsn);
            let writes = batch.iter().map(|job| (&job.ops[..], &job.trees[..]));
            let outcome = apply(&self.marker, writes, last);
            let mut state = self.state();
            state.applying = false;
            match outcome {
                Ok(()) => {
                    for job in batch {
                        for op in job.ops {
                            if let Some(keys) = state.latest.get_mut(&op.tree)
                                && keys.get(&op.key).is_some_and(|(lsn, _)| *lsn == job.lsn)
                            {
                                keys.remove(&op.key);
                                state.kept.keep(&op.tree, op.key, op.value);
                            }
                        }
                    }
                    state.latest.retain(|_, keys| !keys.is_empty());
                }
                Err(e) => {
                    tracing::error!(error = %e, lsn = last, "sled refused a write; the store takes no more until restarted");
                    let kind = match &e {
                        StoreError::DiskFull => std::io::ErrorKind::StorageFull,
                        _ => std::io::ErrorKind::Other,
                    };
                    state.failed = Some((kind, e.to_string()));
                    // The whole batch stays in the overlay (sled may hold any
                    // part of it) and back in the queue in order, so that a
                    // drain reports the failure rather than success.
                    for job in batch.into_iter().rev() {
                        state.queue.push_front(job);
                    }
                }
            }
            if state.watchers > 0 {
                self.changed.notify_all();
            }
        }
    }
}

/// Applies `writes` (frames in lsn order, each its ops and the trees they
/// write to, every one durable in the commit log) to sled as written up to
/// lsn `last`, without a sled transaction: sled writes out its I/O buffer
/// at every transaction (a disk write, and threads woken). Only each key's
/// last write is applied, in the order those came, then the marker. Used by
/// the applier and by the replay at open.
///
/// Against a power cut: sled's log comes back as a prefix of its writes, so
/// sled may keep part of a batch, never any write after its marker that the
/// commit log lacks; the replay applies the frames after the marker again.
pub fn apply<'a>(
    marker: &sled::Tree,
    writes: impl IntoIterator<Item = (&'a [Op], &'a [sled::Tree])>,
    last: u64,
) -> Result<(), StoreError> {
    // Where each (tree, key) was last written in `order`; earlier writes of
    // it are dropped from there.
    let mut newest: HashMap<(&[u8], &[u8]), usize> = HashMap::default();
    let mut order: Vec<Option<(&sled::Tree, &Op)>> = Vec::new();
    for (ops, trees) in writes {
        for op in ops {
            let tree = trees.iter().find(|t| t.name() == op.tree).ok_or_else(|| {
                StoreError::corrupt("transaction", "a write to a tree it was not opened over")
            })?;
            if let Some(earlier) = newest.insert((&op.tree, &op.key), order.len()) {
                order[earlier] = None;
            }
            order.push(Some((tree, op)));
        }
    }
    for (tree, op) in order.into_iter().flatten() {
        match &op.value {
            Some(v) => drop(tree.insert(&op.key, v.clone())?),
            None => drop(tree.remove(&op.key)?),
        }
    }
    marker.insert(MARKER_KEY, &keys::seq(last))?;
    Ok(())
}
