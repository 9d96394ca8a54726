//! The commit log: every write to the store, framed and checksummed, in one
//! preallocated file in front of sled, so that making a sale durable costs
//! one write and one fdatasync.
//!
//! sled makes a write durable with a `sync_file_range` per I/O buffer and
//! then needs an fsync of its file besides (see `Db::persist`'s history in
//! DESIGN): three to eight disk trips a sale, each 2-20 ms on an SD card.
//! Here every write is appended as one frame (a pwrite: a killed till keeps
//! it), and `sync` is one fdatasync of this file. sled is given the same
//! writes by a thread of its own (`pending`) and writes them out when it likes; a checkpoint (sled's flush
//! and an fsync of its file) happens only when the log is full, at open and
//! at close. No crate offers a log with this contract over sled (sled 1.0's
//! own log is an unfinished rewrite), and it is a hundred lines.
//!
//! Why it is safe:
//! - Each frame carries its write's sequence number (lsn), and sled keeps
//!   the last applied lsn in the marker tree, written after a batch's
//!   records (see `pending::apply`). sled is given only frames this file
//!   already holds durably, so at open the frames after sled's marker are
//!   replayed in order, over whatever part of them sled kept; frames at or
//!   before it are already in sled, whatever part of sled reached the disk
//!   before a power cut.
//! - The file is zero-filled once and then overwritten from its start after
//!   every checkpoint, so an fdatasync never has a file size or an extent to
//!   write (one disk trip, not two). Frames of an earlier round stay behind
//!   the newest; they are told apart because the lsns of one round follow
//!   each other without a gap, and an old frame's lsn is always smaller.
//! - A frame torn by a crash fails its CRC and ends the log there.
//! - A write or fdatasync that fails poisons the log: the store refuses
//!   every later write (after a failed fsync the kernel may have dropped
//!   the pages, so a retry would report a sale durable that is not), and
//!   reopening it replays what the disk holds.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::Bytes;
use crate::store::error::{StoreError, is_disk_full};

pub const FILE: &str = "commit.log";

/// The tree sled keeps the last applied lsn in; never listed, backed up
/// or exported (see `Db::tree_names`).
pub const MARKER_TREE: &str = "__till_commit";
pub const MARKER_KEY: &[u8] = b"applied";
/// Beside the marker: the frame of a write of several records, which an
/// earlier till kept in sled before applying the write (see `Log::replay`).
pub const REDO_KEY: &[u8] = b"redo";

/// The log's size. A 5-line sale writes about 2.7 KB (the cart after each
/// scan, then the sale, its journal entry, its outbox row: strace of the
/// completion bench), so 1 MiB is a checkpoint every 380 sales or so, and
/// small enough for the smallest SD card's spare room.
const SIZE: u64 = 1 << 20;

/// Frame header: body length, CRC-32 of the body.
const HEADER: usize = 8;
/// Body: lsn, then the number of writes.
const BODY_MIN: usize = 12;

/// One write inside a frame: the tree, the key, and the value (`None` removes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub tree: Bytes,
    pub key: Bytes,
    pub value: Option<Bytes>,
}

/// One frame read back: its lsn and its writes.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    pub lsn: u64,
    pub ops: Vec<Op>,
}

pub struct CommitLog {
    path: PathBuf,
    file: File,
    writer: Mutex<Writer>,
    /// Serializes fdatasyncs, so that one covers every lane waiting on it.
    syncing: Mutex<()>,
    /// The last lsn known to be on the disk (by an fdatasync or a checkpoint).
    synced: AtomicU64,
}

/// What only one writer at a time may touch. Holding it is also what keeps
/// the order of frames in the file the order `pending` is handed them in.
pub struct Writer {
    /// The last lsn given out.
    last: u64,
    /// Where the next frame goes.
    end: u64,
    capacity: u64,
    /// Why the log stopped taking writes, if it did.
    failed: Option<std::io::ErrorKind>,
    buf: Vec<u8>,
}

