//! What both servers (the daemon's socket, head office's HTTPS) share about
//! taking connections: a flood of them is a flood of open files, and
//! accept() failing for want of them must pause, not spin.

use std::io;
use std::time::{Duration, Instant};

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// accept() failing (out of files, memory) is tried again after a pause
/// that starts here and doubles...
const BACKOFF_FIRST: Duration = Duration::from_millis(10);
/// ...up to this, so a full file table never spins the door.
const BACKOFF_MOST: Duration = Duration::from_secs(1);
/// Raises this process's soft open-file limit to its hard one (a flood of
/// connections is a flood of sockets) and says what it now is.
pub fn raise_open_files() -> u64 {
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    if limit.current != limit.maximum
        && let Err(e) = setrlimit(Resource::Nofile, raised)
    {
        tracing::warn!(error = %e, "cannot raise the open-file limit");
        return limit.current.unwrap_or(u64::MAX);
    }
    raised.current.unwrap_or(u64::MAX)
}

/// accept() failing: when to try again, and how many failed in this burst.
#[derive(Default)]
pub struct Backoff {
    failures: u64,
    pause: Duration,
    /// When accepting may be tried again.
    pub resume: Option<Instant>,
}

impl Backoff {
    pub fn failed(&mut self, e: &io::Error) {
        if self.failures == 0 {
            tracing::warn!(error = %e, "accepting connections fails; pausing, longer each time, until it works again");
            self.pause = BACKOFF_FIRST;
        } else {
            self.pause = (self.pause * 2).min(BACKOFF_MOST);
        }
        self.failures += 1;
        self.resume = Some(Instant::now() + self.pause);
    }

    pub fn succeeded(&mut self) {
        if self.failures > 0 {
            tracing::info!(failures = self.failures, "accepting connections again");
            *self = Backoff::default();
        }
    }
}
