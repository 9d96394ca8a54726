//! A note, outside sled, of how far the journal was durable.
//!
//! sled checks every record it reads, but damage to the end of its log (a
//! truncated file, flipped bytes on a failing SD card) is taken for the end
//! of the log: sled opens without the lost records and says nothing, so
//! sales reported complete would be gone without a word. After every
//! durable commit the store writes the journal's head here, and at open a
//! journal that ends before it, or holds another entry where it points, is
//! damage: the store is refused and the shop pointed to `till restore`.
//!
//! It is written after sled's fsync and never fsynced itself: it can only
//! lag behind what is durable (a power cut may lose its last write), never
//! run ahead, so it never cries wolf, and costs a write, not a disk trip.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::store::error::StoreError;
use crate::store::journal::Hash;

pub const FILE: &str = "journal.head";

/// The next entry's number, the hash it chains from, and 4 bytes of check.
const LEN: usize = 8 + 32 + 4;

pub struct Witness {
    file: File,
    path: std::path::PathBuf,
}

impl Witness {
    pub fn open(dir: &Path) -> Result<Witness, StoreError> {
        let path = dir.join(FILE);
        let file = crate::store::lock::open_rw(&path)?;
        Ok(Witness { file, path })
    }

    /// What was last recorded; `None` for a new store or an unreadable note
    /// (torn by a crash mid-write), which proves nothing either way.
    pub fn read(&self) -> Option<(u64, Hash)> {
        let mut raw = [0u8; LEN];
        self.file.read_exact_at(&mut raw, 0).ok()?;
        let (body, check) = raw.split_at(LEN - 4);
        if Sha256::digest(body)[..4] != *check {
            return None;
        }
        let next_seq = u64::from_be_bytes(body[..8].try_into().ok()?);
        let hash: Hash = body[8..].try_into().ok()?;
        Some((next_seq, hash))
    }

    /// Records the journal's head after a durable commit, in one write.
    pub fn record(&self, next_seq: u64, hash: &Hash) -> Result<(), StoreError> {
        let mut raw = [0u8; LEN];
        raw[..8].copy_from_slice(&next_seq.to_be_bytes());
        raw[8..40].copy_from_slice(hash);
        let check = Sha256::digest(&raw[..40]);
        raw[40..].copy_from_slice(&check[..4]);
        self.file
            .write_all_at(&raw, 0)
            .map_err(|e| StoreError::io(&self.path, e))
    }
}
