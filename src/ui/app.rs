//! The till screen's state, and which part of it a key goes to.
//!
//! The app holds what the cashier sees (the screen in front, a popup over
//! it, the typed text, messages, a copy of the cart) and routes each key:
//! the scanner detector first, then the popup, then the global actions,
//! then the screen in front. What a key does is the screen's or popup's own
//! business (`screen`, `overlay`); sending commands to the engine is in
//! `commands`, showing its answers in `events`, logging in in `session`.
//! Drawing is in `view`, the terminal and its event loop in `tui`.

use std::time::Instant;

use chrono::{DateTime, Local};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Section};
use super::keymap::Keymap;
use super::keys::Key;
use super::screen::{self, sale};
use super::theme::Theme;
use super::wedge::{Wedge, WedgeConfig, WedgeDetector};
use super::widget::scroll::Scroll;
use crate::devices::status::StatusBoard;
use crate::domain::money::{Currency, Money};
use crate::domain::sale::{Sale, Totals};
use crate::engine::api::TillApi;
use crate::engine::{Command, SessionId};
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;

pub use super::overlay::Overlay;
pub use super::screen::Screen;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
    Success,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub tone: Tone,
}

/// The last completed sale, shown until the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub receipt: String,
    pub total: Money,
    pub change: Money,
    pub refund: bool,
}

/// Whether a popup or screen took a key, or left it to the next in line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventState {
    Consumed,
    NotConsumed,
}

pub struct App<'e> {
    pub(super) engine: &'e mut dyn TillApi,
    pub keymap: Keymap,
    pub theme: Theme,
    lane: u16,
    wedge: WedgeDetector,
    pub(super) session: Option<SessionId>,
    pub user: Option<String>,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub input: String,
    /// The typed text a refusal was about, while it is still the input: it
    /// shows selected, and the next character typed replaces it (Backspace
    /// clears it), so a refused "52" never becomes "5252".
    refused: Option<String>,
    /// Refusals shown so far, to tell whether a key met one.
    refusals: u64,
    pub message: Option<Message>,
    pub cart: Option<(Sale, Totals)>,
    /// Index into the cart's lines.
    pub selected: usize,
    pub last: Option<Completion>,
    /// How sending to head office stands, asked after each key and each tick.
    sync: Option<SyncStatus>,
    pub quit: bool,
    /// What the scanner and printer threads last said, for the status bar.
    pub devices: StatusBoard,
    /// Scans from the serial or daemon scanner that came while the window
    /// was too small to show them, oldest first: sold once it is large
    /// enough again, so an item that went through the scanner is never lost.
    pub held_scans: std::collections::VecDeque<String>,
    /// Whether the window is large enough to show the till. While it is
    /// not, nothing is shown, so nothing may act: typing does nothing and a
    /// scan (serial, daemon or keyboard-wedge) is held.
    shown: bool,
    clock: fn() -> DateTime<Local>,
}

/// The most scans held while the window is too small; past it the oldest
/// is dropped and logged (a scanner left on a shelf must not fill memory).
pub const MAX_HELD_SCANS: usize = 64;

