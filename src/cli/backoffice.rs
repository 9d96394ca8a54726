//! The one way a back-office command reaches the store: directly when no
//! daemon holds it, or, when `till daemon` does, through the daemon as
//! `--user` (PIN from `$TILL_PIN`, the terminal or standard input), logged
//! in at its back office lane. Through the daemon every request is an
//! `Ask` through the engine's gate, with the permission it needs; a big
//! output (an export, a backup) comes back through the spool in chunks
//! (see `engine::spool`), checked against its size and sha256.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

use super::prompt::pin;
use crate::engine::api::TillApi;
use crate::engine::request::{Answer, Ask};
use crate::engine::spool::{Spooled, SpooledFile};
use crate::engine::{BACK_OFFICE, Command, EngineError, SessionId};
use crate::ipc::client::Client;
use crate::store::{Store, StoreError};

/// Where a command's requests go.
pub enum Reach {
    /// Nobody holds the store: this process opened it.
    Store(Store),
    /// The daemon holds it: a session at its back office.
    Daemon(Daemon),
}

/// Opens the store at `data`, or, if the daemon running on `socket` holds
/// it, logs in there as `user`. `needs` says who may, for the message when
/// no `--user` was given ("a manager").
pub fn reach(data: &Path, socket: &Path, user: Option<&str>, needs: &str) -> Result<Reach> {
    match Store::open(data) {
        Ok(store) => Ok(Reach::Store(store)),
        Err(StoreError::Locked { .. }) if socket.exists() => {
            let Some(user) = user else {
                bail!(
                    "the daemon holds the store: give --user (a {needs}; PIN from $TILL_PIN or standard input) to do this through it"
                );
            };
            Ok(Reach::Daemon(Daemon::login(data, socket, user)?))
        }
        Err(e) => Err(e.into()),
    }
}

/// A back-office session at the daemon; logged out when dropped.
pub struct Daemon {
    pub client: Client,
    pub session: SessionId,
    user: String,
}

impl Daemon {
    /// Logs in at the daemon on `socket`, refused if it serves another store than `data`.
    pub fn login(data: &Path, socket: &Path, user: &str) -> Result<Daemon> {
        let mut client = Client::connect_to_store(Some(data), socket)?;
        let session = client.login(user, &pin()?, BACK_OFFICE)?;
        Ok(Daemon {
            client,
            session,
            user: user.to_string(),
        })
    }

    /// Asks through the engine's gate; a refusal for want of a permission
    /// names the user and the permission.
    pub fn ask(&mut self, ask: Ask) -> Result<Answer> {
        self.client.ask(self.session, ask).map_err(|e| match e {
            EngineError::NeedsApproval(p, _) => anyhow!(
                "{} may not do this: it needs the permission '{}' ({p}), which their role does not have",
                self.user,
                p.name()
            ),
            e => e.into(),
        })
    }

    /// Fetches the spooled file `file` into `dest` (a new file, mode 0600),
    /// checking its size and sha256; a copy that does not match is removed.
    pub fn fetch(&mut self, spooled: &Spooled, file: &SpooledFile, dest: &Path) -> Result<()> {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dest)
            .with_context(|| format!("cannot create {}", dest.display()))?;
        let outcome = (|| {
            let mut hash = Sha256::new();
            let mut offset = 0u64;
            while offset < file.size {
                let ask = Ask::Fetch {
                    handle: spooled.handle.clone(),
                    file: file.name.clone(),
                    offset,
                };
                let Answer::Chunk(chunk) = self.ask(ask)? else {
                    bail!("the daemon answered a fetch with something else");
                };
                if chunk.is_empty() {
                    break;
                }
                hash.update(&chunk);
                out.write_all(&chunk)
                    .with_context(|| format!("cannot write {}", dest.display()))?;
                offset += chunk.len() as u64;
            }
            if offset != file.size || hex::encode(hash.finalize()) != file.sha256 {
                bail!(
                    "{} arrived damaged ({offset} of {} bytes, or another checksum): nothing kept",
                    file.name,
                    file.size
                );
            }
            out.sync_all()
                .with_context(|| format!("cannot write {}", dest.display()))
        })();
        if outcome.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        outcome
    }

    /// Frees the daemon's copy of a spooled output.
    pub fn release(&mut self, spooled: &Spooled) -> Result<()> {
        match self.ask(Ask::Release {
            handle: spooled.handle.clone(),
        })? {
            Answer::Done => Ok(()),
            other => Err(other.unexpected().into()),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.client.execute(self.session, Command::Logout);
    }
}
