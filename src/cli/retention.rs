//! `till retention run [--dry-run]`, and the daemon's daily run: removes
//! what `[retention]` says is past its time, once safe (see
//! `store::retention`). The screen's log files keep their own days (see
//! `logging`): nothing here rewrites a file another process appends to.
//! While the daemon holds the store, the run is its, with its till.toml's
//! `[retention]`.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::Utc;

use super::backoffice::{Reach, reach};
use crate::engine::request::{Answer, Ask};
use crate::store::retention::Removed;
use crate::store::retention::RetentionConfig;

pub fn run(
    data: &Path,
    socket: &Path,
    user: Option<&str>,
    config: &RetentionConfig,
    dry_run: bool,
) -> Result<String> {
    let removed = match reach(data, socket, user, "manager")? {
        Reach::Store(store) => store.run_retention(config.policy(), Utc::now(), dry_run)?,
        Reach::Daemon(mut daemon) => match daemon.ask(Ask::Retention { dry_run })? {
            Answer::Removed(removed) => removed,
            _ => bail!("the daemon answered a retention run with something else"),
        },
    };
    Ok(describe(&removed, dry_run))
}

pub fn describe(r: &Removed, dry_run: bool) -> String {
    format!(
        "{} {} sales and refunds, {} Z reports, {} closed shifts, {} journal entries\n",
        if dry_run { "would remove" } else { "removed" },
        r.sales,
        r.z_reports,
        r.shifts,
        r.journal,
    )
}
