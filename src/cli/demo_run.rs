//! `till --demo`: the demo store, made on first use.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::args::InitArgs;
use super::init;

/// `--data` if given, else a per-user directory that survives reboots, else /tmp.
pub fn demo_dir(data: Option<&Path>) -> PathBuf {
    if let Some(d) = data {
        return d.to_path_buf();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("till").join("demo")
}

/// The demo store's directory, created with the demo catalog if it is not there.
pub fn ensure(data: Option<&Path>) -> Result<PathBuf> {
    let dir = demo_dir(data);
    if !dir.join("db").exists() {
        drop(init::run(&dir, &InitArgs::demo())?);
        eprintln!("created a demo store at {}", dir.display());
    }
    Ok(dir)
}
