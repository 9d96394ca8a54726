//! `till backup --out FILE` and `till restore FILE`.
//!
//! With no daemon, the backup is read from the store directly. With one, the
//! daemon takes it under its engine lock, so it is one moment of a store that
//! keeps selling; that needs a user allowed to (`backup`, manager), and it
//! comes back through the daemon's spool (see `backoffice`).

use std::path::Path;

use anyhow::{Result, bail};

use super::backoffice::{Reach, reach};
use crate::engine::request::{Answer, Ask};
use crate::store::backup::{self, Summary};
use crate::store::identity;

pub fn take(
    data: &Path,
    socket: &Path,
    out: &Path,
    with_keys: bool,
    user: Option<&str>,
) -> Result<()> {
    if out.exists() {
        bail!("{} exists: a backup never overwrites a file", out.display());
    }
    match reach(data, socket, user, "manager")? {
        Reach::Store(store) => {
            identity::write_secret(out, &store.backup(with_keys)?)?;
            let event = crate::store::journal::JournalEvent::BackupTaken { with_keys };
            store.append_journal(None, event)?;
            Ok(())
        }
        Reach::Daemon(mut daemon) => {
            let Answer::Spooled(spooled) = daemon.ask(Ask::Backup { with_keys })? else {
                bail!("the daemon answered a backup with something else");
            };
            let [file] = spooled.files.as_slice() else {
                bail!("the daemon's backup is not one file");
            };
            daemon.fetch(&spooled, file, out)?;
            daemon.release(&spooled)
        }
    }
}

pub fn restore(file: &Path, data: &Path, force: bool) -> Result<String> {
    let (summary, aside): (Summary, _) = backup::restore(file, data, force)?;
    let mut text = format!(
        "restored {} records of terminal {} as of {} into {}\n",
        summary.records,
        summary.terminal,
        summary.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        data.display()
    );
    if let Some(aside) = aside {
        text += &format!("the store it replaced is kept at {}\n", aside.display());
    }
    Ok(text)
}
