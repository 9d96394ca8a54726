//! The terminal: raw mode and the alternate screen while the till runs, and
//! the normal screen back on every way out (quit, panic, SIGTERM, SIGHUP).
//!
//! Keys are read on their own thread and stamped with the time they arrived
//! (a stalled frame must not make typing look like a scanner's burst); signals
//! and devices feed the same channel. The loop sleeps on it until something
//! comes, the next second (for the clock) or a scanner burst's deadline.
//! Nothing polls.

use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use anyhow::Result;
use crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};
use signal_hook::consts::{SIGHUP, SIGTERM};
use signal_hook::iterator::Signals;

use super::app::App;
use super::view;

pub enum Input {
    Key(KeyEvent, Instant),
    Resize,
    Signal(i32),
    /// A code from a serial scanner.
    Scan(String),
    /// The daemon gave this screen's lane to another screen.
    LaneTaken {
        by: String,
    },
    /// The daemon went and is back: this screen attached to it again.
    DaemonBack,
}

/// The channel the screen listens on; devices get clones of the sender.
pub fn channel() -> (Sender<Input>, Receiver<Input>) {
    mpsc::channel()
}

/// Runs the till screen until the user quits or a signal says stop.
pub fn run(app: &mut App<'_>, tx: Sender<Input>, rx: Receiver<Input>) -> Result<()> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the till screen needs a terminal: run it in one, or use `till sale --script` for scripted sales"
        );
    }
    let mut signals = Signals::new([SIGTERM, SIGHUP])?;
    let keys = tx.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            let input = match ev {
                TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
                    Input::Key(k, Instant::now())
                }
                TermEvent::Resize(..) => Input::Resize,
                _ => continue,
            };
            if keys.send(input).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let _ = tx.send(Input::Signal(sig));
        }
    });
    // ratatui's init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::try_init()?;
    let outcome = (|| -> Result<()> {
        loop {
            // Below the smallest layout nothing is shown: the app holds scans
            // and lets nothing else act (told before drawing, so scans held
            // till now are drawn sold as soon as the window is large enough).
            let size = terminal.size()?;
            app.window(size.width, size.height);
            terminal.draw(|frame| view::draw(frame, app))?;
            if app.quit {
                return Ok(());
            }
            let now = Instant::now();
            let next_second = Duration::from_millis(
                1000 - u64::from(app.now().timestamp_subsec_millis()).min(999),
            );
            let wait = app
                .deadline()
                .map(|d| d.saturating_duration_since(now))
                .unwrap_or(next_second)
                .min(next_second);
            match rx.recv_timeout(wait) {
                Ok(Input::Key(key, at)) => app.key(key, at),
                Ok(Input::Scan(code)) => app.take_scan(code),
                Ok(Input::LaneTaken { by }) => app.lane_taken(&by),
                Ok(Input::DaemonBack) => app.daemon_back(),
                Ok(Input::Resize) => {}
                Ok(Input::Signal(sig)) => {
                    tracing::info!(signal = sig, "stopping the till screen on a signal");
                    app.shutdown();
                    return Ok(());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => app.tick(Instant::now()),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    })();
    // After SIGHUP the terminal may be gone: restoring it can fail, harmlessly.
    let _ = ratatui::try_restore();
    outcome
}
