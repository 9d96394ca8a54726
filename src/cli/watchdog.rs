//! systemd's side of `till daemon`: READY once the socket is up, and
//! WATCHDOG pings while the engine answers. A command stuck holding the
//! engine (a hung disk) stops the pings, so systemd restarts the daemon
//! (`WatchdogSec=` in till.service) instead of leaving a till that looks
//! alive and sells nothing.
//!
//! The notify protocol is one datagram to `$NOTIFY_SOCKET`; written here
//! because the daemon needs it at a path it is given, which tests set.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use crate::engine::Engine;

pub struct Notifier {
    target: PathBuf,
}

impl Notifier {
    /// The service manager's socket, if the daemon runs under one.
    pub fn from_env() -> Option<Notifier> {
        std::env::var_os("NOTIFY_SOCKET").map(|p| Notifier::at(PathBuf::from(p)))
    }

    pub fn at(target: PathBuf) -> Notifier {
        Notifier { target }
    }

    pub fn send(&self, message: &str) -> io::Result<()> {
        let socket = UnixDatagram::unbound()?;
        let text = self.target.to_string_lossy();
        // "@name" is Linux's abstract namespace, as systemd hands it out.
        match text.strip_prefix('@') {
            Some(name) => {
                let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
                socket.send_to_addr(message.as_bytes(), &addr)?;
            }
            None => {
                socket.send_to(message.as_bytes(), &self.target)?;
            }
        }
        Ok(())
    }
}

/// How often to ping: half of `$WATCHDOG_USEC`, as systemd advises.
pub fn interval_from_env() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Pings every `interval` while the engine can be taken and its store read
/// within that time; runs for the daemon's life.
pub fn run(engine: Arc<Mutex<Engine>>, notifier: Notifier, interval: Duration) {
    loop {
        std::thread::sleep(interval);
        if alive(&engine, interval)
            && let Err(e) = notifier.send("WATCHDOG=1")
        {
            tracing::warn!(error = %e, "cannot ping the service manager's watchdog");
        }
    }
}

fn alive(engine: &Mutex<Engine>, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        match engine.try_lock() {
            Ok(engine) => return engine.failure().is_none() && engine.store().settings().is_ok(),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return false,
        }
    }
}
