//! What the back office asks the daemon for that lives above the engine:
//! writing an export, the sync worker's "now", the devices' status and the
//! retention policy of till.toml. The daemon (`cli::daemon`) implements
//! [`Office`] and hands it to its engine, so these requests are still
//! [`super::request::Ask`]s through the engine's gate, with the permission
//! `Ask::permission` names; the engine only calls out once the gate agreed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::Store;
use crate::store::retention::Policy;

/// The formats of `till export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// What the sync worker is asked to do at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncNow {
    /// Send everything waiting, then fetch the catalog (`till sync now`).
    Everything,
    /// Only fetch head office's catalog (`till sync catalog`).
    Catalog,
}

/// The daemon's parts above the engine, as its engine sees them.
pub trait Office: Send {
    /// Writes an export of `store` into the new, empty directory `dir`,
    /// journaled as `user`'s.
    fn export(
        &self,
        store: &Store,
        dir: &Path,
        format: ExportFormat,
        user: &str,
    ) -> Result<(), String>;
    /// Has the sync worker do `what` now. Returns at once with a ticket to
    /// ask [`Office::sync_outcome`] with: the engine's lock is not held
    /// while head office answers, so the lanes sell on meanwhile.
    fn sync_now(&mut self, what: SyncNow) -> Result<u64, String>;
    /// The worker's words on what it did for `ticket`; `None` while it is
    /// still at it.
    fn sync_outcome(&mut self, ticket: u64) -> Option<Result<String, String>>;
    /// Each device the daemon holds and what its status bar says of it.
    fn devices(&self) -> Vec<(String, String)>;
    /// The retention policy of the daemon's till.toml.
    fn retention(&self) -> Policy;
}