impl Writer {
    pub fn next_lsn(&self) -> u64 {
        self.last + 1
    }

    /// The last lsn given out.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Stops the log taking writes after `e` (see the module's last point).
    fn fail(&mut self, e: &StoreError) {
        self.failed = Some(match e {
            StoreError::DiskFull => std::io::ErrorKind::StorageFull,
            _ => std::io::ErrorKind::Other,
        });
    }
}

impl Frame {
    /// The frame as the log holds it, as an earlier till kept a
    /// write's redo record in sled (the tests make old stores with it).
    #[cfg(test)]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        encode(&mut buf, self.lsn, &self.ops);
        buf
    }

    /// A frame that is exactly `raw`, checksum and all.
    pub fn from_bytes(raw: &[u8]) -> Option<Frame> {
        frame_at(raw)
            .filter(|(_, len)| *len == raw.len())
            .map(|(frame, _)| frame)
    }
}

impl CommitLog {
    /// Opens (or makes, zero-filled and durable) the log in `dir`, and
    /// returns it with the frames a replay must consider, oldest first.
    pub fn open(dir: &Path) -> Result<(CommitLog, Vec<Frame>), StoreError> {
        let path = dir.join(FILE);
        let io = |e| StoreError::io(&path, e);
        let existed = path.exists();
        let file = crate::store::lock::open_rw(&path)?;
        if !existed || file.metadata().map_err(io)?.len() < SIZE {
            file.write_all_at(&vec![0u8; SIZE as usize], 0)
                .map_err(io)?;
            file.sync_all().map_err(io)?;
            super::sync_dir(dir)?;
        } else {
            // After a kill the frames read back below may be in the page
            // cache alone; the replay gives them to sled, which is given
            // only durable frames.
            file.sync_data().map_err(io)?;
        }
        let raw = std::fs::read(&path).map_err(io)?;
        let frames = frames(&raw);
        let log = CommitLog {
            file,
            writer: Mutex::new(Writer {
                last: 0,
                end: 0,
                capacity: raw.len() as u64,
                failed: None,
                buf: Vec::new(),
            }),
            syncing: Mutex::new(()),
            synced: AtomicU64::new(0),
            path,
        };
        Ok((log, frames))
    }

    /// After replay: numbering goes on from `last`, which sled now holds
    /// durably, and the next frame is written at the start.
    pub fn start_after(&self, last: u64) {
        let mut writer = self.lock_unchecked();
        writer.last = last;
        writer.end = 0;
        self.synced.store(last, Ordering::Release);
    }

