//! `till backup --out FILE` and `till restore FILE`.
//!
//! With no daemon, the backup is read from the store directly. With one, the
//! daemon takes it under its engine lock, so it is one moment of a store that
//! keeps selling; that needs a user allowed to (`backup`, manager).

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::prompt::pin;
use crate::engine::BACK_OFFICE;
use crate::engine::api::TillApi;
use crate::ipc::client::Client;
use crate::store::backup::{self, Summary};
use crate::store::{Store, StoreError, identity};

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
    match Store::open(data) {
        Ok(store) => {
            identity::write_secret(out, &store.backup(with_keys)?)?;
            let event = crate::store::journal::JournalEvent::BackupTaken { with_keys };
            store.append_journal(None, event)?;
            Ok(())
        }
        Err(StoreError::Locked { .. }) if socket.exists() => {
            let Some(user) = user else {
                bail!(
                    "the daemon holds the store: give --user (a manager) to take the backup through it"
                );
            };
            let mut client = Client::connect_to_store(Some(data), socket)?;
            let session = client.login(user, &pin()?, BACK_OFFICE)?;
            let made = client.backup(session, with_keys);
            let _ = client.execute(session, crate::engine::Command::Logout);
            let made = made?;
            let bytes = std::fs::read(&made).with_context(|| {
                format!("the daemon wrote {}, which cannot be read", made.display())
            })?;
            identity::write_secret(out, &bytes)?;
            // The daemon's copy may not be ours to remove; it is 0600 either way.
            let _ = std::fs::remove_file(&made);
            Ok(())
        }
        Err(e) => Err(e.into()),
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
