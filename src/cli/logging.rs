//! Where logs go: stderr for commands, a file for the till screen (which owns
//! the terminal, so a log line there would tear the picture).

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::EnvFilter;

/// Level from `TILL_LOG` (e.g. `info`, `till=debug`); warnings by default.
fn filter() -> EnvFilter {
    EnvFilter::try_from_env("TILL_LOG").unwrap_or_else(|_| EnvFilter::new("warn"))
}

pub fn to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .init();
}

pub fn to_file(path: &Path) -> Result<()> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .init();
    Ok(())
}