    /// The writer, for one write: refused once the log has failed.
    pub fn lock(&self) -> Result<MutexGuard<'_, Writer>, StoreError> {
        let writer = self.lock_unchecked();
        match writer.failed {
            Some(kind) => Err(self.stopped(kind)),
            None => Ok(writer),
        }
    }

    fn lock_unchecked(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends the frame of write `lsn`. When the log is full, `checkpoint`
    /// first makes sled's file hold every write before it, and the frame
    /// starts a new round.
    pub fn append(
        &self,
        writer: &mut Writer,
        lsn: u64,
        ops: &[Op],
        checkpoint: impl FnOnce(&mut Writer) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        encode(&mut writer.buf, lsn, ops);
        let len = writer.buf.len() as u64;
        if writer.end + len > writer.capacity {
            if let Err(e) = checkpoint(writer) {
                writer.fail(&e);
                return Err(e);
            }
            // Everything before this write is in sled's file now; this
            // write is not (it is applied after its frame is written).
            self.synced.fetch_max(lsn - 1, Ordering::AcqRel);
            writer.end = 0;
            // A write larger than the whole log grows the file for it.
            writer.capacity = writer.capacity.max(len);
        }
        if let Err(e) = self.file.write_all_at(&writer.buf, writer.end) {
            writer.failed = Some(e.kind());
            return Err(self.error(e));
        }
        writer.end += len;
        writer.last = lsn;
        Ok(())
    }

    /// Makes every frame appended so far durable, in one fdatasync; a lane
    /// whose frame another lane's fdatasync already covered waits for that
    /// one instead (group commit).
    pub fn sync(&self) -> Result<(), StoreError> {
        let wanted = self.lock()?.last;
        let _one_at_a_time = self.syncing.lock().unwrap_or_else(|p| p.into_inner());
        if self.synced.load(Ordering::Acquire) >= wanted {
            return Ok(());
        }
        let covered = self.lock()?.last;
        if let Err(e) = self.file.sync_data() {
            self.lock_unchecked().failed = Some(e.kind());
            return Err(self.error(e));
        }
        self.synced.fetch_max(covered, Ordering::AcqRel);
        Ok(())
    }

    /// [`CommitLog::sync`] for a writer that holds the log (a checkpoint, a
    /// writer making room in `pending`): one fdatasync, without waiting on
    /// another lane's (that lane may be waiting for this writer).
    pub fn sync_held(&self, writer: &mut Writer) -> Result<(), StoreError> {
        if self.synced.load(Ordering::Acquire) >= writer.last {
            return Ok(());
        }
        if let Err(e) = self.file.sync_data() {
            writer.failed = Some(e.kind());
            return Err(self.error(e));
        }
        self.synced.fetch_max(writer.last, Ordering::AcqRel);
        Ok(())
    }

    /// The last lsn the disk holds (see `synced`).
    pub fn synced(&self) -> u64 {
        self.synced.load(Ordering::Acquire)
    }

    fn error(&self, e: std::io::Error) -> StoreError {
        if is_disk_full(&e) {
            StoreError::DiskFull
        } else {
            StoreError::io(&self.path, e)
        }
    }

    fn stopped(&self, kind: std::io::ErrorKind) -> StoreError {
        if kind == std::io::ErrorKind::StorageFull {
            return StoreError::DiskFull;
        }
        StoreError::io(
            &self.path,
            std::io::Error::new(
                kind,
                "an earlier write to the store failed, so it takes no more; restart the till once the disk is mended",
            ),
        )
    }
}

/// Frame layout: body length (u32 LE), CRC-32 of the body (u32 LE), then
/// the body: lsn (u64 LE), the number of writes (u32 LE), and per write the
/// tree (u16 length + bytes), the key (u32 length + bytes), and 0 for a
/// removal or 1 and the value (u32 length + bytes).
fn encode(buf: &mut Vec<u8>, lsn: u64, ops: &[Op]) {
    buf.clear();
    buf.extend_from_slice(&[0u8; HEADER]);
    buf.extend_from_slice(&lsn.to_le_bytes());
    buf.extend_from_slice(&(ops.len() as u32).to_le_bytes());
    for op in ops {
        buf.extend_from_slice(&(op.tree.len() as u16).to_le_bytes());
        buf.extend_from_slice(&op.tree);
        buf.extend_from_slice(&(op.key.len() as u32).to_le_bytes());
        buf.extend_from_slice(&op.key);
        match &op.value {
            None => buf.push(0),
            Some(value) => {
                buf.push(1);
                buf.extend_from_slice(&(value.len() as u32).to_le_bytes());
                buf.extend_from_slice(value);
            }
        }
    }
    let body_len = (buf.len() - HEADER) as u32;
    let crc = crc32fast::hash(&buf[HEADER..]);
    buf[..4].copy_from_slice(&body_len.to_le_bytes());
    buf[4..HEADER].copy_from_slice(&crc.to_le_bytes());
}

/// The newest round of frames in `raw`: from the start, while each frame is
/// whole, checks, and follows the one before it by exactly one lsn.
fn frames(raw: &[u8]) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::new();
    let mut at = 0usize;
    while let Some((frame, len)) = frame_at(&raw[at..]) {
        if out.last().is_some_and(|prev| frame.lsn != prev.lsn + 1) {
            break;
        }
        out.push(frame);
        at += len;
    }
    out
}

