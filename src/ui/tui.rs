//! The terminal: raw mode and the alternate screen while the till runs, and
//! the normal screen back on every way out (quit, panic, SIGTERM, SIGHUP).
//!
//! Keys are read on their own thread and signals on another; both feed one
//! channel, and the loop sleeps on it until a key, a signal, the next second
//! (for the clock) or a scanner burst's deadline. Nothing polls.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use signal_hook::consts::{SIGHUP, SIGTERM};
use signal_hook::iterator::Signals;

use super::app::App;
use super::view;

enum Input {
    Terminal(TermEvent),
    Signal(i32),
}

/// Runs the till screen until the user quits or a signal says stop.
pub fn run(app: &mut App<'_>) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut signals = Signals::new([SIGTERM, SIGHUP])?;
    let keys = tx.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if keys.send(Input::Terminal(ev)).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let _ = tx.send(Input::Signal(sig));
        }
    });
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the till screen needs a terminal: run it in one, or use `till sale --script` for scripted sales"
        );
    }
    // ratatui's init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::try_init()?;
    let outcome = (|| -> Result<()> {
        loop {
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
                Ok(Input::Terminal(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
                    app.key(key, Instant::now())
                }
                Ok(Input::Terminal(_)) => {}
                Ok(Input::Signal(sig)) => {
                    tracing::info!(signal = sig, "stopping the till screen on a signal");
                    return Ok(());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => app.tick(Instant::now()),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    })();
    ratatui::restore();
    outcome
}
