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
        "the disk holding the store is full: free some space, then try again (nothing was saved by this step)"
    )]
    DiskFull,
    #[error(
        "receipt {receipt} was recorded, but the disk did not confirm it ({source}): do not ring it up again; check the disk, then `till journal verify`"
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
    #[error("store I/O failed on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store failed: {0}")]
    Sled(sled::Error),
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        if source.raw_os_error() == Some(28) {
            return StoreError::DiskFull;
        }
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            sled::Error::Io(io) if io.raw_os_error() == Some(28) => StoreError::DiskFull,
            sled::Error::Corruption { .. } => StoreError::corrupt("sled log", e),
            e => StoreError::Sled(e),
        }
    }
}