fn frame_at(raw: &[u8]) -> Option<(Frame, usize)> {
    let body_len = u32::from_le_bytes(raw.get(..4)?.try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(raw.get(4..HEADER)?.try_into().ok()?);
    let body = raw.get(HEADER..HEADER.checked_add(body_len)?)?;
    if body_len < BODY_MIN || crc32fast::hash(body) != crc {
        return None;
    }
    let mut r = Reader(body);
    let lsn = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let count = r.u32()? as usize;
    // Every write takes at least 11 bytes: a count larger than that is damage.
    let mut ops = Vec::with_capacity(count.min(body.len() / 11));
    for _ in 0..count {
        let tree_len = u16::from_le_bytes(r.take(2)?.try_into().ok()?) as usize;
        let tree = Bytes::from(r.take(tree_len)?);
        let key_len = r.u32()? as usize;
        let key = Bytes::from(r.take(key_len)?);
        let value = match r.take(1)?[0] {
            0 => None,
            1 => {
                let len = r.u32()? as usize;
                Some(Bytes::from(r.take(len)?))
            }
            _ => return None,
        };
        ops.push(Op { tree, key, value });
    }
    r.0.is_empty()
        .then_some((Frame { lsn, ops }, HEADER + body_len))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(tree: &str, key: &str, value: Option<&str>) -> Op {
        Op {
            tree: Bytes::from(tree.as_bytes()),
            key: Bytes::from(key.as_bytes()),
            value: value.map(|v| Bytes::from(v.as_bytes())),
        }
    }

    fn framed(lsn: u64, ops: &[Op]) -> Vec<u8> {
        let mut buf = Vec::new();
        encode(&mut buf, lsn, ops);
        buf
    }

    #[test]
    fn frames_read_back_as_written_up_to_the_zeroes() {
        let a = vec![op("sales", "1", Some("one")), op("open_carts", "1", None)];
        let b = vec![op("meta", "k", Some(""))];
        let mut raw = framed(7, &a);
        raw.extend(framed(8, &b));
        raw.extend([0u8; 64]);
        assert_eq!(
            frames(&raw),
            vec![Frame { lsn: 7, ops: a }, Frame { lsn: 8, ops: b }]
        );
    }

    #[test]
    fn a_torn_or_flipped_frame_ends_the_log_there() {
        let one = framed(1, &[op("t", "a", Some("x"))]);
        let two = framed(2, &[op("t", "b", Some("y"))]);
        let mut torn = one.clone();
        torn.extend(&two[..two.len() - 1]);
        assert_eq!(frames(&torn).len(), 1);
        let mut flipped = one.clone();
        flipped.extend(&two);
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(frames(&flipped).len(), 1);
    }

    #[test]
    fn an_older_round_behind_the_newest_is_not_read() {
        // Round one wrote lsns 1..=3; after a checkpoint round two wrote 4
        // over the first frame, and the old 2 and 3 are still behind it.
        let old: Vec<Vec<u8>> = (1..=3)
            .map(|l| framed(l, &[op("t", "k", Some("vvvv"))]))
            .collect();
        let mut raw: Vec<u8> = old.concat();
        let new = framed(4, &[op("t", "k", Some("wwww"))]);
        raw[..new.len()].copy_from_slice(&new);
        let read = frames(&raw);
        assert_eq!(read.iter().map(|f| f.lsn).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn a_length_beyond_the_file_or_a_huge_count_is_damage_not_a_panic() {
        let mut raw = framed(1, &[op("t", "k", None)]);
        raw[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(frames(&raw).is_empty());
        let mut body = Vec::new();
        body.extend(1u64.to_le_bytes());
        body.extend(u32::MAX.to_le_bytes());
        let mut raw = Vec::new();
        raw.extend((body.len() as u32).to_le_bytes());
        raw.extend(crc32fast::hash(&body).to_le_bytes());
        raw.extend(body);
        assert!(frames(&raw).is_empty());
    }
}
