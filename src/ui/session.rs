//! Logging in and out on this screen's lane: taking a busy lane over with a
//! manager's approval, picking up what the lane had open, and going back to
//! the login when the session ends for whatever reason.

use super::app::{App, Screen};
use super::overlay::Overlay;
use super::overlay::approval::{ApprovalPrompt, Pending};
use super::screen::refund;
use crate::domain::sale::{SaleKind, SaleState};
use crate::engine::{Command, EngineError};

impl App<'_> {
    /// Logs in on this screen's lane. If another screen holds the lane, asks
    /// for a manager to take it over, then logs in. True when logged in.
    pub(super) fn log_in(&mut self, user: &str, pin: &str) -> bool {
        match self.engine.login(user, pin, self.lane()) {
            Ok(session) => {
                self.session = Some(session);
                self.user = Some(user.to_string());
                self.message = None;
                self.resume();
                true
            }
            Err(EngineError::LaneBusy(lane)) => {
                self.overlay = Some(Overlay::Approval(ApprovalPrompt::new(
                    Pending::TakeLane {
                        lane,
                        user: user.to_string(),
                        pin: pin.to_string(),
                    },
                    format!("lane {lane} is in use on another screen: a manager may take it over"),
                )));
                false
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// After login: back to whatever the lane had open (a crash, a power cut,
    /// another user's unfinished sale).
    fn resume(&mut self) {
        self.input.clear();
        self.screen = self.home();
        let Some(session) = self.session else { return };
        match self.engine.cart(session) {
            Ok(cart) => self.show_cart(cart),
            Err(e) => self.error(e.to_string()),
        }
        if let Some((kind, state)) = self.cart.as_ref().map(|(s, _)| (s.kind, s.state)) {
            self.info("the open sale on this lane was resumed");
            if let SaleKind::Refund { original } = kind {
                refund::open(self, original.0);
            } else if state == SaleState::Tendering {
                self.screen = Screen::Payment;
            }
        }
    }

    /// Another screen took this lane over: back to the login, with why.
    pub fn lane_taken(&mut self, by: &str) {
        self.signed_out();
        self.overlay = None;
        self.error(format!("{by} took this lane over on another screen"));
    }

    /// The daemon this screen is attached to restarted (systemd brought it
    /// back): its sessions died with it, so the login shows again; the sale
    /// the lane had open is in the store and comes back at the next login.
    pub fn daemon_back(&mut self) {
        self.signed_out();
        self.overlay = None;
        let lane = self.lane();
        self.error(if lane == crate::engine::BACK_OFFICE {
            "the till daemon restarted; log in again".to_string()
        } else {
            format!("the till daemon restarted; log in again — your sale is kept on lane {lane}")
        });
    }

    /// Leaving the screen (quit, a signal): log out, so the engine can close
    /// what must not outlive the session, such as an approved refund.
    pub fn shutdown(&mut self) {
        if self.session.is_some() {
            self.run(Command::Logout);
        }
    }

    /// The session is over: nobody is logged in, the login shows. The sale
    /// stays on the lane, in the engine.
    pub(super) fn signed_out(&mut self) {
        self.session = None;
        self.user = None;
        self.cart = None;
        self.screen = Screen::Login(Default::default());
    }
}
