//! `till retention run [--dry-run]`, and the daemon's daily run: removes
//! what `[retention]` says is past its time, once safe (see
//! `store::retention`). The screen's log files keep their own days (see
//! `logging`): nothing here rewrites a file another process appends to.

use std::path::Path;

use anyhow::Result;
use chrono::Utc;

use crate::store::Store;
use crate::store::retention::Removed;
use crate::store::retention::RetentionConfig;

pub fn run(data: &Path, config: &RetentionConfig, dry_run: bool) -> Result<String> {
    let store = Store::open(data)?;
    let removed = store.run_retention(config.policy(), Utc::now(), dry_run)?;
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