impl<'e> App<'e> {
    pub fn new(
        engine: &'e mut dyn TillApi,
        keymap: Keymap,
        theme: Theme,
        wedge: WedgeConfig,
        lane: u16,
    ) -> App<'e> {
        let sync = engine.sync_status();
        App {
            engine,
            keymap,
            theme,
            lane,
            wedge: WedgeDetector::new(wedge),
            session: None,
            user: None,
            screen: Screen::Login(Default::default()),
            overlay: None,
            input: String::new(),
            refused: None,
            refusals: 0,
            message: None,
            cart: None,
            selected: 0,
            last: None,
            sync,
            quit: false,
            devices: StatusBoard::default(),
            held_scans: Default::default(),
            shown: true,
            clock: Local::now,
        }
    }

    /// Fixes the clock, for tests and snapshots.
    pub fn with_clock(mut self, clock: fn() -> DateTime<Local>) -> Self {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> DateTime<Local> {
        (self.clock)()
    }

    pub fn settings(&self) -> &StoreSettings {
        self.engine.settings()
    }

    pub fn currency(&self) -> &Currency {
        &self.engine.settings().rules.currency
    }

    /// Where Esc leads back to: the sale, or on lane 0 the back office.
    pub fn home(&self) -> Screen {
        if self.lane == crate::engine::BACK_OFFICE {
            Screen::BackOffice
        } else {
            Screen::Sale
        }
    }

    pub fn lane(&self) -> u16 {
        self.lane
    }

    pub fn sync_status(&self) -> Option<&SyncStatus> {
        self.sync.as_ref()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            tone: Tone::Info,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.refusals += 1;
        self.message = Some(Message {
            text: text.into(),
            tone: Tone::Error,
        });
    }

    /// The keymap section of the screen in front.
    pub fn section(&self) -> Section {
        self.screen.section()
    }

    /// Scans are taken only where a sale is being rung up, never from a PIN field.
    fn scans_allowed(&self) -> bool {
        self.session.is_some()
            && !matches!(self.overlay, Some(Overlay::Approval(_)))
            && !matches!(self.screen, Screen::Login(_))
    }

    /// When the app must be woken even if no key comes: held-back typing.
    pub fn deadline(&self) -> Option<Instant> {
        self.wedge.deadline()
    }

    /// The window's size, told before each wait for input. Below the
    /// smallest layout nothing is shown; once it is large enough again the
    /// held scans are sold, in their order.
    pub fn window(&mut self, width: u16, height: u16) {
        self.shown = super::view::fits(width, height);
        if self.shown {
            self.release_held_scans();
        }
    }

    /// Time passed with no key: hand on held-back typing whose burst is over.
    pub fn tick(&mut self, now: Instant) {
        self.sync = self.engine.sync_status();
        if self.wedge.deadline().is_some_and(|d| d <= now)
            && let Some(w) = self.wedge.flush()
        {
            self.wedged(w);
        }
    }

    /// A key from the terminal, through the scanner detector. While the
    /// window is too small a wedge scanner's burst still makes a scan (held,
    /// as a serial scanner's is) and every other key does nothing.
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        let key = Key::from_event(&ev);
        let plain = !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if self.scans_allowed() {
            match ev.code {
                // A character joins a burst under way (a scanned "AB-12" must not
                // fire the action bound to "-"), or starts one if typing is all it does.
                KeyCode::Char(c)
                    if plain
                        && (self.wedge.pending()
                            || self.keymap.action(self.section(), key).is_none()) =>
                {
                    if let Some(w) = self.wedge.char(c, now) {
                        self.wedged(w);
                    }
                    return;
                }
                KeyCode::Enter if plain => match self.wedge.enter(now) {
                    Some(Wedge::Scan(code)) => return self.take_scan(code),
                    Some(typed) => self.wedged(typed),
                    None => {}
                },
                _ => {
                    if let Some(w) = self.wedge.flush() {
                        self.wedged(w);
                    }
                }
            }
        }
        if self.shown {
            self.press(key);
        }
    }

    fn wedged(&mut self, w: Wedge) {
        match w {
            Wedge::Scan(code) => self.take_scan(code),
            // Typed where nothing is shown: it does nothing.
            Wedge::Typed(_) if !self.shown => {}
            Wedge::Typed(chars) => {
                for c in chars {
                    self.press(Key {
                        code: KeyCode::Char(c),
                        mods: KeyModifiers::NONE,
                    });
                }
            }
        }
    }

    /// A code from any scanner: sold now, or held while the window is too
    /// small to show what it does.
    pub fn take_scan(&mut self, code: String) {
        if self.shown {
            self.scanned(&code);
        } else {
            self.hold_scan(code);
        }
    }

    /// A scan while the window is too small to show what it does: held.
    fn hold_scan(&mut self, code: String) {
        if self.held_scans.len() == MAX_HELD_SCANS
            && let Some(dropped) = self.held_scans.pop_front()
        {
            tracing::warn!(code = %dropped, "too many scans held while the window is too small: dropped");
        }
        self.held_scans.push_back(code);
    }

    /// The window is large enough again: the held scans, in their order.
    fn release_held_scans(&mut self) {
        while let Some(code) = self.held_scans.pop_front() {
            self.scanned(&code);
        }
    }

    /// A barcode from a scanner: added to the sale whatever has focus, with the
    /// quantity the cashier typed ("3*") if any.
    pub fn scanned(&mut self, code: &str) {
        match self.overlay {
            Some(Overlay::Help(_)) => self.overlay = None,
            // Never under a question: the item would change what is being confirmed.
            Some(_) => {
                return self.error(format!("scan of {code} ignored: answer the question first"));
            }
            None => {}
        }
        let quantity = match (&self.screen, sale::quantity_prefix(&self.input)) {
            (Screen::Sale, Some(Ok(q))) => {
                self.input.clear();
                Some(q)
            }
            // "1e3*" then a scan: not a quantity, and not taken for one.
            (Screen::Sale, Some(Err(e))) => {
                self.refused = Some(self.input.clone());
                return self.error(format!(
                    "{e}: scan {code} again after a quantity such as 3*"
                ));
            }
            _ => None,
        };
        if quantity.is_some() {
            return sale::add(self, code.to_string(), quantity);
        }
        self.run(Command::Scan {
            code: code.to_string(),
            quantity,
        });
    }

    /// A key after scanner detection: the popup's if one is open, else an
    /// action if bound, else typing.
    pub fn press(&mut self, key: Key) {
        self.press_key(key);
        self.sync = self.engine.sync_status();
    }

    fn press_key(&mut self, key: Key) {
        let (refusals, typed) = (self.refusals, self.input.clone());
        if super::overlay::press(self, key) == EventState::Consumed {
            return self.mark_refused(refusals, &typed);
        }
        match self.keymap.action(self.section(), key) {
            // Backspace on a refused entry takes it all, as on a selection.
            Some(Action::Erase) if self.input_selected() => self.input.clear(),
            Some(action) => self.act(action),
            None => {
                if let Some(c) = key.typed()
                    && screen::type_char(self, c) == EventState::NotConsumed
                {
                    if self.input_selected() {
                        self.input.clear();
                    }
                    self.input.push(c);
                }
            }
        }
        self.mark_refused(refusals, &typed);
    }

    /// A key that met a refusal and left the typed text as it was: the text
    /// is kept (to read, or to send again with Enter) but selected.
    fn mark_refused(&mut self, refusals: u64, typed: &str) {
        if self.refusals != refusals && !self.input.is_empty() && self.input == typed {
            self.select_input();
        }
    }

    /// Selects what is typed, as a refused entry is: kept to read or to
    /// send again with Enter, replaced by the next key typed.
    pub fn select_input(&mut self) {
        self.refused = Some(self.input.clone());
    }

    /// Whether the input line holds a refused entry the next key replaces.
    pub fn input_selected(&self) -> bool {
        !self.input.is_empty() && self.refused.as_deref() == Some(self.input.as_str())
    }

    /// The actions that mean the same on every screen; the rest are the
    /// screen's in front.
    fn act(&mut self, action: Action) {
        match action {
            Action::Help => self.overlay = Some(Overlay::Help(Scroll::default())),
            Action::Quit => {
                self.shutdown();
                self.quit = true;
            }
            Action::Logout => {
                if self.session.is_some() {
                    self.run(Command::Logout);
                }
            }
            _ => screen::act(self, action),
        }
    }
}
