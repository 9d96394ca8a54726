//! `till daemon`'s listener: one thread per attached screen, one engine for
//! all of them behind a lock, so commands from the kiosk and from a manager
//! over SSH are applied one at a time, in the order they arrive.
//!
//! The hub keeps who holds which lane (one screen per lane) and each screen's
//! notice stream, on which the daemon pushes the lane's scans and lane news.

use std::collections::{HashMap, HashSet};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::canonical;
use super::door::{self, Door};
use super::frame;
use super::protocol::{Notice, Request, Response, VERSION, WireError};
use crate::accept::Backoff;
use crate::domain::user::Permission;
use crate::engine::request::Ask;
use crate::engine::{Command, Engine, EngineError, SessionId};

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

/// Lane 0: the back office. Any number of screens share it; no scanner
/// feeds it, nothing is sold on it and nobody takes it over.
pub use crate::engine::BACK_OFFICE;

/// Lanes and notice streams, shared by every screen's thread.
pub struct Hub {
    /// The store directory served, canonical, as every Welcome names it.
    store: PathBuf,
    /// Lane → the token of the screen holding it.
    lanes: Mutex<HashMap<u16, u128>>,
    /// Token → where to push that screen's notices.
    streams: Mutex<HashMap<u128, Sender<Notice>>>,
    /// Tokens of the screens attached now.
    live: Mutex<HashSet<u128>>,
}

impl Hub {
    /// The hub of a daemon serving the store in `store`.
    pub fn serving(store: &Path) -> Hub {
        Hub {
            store: canonical(store),
            lanes: Mutex::default(),
            streams: Mutex::default(),
            live: Mutex::default(),
        }
    }

    fn notify(&self, token: u128, notice: Notice) {
        if let Some(tx) = self
            .streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&token)
        {
            let _ = tx.send(notice);
        }
    }

    /// A scan from the daemon's scanner, to the screen holding `lane`, if any.
    pub fn scan(&self, lane: u16, code: String) {
        let holder = self
            .lanes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&lane)
            .copied();
        match holder {
            Some(token) => self.notify(token, Notice::Scan(code)),
            None => tracing::warn!(lane, %code, "a scan for a lane no screen holds: dropped"),
        }
    }

    fn lanes(&self) -> MutexGuard<'_, HashMap<u16, u128>> {
        self.lanes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Serves attached screens until the process ends, within the door's bounds
/// (see `door`): a connection past them is told why and closed at once.
pub fn serve(listener: &Listener, engine: Arc<Mutex<Engine>>, hub: Arc<Hub>) {
    let open_files = crate::accept::raise_open_files();
    tracing::info!(
        open_files,
        connections = door::MAX_SCREENS,
        per_user = door::MAX_PER_USER,
        "serving screens"
    );
    let door = Arc::new(Door::default());
    let mut backoff = Backoff::default();
    let mut turned_away = 0u64;
    loop {
        let stream = match listener.listener.accept() {
            Ok((stream, _)) => {
                backoff.succeeded();
                stream
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                backoff.failed(&e);
                if let Some(at) = backoff.resume.take() {
                    std::thread::sleep(at.saturating_duration_since(std::time::Instant::now()));
                }
                continue;
            }
        };
        let uid =
            rustix::net::sockopt::socket_peercred(&stream).map_or(u32::MAX, |c| c.uid.as_raw());
        let place = match door.enter(uid) {
            Ok(place) => {
                if turned_away > 0 {
                    tracing::info!(turned_away, "taking connections again");
                    turned_away = 0;
                }
                place
            }
            Err(reason) => {
                // One line per burst, not one per connection: a flood must
                // not fill the disk with the log of itself.
                if turned_away == 0 {
                    tracing::warn!(uid, reason, "turning connections away");
                }
                turned_away += 1;
                turn_away(stream, reason);
                continue;
            }
        };
        let (engine, hub) = (engine.clone(), hub.clone());
        let spawned = std::thread::Builder::new()
            .name("screen".into())
            .spawn(move || {
                let _place = place;
                session(stream, &engine, &hub)
            });
        // The closure (with its place and socket) is dropped: the peer sees a close.
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a thread for a screen; it was closed");
        }
    }
}

