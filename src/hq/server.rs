//! `till hq serve`: head office's HTTPS endpoint, on rustls.
//!
//! Two stages, so that slow or idle peers cannot shut out terminals or head
//! office's own commands:
//! - The door: one thread with epoll, holding every connection that has not
//!   yet finished its TLS handshake and request head, non-blocking. Each has
//!   [`HEAD_DEADLINE`] from its accept to do both, or it is dropped; at most
//!   [`MAX_PENDING`] wait (fewer if the open-file limit is low), and when that
//!   many do, the oldest is dropped for each newcomer, so a new peer always
//!   gets its chance. A head over the limits is answered here (431, 413, 400)
//!   and the connection closed.
//! - The serving slots: [`SERVING_SLOTS`] threads take requests whose head is
//!   in, read the body (at no less than [`MIN_RATE`]), run the route and
//!   answer; [`ADMIN_SLOTS`] more serve only `POST /v1/admin` from this
//!   machine, so `till hq ...` works whatever terminals are doing. Requests
//!   waiting for a slot are bounded too ([`QUEUED`]); past that, 503.
//!
//! Threads and memory so stay bounded whatever the number of connections;
//! one request per connection (no keep-alive), so nothing idles in a slot.
//!
//! Routes:
//! - `POST /v1/batches`: a signed batch; answers a signed acknowledgement
//!   (200) or a refusal with its reason (400, 403, 409). A storage failure
//!   here answers 503 and the terminal tries again later.
//! - `GET /v1/catalog?after=N`: the next signed catalog change set (200), or
//!   204 when the terminal has them all.
//! - `GET /v1/health`: 200 when head office is serving.
//! - `POST /v1/admin`: `till hq` commands from this machine (see `admin`).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::buffer::spare_capacity;
use rustix::event::{Timespec, epoll};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::Hq;
use crate::accept::{Backoff, raise_open_files};
use crate::proto::http::{self, Request, RequestHead};
use crate::proto::wire::Refusal;
use crate::store::envelope::encode;

/// Requests served at once (a thread each). More wait in the queue.
const SERVING_SLOTS: usize = 64;
/// Slots only for `POST /v1/admin` from this machine: `till hq ...` must
/// answer even while every terminal slot is busy.
const ADMIN_SLOTS: usize = 4;
/// Requests whose head is in, waiting for a slot; past this, 503 at once.
const QUEUED: usize = 2 * SERVING_SLOTS;
/// How long a new connection has, from its accept, to finish the TLS
/// handshake and send its whole request head. A terminal needs a few
/// milliseconds; a peer that dawdles is dropped.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Connections at the door (before their head is in), at most: each holds a
/// socket and a TLS state of some tens of KiB, so 1024 cost well under
/// 64 MiB. Lowered to fit the open-file limit (see `pending_cap`).
const MAX_PENDING: usize = 1024;
/// Open files kept for everything but the door: the slots' and the queue's
/// sockets, the store's files, the listener and epoll.
const RESERVED_FILES: usize = SERVING_SLOTS + ADMIN_SLOTS + QUEUED + 64;
/// The slowest a body may arrive or an answer be taken, in bytes a second:
/// reading a body, and then writing the answer, may each take `TIMEOUT`
/// plus the size at this rate, and no longer.
const MIN_RATE: u64 = 64 * 1024;
/// The longest any one read or write in a slot may wait. Generous: a body
/// a network held up (and its terminal gave up on and sent again) is still
/// worth storing, since the retry is then acknowledged from what is held.
const TIMEOUT: Duration = Duration::from_secs(30);
/// After a refusal at the door, how long the rest of what the peer sends is
/// read and thrown away: closing on unread bytes would reset the connection
/// and lose the answer before the peer reads it.
const LINGER: Duration = Duration::from_secs(2);
/// The epoll key of the listener; connections count up from 0.
const LISTENER: u64 = u64::MAX;

/// A socket whose reads and writes all end by one deadline.
struct Deadline {
    tcp: TcpStream,
    until: Instant,
}

