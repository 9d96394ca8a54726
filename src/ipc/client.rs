//! A till screen's end of the daemon socket: the same `TillApi` as the engine
//! in-process, one request and one answer at a time.

use std::io::ErrorKind;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::frame;
use super::protocol::{Notice, Request, Response, VERSION};
use crate::engine::api::TillApi;
use crate::engine::request::{Answer, Ask};
use crate::engine::{Approval, EngineError, SessionId};
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;

/// Cheap to clone: clones share one connection, so a screen's reconnecting
/// thread can [`Client::redial`] the one its screen asks through.
#[derive(Clone)]
pub struct Client {
    link: Arc<Mutex<Link>>,
    settings: StoreSettings,
    path: PathBuf,
    /// The store directory the daemon serves, as its Welcome said.
    store: PathBuf,
}

/// One connection to the daemon, and the token its Welcome gave.
struct Link {
    stream: UnixStream,
    token: u128,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "cannot reach the till daemon at {path}: {source} (is it running? systemctl status till)"
    )]
    Unreachable {
        path: String,
        source: std::io::Error,
    },
    #[error("the till daemon refused this screen: {0}")]
    Refused(String),
    #[error("the till daemon answered oddly: {0}")]
    Protocol(String),
    #[error(
        "the till daemon on {socket} serves the store at {serves}, not {wanted}: \
         give that store's --data, or the --socket of the daemon serving {wanted}"
    )]
    OtherStore {
        socket: String,
        serves: String,
        wanted: String,
    },
}

impl Client {
    /// Attaches to the daemon on `socket`, whichever store it serves: to
    /// learn which it is (`Cli::store_dir`), and for tests of the
    /// transport. Screens and commands use [`Client::connect_to_store`].
    pub fn connect(socket: &Path) -> Result<Client, ConnectError> {
        let (link, settings, store) = hello(socket)?;
        Ok(Client {
            link: Arc::new(Mutex::new(link)),
            settings,
            path: socket.to_path_buf(),
            store,
        })
    }

    /// Attaches to the daemon on `socket` if it serves the store in `data`,
    /// and refuses, naming both stores, if it serves another. With no
    /// `data` (no --data given) the daemon's store is the one meant.
    /// The socket to try is `Cli::socket_path`'s, which reads the one the
    /// daemon of `data` recorded there.
    pub fn connect_to_store(data: Option<&Path>, socket: &Path) -> Result<Client, ConnectError> {
        let client = Client::connect(socket)?;
        if let Some(data) = data {
            let wanted = super::canonical(data);
            if wanted != client.store {
                return Err(ConnectError::OtherStore {
                    socket: socket.display().to_string(),
                    serves: client.store.display().to_string(),
                    wanted: wanted.display().to_string(),
                });
            }
        }
        Ok(client)
    }

    /// The store directory the daemon serves.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// Attaches again, after the daemon restarted, to the same socket and
    /// only if it still serves the same store; the clones of this client
    /// ask through the new connection. Sessions died with the old daemon.
    pub fn redial(&self) -> Result<(), ConnectError> {
        let (link, _, store) = hello(&self.path)?;
        if store != self.store {
            return Err(ConnectError::OtherStore {
                socket: self.path.display().to_string(),
                serves: store.display().to_string(),
                wanted: self.store.display().to_string(),
            });
        }
        *self.link() = link;
        Ok(())
    }

    fn link(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens this screen's notice stream: the daemon pushes the held lane's
    /// scans and lane news on it, read here on a thread of its own. The
    /// receiver ends when the daemon goes.
    pub fn notices(&self) -> Result<std::sync::mpsc::Receiver<Notice>, ConnectError> {
        let unreachable = |source| ConnectError::Unreachable {
            path: self.path.display().to_string(),
            source,
        };
        let token = self.link().token;
        let (Link { mut stream, .. }, _, _) = hello(&self.path)?;
        frame::write(&mut stream, &Request::Subscribe { token }).map_err(unreachable)?;
        match frame::read::<Response>(&mut stream) {
            Ok(Some(Response::Subscribed)) => {}
            other => return Err(ConnectError::Protocol(format!("{other:?}"))),
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(Some(notice)) = frame::read::<Notice>(&mut stream) {
                if tx.send(notice).is_err() {
                    break;
                }
            }
        });
        Ok(rx)
    }

    fn call(&mut self, request: &Request) -> Result<Response, EngineError> {
        let lost = |e: std::io::Error| EngineError::Remote(format!("lost the till daemon: {e}"));
        let mut link = self.link();
        frame::write(&mut link.stream, request).map_err(lost)?;
        match frame::read::<Response>(&mut link.stream).map_err(lost)? {
            Some(Response::Error(e)) => Err(e.into()),
            Some(response) => Ok(response),
            None => Err(EngineError::Remote(
                "the till daemon closed the connection".into(),
            )),
        }
    }
}

/// Opens a connection and says Hello: the link, the store's settings and
/// the store directory the daemon serves.
fn hello(path: &Path) -> Result<(Link, StoreSettings, PathBuf), ConnectError> {
    let unreachable = |source| ConnectError::Unreachable {
        path: path.display().to_string(),
        source,
    };
    let mut stream = UnixStream::connect(path).map_err(unreachable)?;
    frame::write(&mut stream, &Request::Hello { version: VERSION }).map_err(unreachable)?;
    // A daemon that accepts and never welcomes (hung, or not a till daemon)
    // must not hold a screen or a command for ever; once welcomed, a
    // screen waits as long as its user does.
    stream
        .set_read_timeout(Some(WELCOME_WITHIN))
        .map_err(unreachable)?;
    let welcome = frame::read::<Response>(&mut stream);
    stream.set_read_timeout(None).map_err(unreachable)?;
    match welcome {
        Ok(Some(Response::Welcome {
            settings,
            token,
            store,
            ..
        })) => Ok((Link { stream, token }, *settings, store)),
        Ok(Some(Response::Refused { reason })) => Err(ConnectError::Refused(reason)),
        Ok(other) => Err(ConnectError::Protocol(format!("{other:?}"))),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Err(ConnectError::Protocol(format!(
                "no welcome within {} s: is the daemon hung? (systemctl status till)",
                WELCOME_WITHIN.as_secs()
            )))
        }
        Err(e) => Err(ConnectError::Protocol(e.to_string())),
    }
}

/// How long a daemon has to answer a Hello.
const WELCOME_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

fn unexpected(r: Response) -> EngineError {
    EngineError::Remote(format!("the till daemon answered oddly: {r:?}"))
}

impl TillApi for Client {
    fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    fn login(&mut self, user: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError> {
        match self.call(&Request::Login {
            user: user.into(),
            pin: pin.into(),
            lane,
        })? {
            Response::Session(s) => Ok(s),
            r => Err(unexpected(r)),
        }
    }

    fn take_lane(&mut self, lane: u16, approval: Approval) -> Result<(), EngineError> {
        match self.call(&Request::TakeLane { lane, approval })? {
            Response::LaneTaken => Ok(()),
            r => Err(unexpected(r)),
        }
    }

    fn sync_status(&mut self) -> Option<SyncStatus> {
        match self.call(&Request::SyncStatus) {
            Ok(Response::SyncStatus(status)) => Some(*status),
            _ => None,
        }
    }

    fn ask(&mut self, session: SessionId, ask: Ask) -> Result<Answer, EngineError> {
        match self.call(&Request::As { session, ask })? {
            Response::Answer(answer) => Ok(answer),
            r => Err(unexpected(r)),
        }
    }
}