/// Tells a connection past the door's bounds why, without waiting on it.
fn turn_away(mut stream: UnixStream, reason: &str) {
    let _ = stream.set_nonblocking(true);
    let _ = frame::write(
        &mut stream,
        &Response::Refused {
            reason: reason.to_string(),
        },
    );
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

/// What one attached screen holds.
struct Screen {
    token: u128,
    sessions: HashSet<SessionId>,
    /// Requests refused at the gate so far: a screen of ours never names a
    /// session it does not hold, so after [`MAX_REFUSED`] the connection is
    /// closed (each refusal is journaled, and the journal must not be flooded).
    refused: u32,
    /// Who the kernel says is at the other end ("uid 1001"): wrong PINs lock
    /// a user out from there only (see `engine::lockout`).
    origin: String,
    /// Wrong PINs on this connection in a row; each answer to one waits
    /// longer (see [`login_pause`]), so one connection guesses slowly.
    failed_logins: u32,
    /// How long to wait before the answer now going out.
    pause: Duration,
}

/// The wait before answering a connection's `failures`th wrong PIN in a row:
/// 0.25 s, doubling, at most 8 s. Only that connection waits: the engine is
/// not held meanwhile, so the kiosk sells on.
fn login_pause(failures: u32) -> Duration {
    Duration::from_millis(250 << failures.saturating_sub(1).min(5))
}

/// The origin of a connection's logins: its peer's uid, the same for every
/// connection that user opens, so reconnecting does not forgive.
fn origin(stream: &UnixStream) -> String {
    match rustix::net::sockopt::socket_peercred(stream) {
        Ok(c) => format!("uid {}", c.uid.as_raw()),
        Err(_) => "an unknown peer".to_string(),
    }
}

/// Requests naming a session the connection does not hold before it is closed.
const MAX_REFUSED: u32 = 3;

fn session(mut stream: UnixStream, engine: &Mutex<Engine>, hub: &Hub) {
    let who = peer(&stream);
    tracing::info!(peer = %who, "screen attached");
    let token = {
        use rand_core::RngCore;
        let mut bytes = [0u8; 16];
        rand_core::OsRng.fill_bytes(&mut bytes);
        u128::from_le_bytes(bytes)
    };
    // Registered before the Welcome goes out: the screen's notice stream may
    // subscribe the moment it has its token (CI once lost that race). Whatever
    // way this thread ends (the screen left, sent garbage, or a request
    // panicked), the guard ends its sessions and frees its lanes.
    let mut guard = Attached {
        engine,
        hub,
        who: who.clone(),
        screen: Screen {
            token,
            sessions: HashSet::new(),
            refused: 0,
            origin: origin(&stream),
            failed_logins: 0,
            pause: Duration::ZERO,
        },
    };
    hub.live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token);
    let _ = stream.set_write_timeout(Some(door::WRITE_TIME));
    let hello_by = Some(std::time::Instant::now() + door::HELLO_TIME);
    match door::read::<Request>(&stream, door::ANONYMOUS_FRAME, hello_by) {
        Ok(Some(Request::Hello { version })) if version == VERSION => {
            let settings = Box::new(lock(engine).settings().clone());
            let store = hub.store.clone();
            if frame::write(
                &mut stream,
                &Response::Welcome {
                    version: VERSION,
                    settings,
                    store,
                    token,
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
        let limit = if guard.screen.sessions.is_empty() {
            door::ANONYMOUS_FRAME
        } else {
            frame::MAX_FRAME
        };
        let request = match door::read::<Request>(&stream, limit, None) {
            // Only a fresh connection becomes a notice stream, and only for a
            // screen attached now that has none yet.
            Ok(Some(Request::Subscribe { token: wanted })) if guard.screen.sessions.is_empty() => {
                let live = hub
                    .live
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains(&wanted);
                let free = !hub
                    .streams
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains_key(&wanted);
                if live && free && wanted != token {
                    drop(guard);
                    return notices(stream, hub, wanted);
                }
                let _ = frame::write(
                    &mut stream,
                    &Response::Refused {
                        reason: "no such screen".into(),
                    },
                );
                return;
            }
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(peer = %who, "dropping a screen that sent garbage: {e}");
                break;
            }
        };
        let response = answer(engine, hub, &mut guard.screen, &who, request);
        std::thread::sleep(std::mem::take(&mut guard.screen.pause));
        if frame::write(&mut stream, &response).is_err() || guard.screen.refused >= MAX_REFUSED {
            break;
        }
    }
}

/// An attached screen; dropping it detaches the screen.
struct Attached<'a> {
    engine: &'a Mutex<Engine>,
    hub: &'a Hub,
    who: String,
    screen: Screen,
}

impl Drop for Attached<'_> {
    /// The screen is gone (closed, crashed, SSH dropped): end its sessions and
    /// free its lanes. A sale it left open stays on its lane for the next login.
    fn drop(&mut self) {
        let token = self.screen.token;
        let mut engine = lock(self.engine);
        for session in self.screen.sessions.drain() {
            let _ = engine.execute(session, Command::Logout);
        }
        self.hub.lanes().retain(|_, holder| *holder != token);
        self.hub
            .streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&token);
        self.hub
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&token);
        tracing::info!(peer = %self.who, "screen detached");
    }
}

