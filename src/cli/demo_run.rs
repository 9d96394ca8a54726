//! `till --demo`: a demo store made on first use, and a demo sale replayed on it.
//! Until the full-screen till lands, this is what README's first command shows.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::args::InitArgs;
use super::{init, script};

const DEMO_SCRIPT: &str = include_str!("demo_sale.till");

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

pub fn run(data: Option<&Path>) -> Result<()> {
    let dir = demo_dir(data);
    if !dir.join("db").exists() {
        drop(init::run(&dir, &InitArgs::demo())?);
        println!("created a demo store at {}", dir.display());
    }
    let script_path = dir.join("demo-sale.till");
    std::fs::write(&script_path, DEMO_SCRIPT)?;
    println!(
        "replaying the demo sale ({}) on {}",
        script_path.display(),
        dir.display()
    );
    script::run(&dir, &script_path)
}
