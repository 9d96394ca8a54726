//! The sync worker's section of till.toml, `[sync]`: how batches are cut
//! and how patiently head office is asked, and the bounds on each.

use serde::{Deserialize, Serialize};

use crate::proto::http::MAX_BODY;
use crate::textfile::Invalid;

/// How the till sends to head office. Where head office is comes from the
/// enrolment bundle (`till sync join`), not from here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Journal entries per batch, at most.
    pub batch_entries: usize,
    /// Size of a batch's records, at most, in KiB.
    pub batch_kib: usize,
    /// Send what waits once its oldest entry is this old, even if the batch
    /// is not full (0: at once).
    pub batch_age_seconds: u64,
    /// How often the worker looks for new entries when it has nothing to send.
    pub poll_ms: u64,
    /// The first wait after a failure; it doubles (with jitter) up to `retry_max_seconds`.
    pub retry_min_ms: u64,
    pub retry_max_seconds: u64,
    /// How long any one step of a request (connect, send, answer) may take.
    pub timeout_seconds: u64,
    /// How often to ask head office for catalog changes.
    pub catalog_minutes: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            batch_entries: 500,
            batch_kib: 1024,
            batch_age_seconds: 30,
            poll_ms: 2000,
            retry_min_ms: 1000,
            retry_max_seconds: 300,
            timeout_seconds: 30,
            catalog_minutes: 5,
        }
    }
}

impl SyncConfig {
    /// Every number more than 0 (but the batch age), and at most a bound
    /// that keeps the worker's arithmetic (backoff, ages) far from overflow,
    /// catches a value typed in the wrong unit, and keeps a batch within
    /// half a request's body.
    pub fn check(&self) -> Result<(), Invalid> {
        const DAY: u64 = 86_400;
        let most_kib = (MAX_BODY / 2048) as u64;
        for (key, value, max) in [
            ("batch_entries", self.batch_entries as u64, 100_000),
            ("batch_kib", self.batch_kib as u64, most_kib),
            ("batch_age_seconds", self.batch_age_seconds, DAY),
            ("poll_ms", self.poll_ms, DAY * 1000),
            ("retry_min_ms", self.retry_min_ms, DAY * 1000),
            ("retry_max_seconds", self.retry_max_seconds, DAY),
            ("timeout_seconds", self.timeout_seconds, DAY),
            ("catalog_minutes", self.catalog_minutes, 7 * 24 * 60),
        ] {
            if value == 0 && key != "batch_age_seconds" {
                return Err(Invalid::new(key, format!("{key} must be more than 0")));
            }
            if value > max {
                return Err(Invalid::new(key, format!("{key} is at most {max}")));
            }
        }
        Ok(())
    }
}