fn notices(mut stream: UnixStream, hub: &Hub, token: u128) {
    let (tx, rx) = mpsc::channel();
    hub.streams
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token, tx);
    if frame::write(&mut stream, &Response::Subscribed).is_err() {
        return;
    }
    for notice in rx {
        if frame::write(&mut stream, &notice).is_err() {
            break;
        }
    }
    hub.streams
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&token);
}

fn answer(
    engine: &Mutex<Engine>,
    hub: &Hub,
    screen: &mut Screen,
    who: &str,
    request: Request,
) -> Response {
    let mut engine = lock(engine);
    let result = match request {
        Request::Hello { .. } | Request::Subscribe { .. } => {
            return Response::Refused {
                reason: "that belongs at the start of a connection".into(),
            };
        }
        Request::Login { user, pin, lane } => {
            // A lane is one screen's: the kiosk's lane cannot be logged into
            // from an SSH session by accident.
            let mut lanes = hub.lanes();
            match lanes.get(&lane) {
                Some(holder) if *holder != screen.token && lane != BACK_OFFICE => {
                    Err(EngineError::LaneBusy(lane))
                }
                _ => {
                    let outcome = engine.login_from(&user, &pin, lane, &screen.origin);
                    if let Err(EngineError::BadLogin | EngineError::LockedOut { .. }) = outcome {
                        screen.failed_logins += 1;
                        screen.pause = login_pause(screen.failed_logins);
                    }
                    outcome.map(|session| {
                        tracing::info!(peer = %who, %user, lane, "login");
                        screen.failed_logins = 0;
                        if lane != BACK_OFFICE {
                            lanes.insert(lane, screen.token);
                        }
                        screen.sessions.insert(session);
                        Response::Session(session)
                    })
                }
            }
        }
        Request::TakeLane {
            lane: BACK_OFFICE, ..
        } => Err(EngineError::LaneBusy(BACK_OFFICE)),
        Request::TakeLane { lane, approval } => {
            let what = format!("lane {lane} taken over by {who}");
            engine
                .approve(&approval, Permission::TakeLane, what, &screen.origin)
                .map(|by| {
                    let previous = hub.lanes().insert(lane, screen.token);
                    if let Some(previous) = previous.filter(|p| *p != screen.token) {
                        engine.end_lane(lane);
                        hub.notify(previous, Notice::LaneTaken { lane, by });
                    }
                    Response::LaneTaken
                })
        }
        Request::SyncStatus => engine
            .sync_status()
            .map(|s| Response::SyncStatus(Box::new(s))),
        // The gate: a screen may use only the sessions it logged in itself.
        // Another screen's, an ended or a made-up one is refused before any
        // handler runs, and the attempt is journaled.
        Request::As { session, ask } if !screen.sessions.contains(&session) => {
            screen.refused += 1;
            tracing::warn!(peer = %who, asked = ask.name(), "a request named a session this screen does not hold");
            if let Err(e) = engine.journal_refusal(who, ask.name()) {
                tracing::error!(error = %e, "cannot journal a refused request");
            }
            Err(EngineError::NoSession)
        }
        Request::As { session, ask } => {
            let logout = ask == Ask::Execute(Command::Logout);
            let answer = engine.ask(session, ask);
            if logout && answer.is_ok() {
                screen.sessions.remove(&session);
            }
            answer.map(Response::Answer)
        }
    };
    result.unwrap_or_else(|e| Response::Error(WireError::from(&e)))
}
