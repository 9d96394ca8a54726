//! `till hq serve`: head office's HTTPS endpoint, on rustls.
//!
//! One thread per connection, a bounded number of them, each with read and
//! write timeouts, so a slow or stuck terminal cannot hold the door for the
//! others. Routes:
//! - `POST /v1/batches`: a signed batch; answers a signed acknowledgement
//!   (200) or a refusal with its reason (400, 403, 409). A storage failure
//!   here answers 503 and the terminal tries again later.
//! - `GET /v1/catalog?after=N`: the next signed catalog change set (200), or
//!   204 when the terminal has them all.
//! - `GET /v1/health`: 200 when head office is serving.
//! - `POST /v1/admin`: `till hq` commands from this machine (see `admin`).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::Hq;
use crate::store::envelope::encode;
use crate::sync::http::{self, Request};
use crate::sync::wire::Refusal;

/// Connections served at once; more are closed at once and retried by their terminals.
const MAX_CONNECTIONS: usize = 64;
/// The longest any one read or write may wait.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a whole connection may last: a client trickling a byte at a
/// time (under `TIMEOUT` each) must not hold a slot for ever.
const CONNECTION_LIMIT: Duration = Duration::from_secs(120);

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

/// Counts a connection as served for as long as it lives, however its thread ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves until the process ends. Every acknowledged batch is already
/// durable, so stopping it at any moment (SIGTERM, SIGKILL, power) loses
/// nothing a terminal was told is stored.
/// `admin_token` is what `till hq` commands on this machine must show (see `admin`).
pub fn serve(listener: TcpListener, hq: Arc<Hq>, tls: Arc<ServerConfig>, admin_token: String) {
    let admin_token = Arc::new(admin_token);
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let tcp = match stream {
            Ok(tcp) => tcp,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                continue;
            }
        };
        active.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(active.clone());
        if active.load(Ordering::SeqCst) > MAX_CONNECTIONS {
            tracing::warn!("too many connections; closing one");
            continue;
        }
        let (hq, tls, token) = (hq.clone(), tls.clone(), admin_token.clone());
        let spawned = std::thread::Builder::new()
            .name("hq-conn".into())
            .spawn(move || {
                let _slot = slot;
                let peer = tcp.peer_addr().ok();
                if let Err(e) = handle(tcp, &hq, tls, &token) {
                    tracing::info!(?peer, error = %e, "connection ended early");
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a connection thread");
        }
    }
}

fn handle(tcp: TcpStream, hq: &Hq, tls: Arc<ServerConfig>, token: &str) -> io::Result<()> {
    // From this machine: 127.0.0.1, ::1, or 127.0.0.1 as IPv6 sees it on [::].
    let local = tcp.peer_addr()?.ip().to_canonical().is_loopback();
    let deadline = Deadline {
        tcp,
        until: Instant::now() + CONNECTION_LIMIT,
    };
    let conn = ServerConnection::new(tls).map_err(io::Error::other)?;
    let mut stream = StreamOwned::new(conn, deadline);
    let request = http::read_request(&mut stream)?;
    let (status, body) = match request.path.as_str() {
        "/v1/admin" if request.method == "POST" && local => hq.admin_call(token, &request.body),
        "/v1/admin" => (
            403,
            b"head office's own commands come from its own machine".to_vec(),
        ),
        _ => route(hq, &request),
    };
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
