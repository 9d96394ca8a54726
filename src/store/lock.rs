//! The exclusive lock on a store directory, which also says who holds it.
//!
//! sled locks its own files too, but its error says only "would block". Our
//! lock file carries the holder's pid, so a second `till` can name the process
//! (`till daemon`, pid 812) that already has the store open.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::error::StoreError;

pub const LOCK_FILE: &str = "till.lock";

/// Held for as long as the store is open; the OS drops the lock if the process dies.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// A file of the store's own beside sled's (the lock, the journal's
/// witness): to read and write, made if missing, never truncated.
pub(super) fn open_rw(path: &Path) -> Result<std::fs::File, StoreError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| StoreError::io(path, e))
}

impl StoreLock {
    pub fn acquire(dir: &Path) -> Result<StoreLock, StoreError> {
        let path = dir.join(LOCK_FILE);
        let mut file = open_rw(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                // The holder wrote its pid; an unreadable one still leaves a useful message.
                let _ = file.read_to_string(&mut pid);
                return Err(StoreError::Locked {
                    path: dir.to_path_buf(),
                    holder: describe_holder(pid.trim()),
                });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
        }
        let pid = std::process::id().to_string();
        file.set_len(0).map_err(|e| StoreError::io(&path, e))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| StoreError::io(&path, e))?;
        file.write_all(pid.as_bytes())
            .map_err(|e| StoreError::io(&path, e))?;
        Ok(StoreLock { _file: file })
    }
}

fn describe_holder(pid: &str) -> String {
    if pid.is_empty() {
        return "another process".to_string();
    }
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            raw.split(|&b| b == 0)
                .filter(|part| !part.is_empty())
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    if cmdline.is_empty() {
        format!("process {pid}")
    } else {
        format!("process {pid} ({cmdline})")
    }
}
