//! The daemon's spool: how an export or a backup, however big, reaches a
//! back-office command that may run as another Unix user than the daemon.
//!
//! The engine writes the output under its lock (one consistent moment of a
//! store that keeps selling) into `spool/HANDLE/` in the store's directory
//! (mode 0700: the daemon's alone), and answers with a [`Spooled`]: the
//! random handle and each file's name, size and sha256. The command then
//! reads each file in chunks of at most [`CHUNK`] bytes (`Ask::Fetch`, well
//! inside the socket's 4 MiB frame), checks sizes and checksums, writes its
//! own copy, and releases the entry (`Ask::Release`). Only the user who
//! spooled an entry may read or release it, and only the files it lists.
//! A client that never comes back cannot fill the disk: at most
//! [`MAX_ENTRIES`] entries are kept, none older than [`MAX_AGE`], and
//! whatever a previous daemon left is removed when the next entry is made.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Engine, EngineError, Session};
use crate::store::StoreError;

/// The most bytes one `Ask::Fetch` answers.
pub const CHUNK: u32 = 1024 * 1024;
/// Spool entries kept at once; making one more removes the oldest.
pub const MAX_ENTRIES: usize = 4;
/// An entry older than this is removed when the next one is made.
pub const MAX_AGE: Duration = Duration::from_secs(3600);

/// An output waiting in the spool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spooled {
    pub handle: String,
    pub files: Vec<SpooledFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpooledFile {
    pub name: String,
    pub size: u64,
    /// Hex.
    pub sha256: String,
}

/// The entries this engine made: whose, since when, and what they hold.
#[derive(Default)]
pub(super) struct Spool {
    entries: HashMap<String, Entry>,
}

struct Entry {
    owner: String,
    made: Instant,
    files: Vec<SpooledFile>,
}

impl Engine {
    fn spool_dir(&self) -> PathBuf {
        self.store.path().join("spool")
    }

    /// A new, empty entry directory, after removing what is past the bounds.
    /// Returns its handle and path.
    pub(super) fn spool_open(&mut self) -> Result<(String, PathBuf), EngineError> {
        let root = self.spool_dir();
        let now = Instant::now();
        self.spool
            .entries
            .retain(|_, e| now.duration_since(e.made) < MAX_AGE);
        while self.spool.entries.len() >= MAX_ENTRIES {
            let oldest = self
                .spool
                .entries
                .iter()
                .min_by_key(|(_, e)| e.made)
                .map(|(h, _)| h.clone());
            match oldest {
                Some(h) => self.spool.entries.remove(&h),
                None => break,
            };
        }
        // Whatever is on disk and not a live entry (an expired one, or one a
        // previous daemon left) goes.
        if let Ok(dir) = std::fs::read_dir(&root) {
            for found in dir.flatten() {
                let name = found.file_name().to_string_lossy().into_owned();
                if !self.spool.entries.contains_key(&name) {
                    let _ = std::fs::remove_dir_all(found.path());
                }
            }
        }
        let handle = {
            use rand_core::RngCore;
            let mut bytes = [0u8; 16];
            rand_core::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        };
        let path = root.join(&handle);
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        Ok((handle, path))
    }

    /// Lists what the entry's directory holds, with sizes and checksums,
    /// and keeps it for `user` to fetch.
    pub(super) fn spool_close(
        &mut self,
        user: &Session,
        handle: String,
        dir: &Path,
    ) -> Result<Spooled, EngineError> {
        let mut files = Vec::new();
        let listing = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
        for found in listing {
            let found = found.map_err(|e| StoreError::io(dir, e))?;
            let path = found.path();
            let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
            files.push(SpooledFile {
                name: found.file_name().to_string_lossy().into_owned(),
                size: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(&bytes)),
            });
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        self.spool.entries.insert(
            handle.clone(),
            Entry {
                owner: user.user.clone(),
                made: Instant::now(),
                files: files.clone(),
            },
        );
        Ok(Spooled { handle, files })
    }

    /// Up to [`CHUNK`] bytes of a spooled file from `offset`; empty at its end.
    pub(super) fn spool_fetch(
        &self,
        user: &Session,
        handle: &str,
        file: &str,
        offset: u64,
    ) -> Result<Vec<u8>, EngineError> {
        let entry = self.spool_entry(user, handle)?;
        if !entry.files.iter().any(|f| f.name == file) {
            return Err(EngineError::NoSuchSpool);
        }
        let path = self.spool_dir().join(handle).join(file);
        let io = |e| StoreError::io(&path, e);
        let mut f = std::fs::File::open(&path).map_err(io)?;
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut chunk = Vec::new();
        f.take(u64::from(CHUNK))
            .read_to_end(&mut chunk)
            .map_err(io)?;
        Ok(chunk)
    }

    /// Removes a spool entry its user has fetched.
    pub(super) fn spool_release(
        &mut self,
        user: &Session,
        handle: &str,
    ) -> Result<(), EngineError> {
        self.spool_entry(user, handle)?;
        self.spool.entries.remove(handle);
        let path = self.spool_dir().join(handle);
        std::fs::remove_dir_all(&path).map_err(|e| StoreError::io(&path, e))?;
        Ok(())
    }

    fn spool_entry(&self, user: &Session, handle: &str) -> Result<&Entry, EngineError> {
        self.spool
            .entries
            .get(handle)
            .filter(|e| e.owner == user.user)
            .ok_or(EngineError::NoSuchSpool)
    }
}