impl Deadline {
    fn arm(&self) -> io::Result<()> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the connection took too long",
            ));
        }
        self.tcp.set_read_timeout(Some(left.min(TIMEOUT)))?;
        self.tcp.set_write_timeout(Some(left.min(TIMEOUT)))
    }
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm()?;
        self.tcp.read(buf)
    }
}

impl Write for Deadline {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm()?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// The time `bytes` may take at [`MIN_RATE`].
fn at_min_rate(bytes: usize) -> Duration {
    Duration::from_millis(bytes as u64 * 1000 / MIN_RATE)
}

/// Connections the door may hold within `open_files`, never fewer than 16.
fn pending_cap(open_files: u64) -> usize {
    let room = usize::try_from(open_files).unwrap_or(usize::MAX);
    room.saturating_sub(RESERVED_FILES).clamp(16, MAX_PENDING)
}

/// A request whose head is in, on its way to a slot.
struct Ready {
    tcp: TcpStream,
    tls: ServerConnection,
    local: bool,
    head: RequestHead,
    /// What of the body came with the head.
    body: Vec<u8>,
}

/// Serves until the process ends. Every acknowledged batch is already
/// durable, so stopping it at any moment (SIGTERM, SIGKILL, power) loses
/// nothing a terminal was told is stored.
/// `admin_token` is what `till hq` commands on this machine must show (see `admin`).
pub fn serve(
    listener: TcpListener,
    hq: Arc<Hq>,
    tls: Arc<ServerConfig>,
    admin_token: String,
) -> io::Result<()> {
    let open_files = raise_open_files();
    let cap = pending_cap(open_files);
    tracing::info!(
        open_files,
        waiting_for_head = cap,
        slots = SERVING_SLOTS,
        admin_slots = ADMIN_SLOTS,
        "head office's bounds"
    );
    let token = Arc::new(admin_token);
    let serving = slots(SERVING_SLOTS, "hq-serve", &hq, &token)?;
    let admin = slots(ADMIN_SLOTS, "hq-admin", &hq, &token)?;
    Door::new(listener, tls, cap, serving, admin)?.run()
}

/// Starts `n` threads serving what comes down the channel it returns.
fn slots(n: usize, name: &str, hq: &Arc<Hq>, token: &Arc<String>) -> io::Result<SyncSender<Ready>> {
    let (tx, rx) = sync_channel::<Ready>(QUEUED);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..n {
        let (rx, hq, token) = (rx.clone(), hq.clone(), token.clone());
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || slot(&rx, &hq, &token))?;
    }
    Ok(tx)
}

fn slot(rx: &Mutex<Receiver<Ready>>, hq: &Hq, token: &str) {
    loop {
        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(ready) = next else { return };
        let peer = ready.tcp.peer_addr().ok();
        if let Err(e) = handle(ready, hq, token) {
            tracing::info!(?peer, error = %e, "connection ended early");
        }
    }
}

fn handle(ready: Ready, hq: &Hq, token: &str) -> io::Result<()> {
    ready.tcp.set_nonblocking(false)?;
    let len = ready.head.content_length;
    let deadline = Deadline {
        tcp: ready.tcp,
        until: Instant::now() + TIMEOUT + at_min_rate(len),
    };
    let mut stream = StreamOwned::new(ready.tls, deadline);
    let request = Request {
        body: http::read_body(&mut stream, ready.body, len)?,
        method: ready.head.method,
        path: ready.head.path,
    };
    let (status, body) = match request.path.as_str() {
        "/v1/admin" if request.method == "POST" && ready.local => {
            hq.admin_call(token, &request.body)
        }
        "/v1/admin" => (
            403,
            b"head office's own commands come from its own machine".to_vec(),
        ),
        _ => route(hq, &request),
    };
    stream.sock.until = Instant::now() + TIMEOUT + at_min_rate(body.len());
    http::write_response(&mut stream, status, &body)?;
    stream.conn.send_close_notify();
    let _ = stream.conn.complete_io(&mut stream.sock);
    Ok(())
}

