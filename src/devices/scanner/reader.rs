//! The scanner's reader thread: opens the port, frames what it reads, hands
//! codes on, and when the port goes away (unplugged, powered off, not there
//! yet) keeps trying to open it again, once a second, without a restart.

use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::ScannerConfig;
use super::framing::{Frame, Framer};
use crate::devices::port;
use crate::devices::status::StatusBoard;
use crate::devices::url::DeviceUrl;

/// How long a read waits before checking whether to stop.
const READ_TIMEOUT: Duration = Duration::from_millis(200);
/// How often a missing scanner is looked for.
const RETRY: Duration = Duration::from_secs(1);

/// The running reader; dropping it stops the thread.
pub struct Scanner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts reading `url`; every code goes to `on_code`, on the reader's thread.
pub fn spawn(
    url: DeviceUrl,
    config: ScannerConfig,
    status: StatusBoard,
    on_code: impl Fn(String) + Send + 'static,
) -> Scanner {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || run(&url, config, &status, &flag, &on_code));
    Scanner {
        stop,
        thread: Some(thread),
    }
}

fn run(
    url: &DeviceUrl,
    config: ScannerConfig,
    status: &StatusBoard,
    stop: &AtomicBool,
    on_code: &dyn Fn(String),
) {
    let dedupe = Duration::from_millis(config.dedupe_ms);
    let mut last: Option<(String, Instant)> = None;
    let mut away_reported = false;
    while !stop.load(Ordering::Relaxed) {
        let mut link = match port::open(url, READ_TIMEOUT) {
            Ok(link) => link,
            Err(e) => {
                if !away_reported {
                    tracing::warn!(scanner = %url, "scanner not available: {e}");
                    status.scanner("scanner away");
                    away_reported = true;
                }
                sleep_unless_stopped(RETRY, stop);
                continue;
            }
        };
        tracing::info!(scanner = %url, "scanner connected");
        status.scanner("scanner ok");
        let mut framer = Framer::new(config.clone());
        let mut buf = [0u8; 256];
        while !stop.load(Ordering::Relaxed) {
            let n = match link.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
                    ) =>
                {
                    // A quiet line ends any half frame: left over from a
                    // scanner reset, it must not glue onto the next code.
                    if let Some(Frame::Discarded { reason, bytes }) = framer.reset() {
                        tracing::warn!(scanner = %url, ?bytes, "discarded scanner input: {reason}");
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(scanner = %url, "scanner read failed: {e}");
                    break;
                }
            };
            for frame in framer.feed(&buf[..n]) {
                match frame {
                    Frame::Code(code) => {
                        let now = Instant::now();
                        let repeat = last
                            .as_ref()
                            .is_some_and(|(c, t)| *c == code && now.duration_since(*t) < dedupe);
                        // The window runs from the code taken, so a third scan
                        // after the window is a new item however fast they came.
                        if !repeat {
                            last = Some((code.clone(), now));
                        }
                        if repeat {
                            tracing::info!(%code, "same code again within the dedupe window: taken once");
                        } else {
                            on_code(code);
                        }
                    }
                    Frame::Discarded { reason, bytes } => {
                        tracing::warn!(scanner = %url, ?bytes, "discarded scanner input: {reason}");
                    }
                }
            }
        }
        if let Some(Frame::Discarded { reason, bytes }) = framer.reset() {
            tracing::warn!(scanner = %url, ?bytes, "discarded scanner input: {reason}");
        }
        tracing::warn!(scanner = %url, "scanner disconnected; looking for it again");
        status.scanner("scanner away");
        away_reported = true;
        sleep_unless_stopped(RETRY, stop);
    }
}

fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(250);
    let mut slept = Duration::ZERO;
    while slept < total && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}
