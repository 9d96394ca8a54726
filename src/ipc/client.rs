//! A till screen's end of the daemon socket: the same `TillApi` as the engine
//! in-process, one request and one answer at a time.

use std::os::unix::net::UnixStream;
use std::path::Path;

use super::frame;
use super::protocol::{Notice, Request, Response, VERSION};
use crate::engine::api::TillApi;
use crate::engine::request::{Answer, Ask};
use crate::engine::{Approval, EngineError, SessionId};
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;

pub struct Client {
    stream: UnixStream,
    settings: StoreSettings,
    path: std::path::PathBuf,
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
}

impl Client {
    pub fn connect(path: &Path) -> Result<Client, ConnectError> {
        let unreachable = |source| ConnectError::Unreachable {
            path: path.display().to_string(),
            source,
        };
        let mut stream = UnixStream::connect(path).map_err(unreachable)?;
        frame::write(&mut stream, &Request::Hello { version: VERSION }).map_err(unreachable)?;
        match frame::read::<Response>(&mut stream) {
            Ok(Some(Response::Welcome {
                settings, token, ..
            })) => Ok(Client {
                stream,
                settings: *settings,
                path: path.to_path_buf(),
                token,
            }),
            Ok(Some(Response::Refused { reason })) => Err(ConnectError::Refused(reason)),
            Ok(other) => Err(ConnectError::Protocol(format!("{other:?}"))),
            Err(e) => Err(ConnectError::Protocol(e.to_string())),
        }
    }

    /// Opens this screen's notice stream: the daemon pushes the held lane's
    /// scans and lane news on it, read here on a thread of its own.
    pub fn notices(&self) -> Result<std::sync::mpsc::Receiver<Notice>, ConnectError> {
        let unreachable = |source| ConnectError::Unreachable {
            path: self.path.display().to_string(),
            source,
        };
        let mut stream = UnixStream::connect(&self.path).map_err(unreachable)?;
        frame::write(&mut stream, &Request::Hello { version: VERSION }).map_err(unreachable)?;
        match frame::read::<Response>(&mut stream) {
            Ok(Some(Response::Welcome { .. })) => {}
            other => return Err(ConnectError::Protocol(format!("{other:?}"))),
        }
        frame::write(&mut stream, &Request::Subscribe { token: self.token })
            .map_err(unreachable)?;
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
        frame::write(&mut self.stream, request).map_err(lost)?;
        match frame::read::<Response>(&mut self.stream).map_err(lost)? {
            Some(Response::Error(e)) => Err(e.into()),
            Some(response) => Ok(response),
            None => Err(EngineError::Remote(
                "the till daemon closed the connection".into(),
            )),
        }
    }
}

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