fn route(hq: &Hq, request: &Request) -> (u16, Vec<u8>) {
    let text = |status: u16, s: String| (status, s.into_bytes());
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/v1/batches") => match hq.receive(&request.body) {
            Ok(Ok(ack)) => match ack.to_bytes() {
                Ok(bytes) => (200, bytes),
                Err(e) => text(500, e.to_string()),
            },
            Ok(Err(refusal)) => {
                tracing::warn!(reason = %refusal, "refused a batch");
                let status = match refusal {
                    Refusal::Malformed(_) => 400,
                    Refusal::UnknownTerminal(_) | Refusal::BadSignature(_) => 403,
                    _ => 409,
                };
                match encode(&refusal) {
                    Ok(bytes) => (status, bytes),
                    Err(e) => text(500, e.to_string()),
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot store a batch");
                text(503, format!("head office cannot store batches: {e}"))
            }
        },
        ("GET", path) if path.starts_with("/v1/catalog") => {
            let after = path
                .strip_prefix("/v1/catalog?after=")
                .and_then(|n| n.parse::<u64>().ok());
            let Some(after) = after else {
                return text(400, "ask for /v1/catalog?after=VERSION".into());
            };
            match hq.store().catalog_after(after) {
                Ok(Some(set)) => match set.to_bytes() {
                    Ok(bytes) => (200, bytes),
                    Err(e) => text(500, e.to_string()),
                },
                Ok(None) => (204, Vec::new()),
                Err(e) => text(503, e.to_string()),
            }
        }
        ("GET", "/v1/health") => text(200, "ok".into()),
        (method, path) => text(404, format!("nothing at {method} {path}")),
    }
}

/// What the door does with a connection after an event.
enum Step {
    /// Wait for more from the peer.
    Wait,
    /// Its head is in: on to a slot.
    Ready(RequestHead, Vec<u8>),
    /// Answer it with this status and reason, then close.
    Refuse(u16, String),
    /// Drop it.
    Close,
}

enum Phase {
    /// Handshaking, then reading the head into this buffer.
    Head(Vec<u8>),
    /// Refused: sending the answer, then throwing away what still comes.
    Lingering { shut: bool },
}

