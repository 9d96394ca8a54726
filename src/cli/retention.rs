//! `till retention run [--dry-run]`, and the daemon's daily run: removes
//! what `[retention]` says is past its time, once safe (see
//! `store::retention`), and trims the log file.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::config::RetentionConfig;
use crate::store::Store;
use crate::store::retention::Removed;

pub fn run(data: &Path, config: &RetentionConfig, dry_run: bool) -> Result<String> {
    let store = Store::open(data)?;
    let now = Utc::now();
    let removed = store.run_retention(config.policy(), now, dry_run)?;
    let log = trim_log(&data.join("till.log"), config.log_days, now, dry_run)?;
    Ok(describe(&removed, log, dry_run))
}

pub fn describe(r: &Removed, log_lines: usize, dry_run: bool) -> String {
    format!(
        "{} {} sales and refunds, {} Z reports, {} closed shifts, {} journal entries, {} log lines\n",
        if dry_run { "would remove" } else { "removed" },
        r.sales,
        r.z_reports,
        r.shifts,
        r.journal,
        log_lines
    )
}

/// Drops the log's lines older than `days` (a line's time is its first
/// word, as the log writes it); lines without one stay. Returns how many went.
pub fn trim_log(path: &Path, days: u32, now: DateTime<Utc>, dry_run: bool) -> Result<usize> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(0);
    };
    let cutoff = now - chrono::Duration::days(i64::from(days));
    let old = |line: &str| {
        line.split_whitespace()
            .next()
            .and_then(|w| DateTime::parse_from_rfc3339(w).ok())
            .is_some_and(|t| t < cutoff)
    };
    let kept: Vec<&str> = text.lines().filter(|l| !old(l)).collect();
    let gone = text.lines().count() - kept.len();
    if gone > 0 && !dry_run {
        let mut out = kept.join("\n");
        out.push('\n');
        std::fs::write(path, out)?;
    }
    Ok(gone)
}
