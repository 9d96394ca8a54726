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
use crate::ipc::client::{Client, ConnectError};
use crate::store::Store;

/// Where a command's requests go.
#[expect(
    clippy::large_enum_variant,
    reason = "one per command run, used in place: boxing the store buys nothing"
)]
pub enum Reach {
    /// Nobody holds the store: this process opened it.
    Store(Store),
    /// The daemon holds it: a session at its back office.
    Daemon(Daemon),
}

/// Through the daemon on `socket` if it serves the store at `data`,
/// logged in there as `user`; else the store, opened here. The daemon is
/// asked first: while it runs the store is its own, and a manager who may
/// not write the store's directory still reaches it through the daemon.
/// `needs` says who may, for the message when no `--user` was given ("a
/// manager").
pub fn reach(data: &Path, socket: &Path, user: Option<&str>, needs: &str) -> Result<Reach> {
    let Some(client) = serving(data, socket)? else {
        return Ok(Reach::Store(Store::open(data)?));
    };
    let Some(user) = user else {
        bail!(
            "the daemon holds the store: give --user (a {needs}; PIN from $TILL_PIN or standard input) to do this through it"
        );
    };
    Ok(Reach::Daemon(Daemon::login(client, user)?))
}

/// The daemon on `socket`, if one listens there and serves the store at
/// `data`. No daemon (no socket, or a stale one) and a daemon of another
/// store are `None`: the store is then opened here, if nobody holds it.
/// A daemon that is there but will not talk (the socket's permissions, a
/// full house, another version) is the error the user must see.
pub fn serving(data: &Path, socket: &Path) -> Result<Option<Client>, ConnectError> {
    if !socket.exists() {
        return Ok(None);
    }
    match Client::connect_to_store(Some(data), socket) {
        Ok(client) => Ok(Some(client)),
        Err(ConnectError::OtherStore { .. }) => Ok(None),
        Err(ConnectError::Unreachable { source, .. })
            if matches!(
                source.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A back-office session at the daemon; logged out when dropped.
pub struct Daemon {
    pub client: Client,
    pub session: SessionId,
    user: String,
}

impl Daemon {
    /// Logs in at the daemon `client` is attached to, at its back office.
    fn login(mut client: Client, user: &str) -> Result<Daemon> {
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