/// A connection at the door.
struct Pending {
    tcp: TcpStream,
    tls: ServerConnection,
    local: bool,
    phase: Phase,
    until: Instant,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// Sends what TLS has to send, as far as the socket takes it now.
fn flush(tls: &mut ServerConnection, tcp: &mut TcpStream) -> io::Result<()> {
    while tls.wants_write() {
        match tls.write_tls(tcp) {
            Ok(_) => {}
            Err(e) if would_block(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Pending {
    /// Handshakes and reads for as long as the socket has bytes (epoll is
    /// edge-triggered: all of them), until the head is in or refused.
    fn advance(&mut self) -> Step {
        if let Phase::Lingering { .. } = self.phase {
            return self.linger();
        }
        let Pending {
            tcp, tls, phase, ..
        } = self;
        let Phase::Head(buf) = phase else {
            return Step::Close;
        };
        let mut chunk = [0u8; 4096];
        loop {
            if flush(tls, tcp).is_err() {
                return Step::Close;
            }
            match tls.read_tls(tcp) {
                Ok(0) => return Step::Close,
                Ok(_) => {}
                Err(e) if would_block(&e) => return Step::Wait,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Step::Close,
            }
            if tls.process_new_packets().is_err() {
                // Its alert, if the socket takes it; not worth waiting for.
                let _ = tls.write_tls(tcp);
                return Step::Close;
            }
            let searched = buf.len();
            while buf.len() <= http::MAX_HEAD {
                match tls.reader().read(&mut chunk) {
                    Ok(0) => return Step::Close,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    Err(e) if would_block(&e) => break,
                    Err(_) => return Step::Close,
                }
            }
            match http::request_head(buf, searched) {
                Ok(None) => {}
                Ok(Some((head, end))) => return Step::Ready(head, buf.split_off(end)),
                Err(e) => return Step::Refuse(e.status(), e.to_string()),
            }
        }
    }

    /// Starts answering with a refusal and closing.
    fn refuse(&mut self, status: u16, reason: &str) -> Step {
        let answer = format!("{reason}\n");
        if http::write_refusal(&mut self.tls.writer(), status, &answer).is_err() {
            return Step::Close;
        }
        self.tls.send_close_notify();
        self.phase = Phase::Lingering { shut: false };
        self.until = Instant::now() + LINGER;
        self.linger()
    }

    /// Sends the refusal, closes our side once it is out, and reads and
    /// drops whatever the peer still sends until it closes too.
    fn linger(&mut self) -> Step {
        if flush(&mut self.tls, &mut self.tcp).is_err() {
            return Step::Close;
        }
        let Phase::Lingering { shut } = &mut self.phase else {
            return Step::Close;
        };
        if !*shut && !self.tls.wants_write() {
            let _ = self.tcp.shutdown(Shutdown::Write);
            *shut = true;
        }
        let mut discard = [0u8; 16 * 1024];
        loop {
            match self.tcp.read(&mut discard) {
                Ok(0) if *shut => return Step::Close,
                Ok(0) => return Step::Wait,
                Ok(_) => {}
                Err(e) if would_block(&e) => return Step::Wait,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Step::Close,
            }
        }
    }
}

/// The first stage: every connection until its head is in (see the module).
struct Door {
    epoll: OwnedFd,
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    pending: BTreeMap<u64, Pending>,
    next_id: u64,
    cap: usize,
    /// The earliest deadline among `pending`, when one may have passed.
    next_sweep: Option<Instant>,
    backoff: Backoff,
    /// Connections dropped for newer ones since the door was last full.
    evicted: u64,
    serving: SyncSender<Ready>,
    admin: SyncSender<Ready>,
}

fn epoll_flags() -> epoll::EventFlags {
    epoll::EventFlags::IN
        | epoll::EventFlags::OUT
        | epoll::EventFlags::RDHUP
        | epoll::EventFlags::ET
}

impl Door {
    fn new(
        listener: TcpListener,
        tls: Arc<ServerConfig>,
        cap: usize,
        serving: SyncSender<Ready>,
        admin: SyncSender<Ready>,
    ) -> io::Result<Door> {
        listener.set_nonblocking(true)?;
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        epoll::add(
            &epoll,
            &listener,
            epoll::EventData::new_u64(LISTENER),
            epoll::EventFlags::IN | epoll::EventFlags::ET,
        )?;
        Ok(Door {
            epoll,
            listener,
            tls,
            pending: BTreeMap::new(),
            next_id: 0,
            cap,
            next_sweep: None,
            backoff: Backoff::default(),
            evicted: 0,
            serving,
            admin,
        })
    }

    fn run(mut self) -> io::Result<()> {
        let mut events = Vec::with_capacity(256);
        loop {
            let wake = match (self.next_sweep, self.backoff.resume) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = wake.map(|at| {
                let left = at.saturating_duration_since(Instant::now());
                // Rounded up a millisecond: waking a hair early would spin.
                Timespec::try_from(left + Duration::from_millis(1)).unwrap_or_default()
            });
            match epoll::wait(&self.epoll, spare_capacity(&mut events), timeout.as_ref()) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
            for event in events.drain(..) {
                match event.data.u64() {
                    LISTENER => {}
                    id => self.on_event(id),
                }
            }
            // After the backoff's pause, or whenever the listener woke us.
            self.accept_all();
            self.sweep();
        }
    }

    fn accept_all(&mut self) {
        if self.backoff.resume.is_some_and(|at| Instant::now() < at) {
            return;
        }
        self.backoff.resume = None;
        loop {
            match self.listener.accept() {
                Ok((tcp, peer)) => {
                    self.backoff.succeeded();
                    let local = peer.ip().to_canonical().is_loopback();
                    if let Err(e) = self.admit(tcp, local) {
                        tracing::warn!(?peer, error = %e, "cannot take a connection");
                    }
                }
                Err(e) if would_block(&e) => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) => return self.backoff.failed(&e),
            }
        }
    }

    fn admit(&mut self, tcp: TcpStream, local: bool) -> io::Result<()> {
        tcp.set_nonblocking(true)?;
        tcp.set_nodelay(true)?;
        let tls = ServerConnection::new(self.tls.clone()).map_err(io::Error::other)?;
        if self.pending.len() >= self.cap {
            if self.evicted == 0 {
                tracing::warn!(
                    waiting = self.pending.len(),
                    "too many connections without a request; dropping the oldest for each new one"
                );
            }
            self.evicted += 1;
            self.pending.pop_first();
        } else if self.evicted > 0 && self.pending.len() < self.cap / 2 {
            tracing::info!(
                dropped = self.evicted,
                "the flood of connections has passed"
            );
            self.evicted = 0;
        }
        let id = self.next_id;
        self.next_id += 1;
        epoll::add(
            &self.epoll,
            &tcp,
            epoll::EventData::new_u64(id),
            epoll_flags(),
        )?;
        let until = Instant::now() + HEAD_DEADLINE;
        self.next_sweep = Some(self.next_sweep.map_or(until, |t| t.min(until)));
        self.pending.insert(
            id,
            Pending {
                tcp,
                tls,
                local,
                phase: Phase::Head(Vec::new()),
                until,
            },
        );
        Ok(())
    }

    fn on_event(&mut self, id: u64) {
        let Some(mut conn) = self.pending.remove(&id) else {
            return; // dropped earlier in this same batch of events
        };
        let mut step = conn.advance();
        if let Step::Ready(head, body) = step {
            match self.hand_over(id, conn, head, body) {
                None => return,
                Some(back) => {
                    conn = back;
                    step = Step::Refuse(503, "head office is busy: try again in a moment".into());
                }
            }
        }
        if let Step::Refuse(status, reason) = step {
            step = conn.refuse(status, &reason);
        }
        if let Step::Wait = step {
            self.next_sweep = Some(self.next_sweep.map_or(conn.until, |t| t.min(conn.until)));
            self.pending.insert(id, conn);
        }
    }

    /// Passes a connection whose head is in to a slot. If the slots are all
    /// busy and their queue is full, gives it back (still at the door, under
    /// `id`) to be refused.
    fn hand_over(
        &mut self,
        id: u64,
        conn: Pending,
        head: RequestHead,
        body: Vec<u8>,
    ) -> Option<Pending> {
        let to = if conn.local && head.path == "/v1/admin" {
            &self.admin
        } else {
            &self.serving
        };
        epoll::delete(&self.epoll, &conn.tcp).ok()?;
        let ready = Ready {
            tcp: conn.tcp,
            tls: conn.tls,
            local: conn.local,
            head,
            body,
        };
        let ready = match to.try_send(ready) {
            Ok(()) => return None,
            Err(TrySendError::Full(r) | TrySendError::Disconnected(r)) => r,
        };
        let data = epoll::EventData::new_u64(id);
        epoll::add(&self.epoll, &ready.tcp, data, epoll_flags()).ok()?;
        Some(Pending {
            tcp: ready.tcp,
            tls: ready.tls,
            local: ready.local,
            phase: Phase::Head(Vec::new()),
            until: Instant::now() + LINGER,
        })
    }

    /// Drops every connection whose deadline has passed.
    fn sweep(&mut self) {
        let now = Instant::now();
        if self.next_sweep.is_none_or(|at| now < at) {
            return;
        }
        let mut earliest: Option<Instant> = None;
        self.pending.retain(|_, conn| {
            let keep = conn.until > now;
            if keep {
                earliest = Some(earliest.map_or(conn.until, |t| t.min(conn.until)));
            }
            keep
        });
        self.next_sweep = earliest;
    }
}
