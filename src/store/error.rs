//! What can go wrong with the store, in words that say what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no till store at {0}: create one with `till init --data {0}` (add --demo for a demo shop)"
    )]
    Missing(PathBuf),
    #[error(
        "{0} is not a till store (it holds other files): point --data at a till store or at an empty directory"
    )]
    NotAStore(PathBuf),
    #[error("{0} already holds a till store: use it, or choose another --data directory")]
    AlreadyExists(PathBuf),
    #[error(
        "the store at {path} is in use by {holder}: stop that process or use the running daemon"
    )]
    Locked { path: PathBuf, holder: String },
    #[error(
        "the store at {path} was written by a newer Till (schema {found}, this one knows up to {supported}): upgrade Till"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "the store is damaged ({what}: {detail}): restore it from a backup (`till restore`) and keep this copy for support"
    )]
    Corrupt { what: String, detail: String },
    #[error(
        "the disk holding the store is full: nothing was saved by this step, and nothing more can be until space is freed and the till restarted (`systemctl restart till`); every sale it confirmed is kept"
    )]
    DiskFull,
    #[error(
        "receipt {receipt} was not confirmed by the disk ({source}): once the disk is mended and the till restarted, look for it (F11 reprints the last receipt): if it is not there, ring the sale up again"
    )]
    NotDurable {
        receipt: u64,
        source: Box<StoreError>,
    },
    #[error(
        "receipt {receipt} line {line} has already been refunded meanwhile (on another lane?): nothing was paid out"
    )]
    RefundOverrun { receipt: u64, line: usize },
    #[error("a record could not be encoded: {0}")]
    Encode(String),
    #[error(
        "{path} (mode {mode:o}) is readable by others and this user cannot change that (another user owns it): as its owner or root, run `chmod -R go-rwx {store}`"
    )]
    NotPrivate {
        path: PathBuf,
        mode: u32,
        store: PathBuf,
    },
    #[error("store I/O failed on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store failed: {0}")]
    Sled(super::kv::Failure),
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        if is_disk_full(&source) {
            return StoreError::DiskFull;
        }
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

impl StoreError {
    /// A failure of the disk under the store (full, or failing). sled keeps
    /// such an error and refuses every write after it (see `kv`), so only
    /// reopening the store (restarting the till) goes on; the daemon's
    /// watchdog stops its pings, and systemd restarts it.
    pub fn stops_the_store(&self) -> bool {
        match self {
            StoreError::DiskFull | StoreError::Io { .. } => true,
            StoreError::Sled(failure) => failure.stops_the_store(),
            StoreError::NotDurable { source, .. } => source.stops_the_store(),
            _ => false,
        }
    }
}

/// ENOSPC, also as sled hands it on after the first time: a copy of the
/// error that keeps its kind but not its OS code.
pub(super) fn is_disk_full(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(28) || e.kind() == std::io::ErrorKind::StorageFull
}
