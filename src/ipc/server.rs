//! `till daemon`'s listener: one thread per attached screen, one engine for
//! all of them behind a lock, so commands from the kiosk and from a manager
//! over SSH are applied one at a time, in the order they arrive.

use std::collections::HashSet;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::frame;
use super::protocol::{Request, Response, VERSION, WireError};
use crate::engine::{Command, Engine, SessionId};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("a till daemon already listens on {0}: stop it first (systemctl stop till)")]
    AlreadyRunning(PathBuf),
    #[error("cannot listen on {path}: {source}")]
    Bind { path: PathBuf, source: io::Error },
}

/// The bound socket; removed again when dropped.
pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the socket (mode 0660: the `till` group may attach). A socket file
/// left by a daemon that died is replaced; one that answers is not.
pub fn bind(path: &Path) -> Result<Listener, ServeError> {
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(ServeError::AlreadyRunning(path.to_path_buf()));
        }
        let _ = std::fs::remove_file(path);
    }
    let bind_err = |source| ServeError::Bind {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(bind_err)?;
    }
    let listener = UnixListener::bind(path).map_err(bind_err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)).map_err(bind_err)?;
    Ok(Listener {
        listener,
        path: path.to_path_buf(),
    })
}

/// Serves attached screens until the process ends.
pub fn serve(listener: &Listener, engine: Arc<Mutex<Engine>>) {
    for stream in listener.listener.incoming() {
        match stream {
            Ok(stream) => {
                let engine = engine.clone();
                std::thread::spawn(move || session(stream, &engine));
            }
            Err(e) => tracing::warn!("accepting a screen failed: {e}"),
        }
    }
}

fn lock(engine: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    // A thread that panicked mid-command left no half-done state behind: the
    // engine applies a command to a copy and saves it whole, or not at all.
    engine
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who is at the other end, from the kernel (SO_PEERCRED), for the log.
fn peer(stream: &UnixStream) -> String {
    match rustix::net::sockopt::socket_peercred(stream) {
        Ok(c) => format!(
            "pid {} uid {} gid {}",
            c.pid.as_raw_nonzero(),
            c.uid.as_raw(),
            c.gid.as_raw()
        ),
        Err(e) => format!("unknown peer ({e})"),
    }
}

fn session(mut stream: UnixStream, engine: &Mutex<Engine>) {
    let who = peer(&stream);
    tracing::info!(peer = %who, "screen attached");
    let mut mine: HashSet<SessionId> = HashSet::new();
    match frame::read::<Request>(&mut stream) {
        Ok(Some(Request::Hello { version })) if version == VERSION => {
            let settings = Box::new(lock(engine).settings().clone());
            if frame::write(
                &mut stream,
                &Response::Welcome {
                    version: VERSION,
                    settings,
                },
            )
            .is_err()
            {
                return;
            }
        }
        Ok(Some(Request::Hello { version })) => {
            let reason = format!(
                "this till speaks protocol {version} and the daemon protocol {VERSION}: \
                 install the same Till version on both (till --version)"
            );
            tracing::warn!(peer = %who, "{reason}");
            let _ = frame::write(&mut stream, &Response::Refused { reason });
            return;
        }
        Ok(_) | Err(_) => {
            let reason = "the first message must be Hello with the protocol version".to_string();
            let _ = frame::write(&mut stream, &Response::Refused { reason });
            return;
        }
    }
    loop {
        let request = match frame::read::<Request>(&mut stream) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(peer = %who, "dropping a screen that sent garbage: {e}");
                break;
            }
        };
        let response = answer(engine, &mut mine, &who, request);
        if frame::write(&mut stream, &response).is_err() {
            break;
        }
    }
    // The screen is gone (closed, crashed, SSH dropped): end its sessions. A
    // sale it left open stays on its lane for the next login.
    let mut engine = lock(engine);
    for session in mine {
        let _ = engine.execute(session, Command::Logout);
    }
    tracing::info!(peer = %who, "screen detached");
}

fn answer(
    engine: &Mutex<Engine>,
    mine: &mut HashSet<SessionId>,
    who: &str,
    request: Request,
) -> Response {
    let mut engine = lock(engine);
    let result = match request {
        Request::Hello { .. } => {
            return Response::Refused {
                reason: "Hello was already said".into(),
            };
        }
        Request::Login { user, pin, lane } => engine.login(&user, &pin, lane).map(|session| {
            tracing::info!(peer = %who, %user, lane, "login");
            mine.insert(session);
            Response::Session(session)
        }),
        // A screen may use only the sessions it logged in itself.
        Request::Execute { session, .. } | Request::Cart { session }
            if !mine.contains(&session) =>
        {
            return Response::Error(WireError::NoSession);
        }
        Request::Execute { session, command } => {
            let logout = command == Command::Logout;
            let events = engine.execute(session, command);
            if logout && events.is_ok() {
                mine.remove(&session);
            }
            events.map(Response::Events)
        }
        Request::Cart { session } => engine
            .cart(session)
            .map(|c| Response::Cart(c.map(Box::new))),
        Request::Search { query, limit } => engine
            .search(&query, limit as usize)
            .map(Response::Products),
        Request::Held => engine.held().map(Response::Held),
        Request::Receipt { receipt } => engine
            .receipt(receipt)
            .map(|r| Response::Receipt(Box::new(r))),
        Request::Journal { limit } => engine.journal(limit as usize).map(Response::Journal),
        Request::Backlog => Ok(Response::Backlog(engine.sync_backlog() as u64)),
    };
    result.unwrap_or_else(|e| Response::Error(WireError::from(&e)))
}
