//! Sending the cashier's commands to the engine, and what the screen does
//! with a refusal: say why, ask for a manager's approval, or go back to the
//! login when the session is gone. The engine answers a session, never a
//! screen: every question here is asked as the one logged in.

use super::app::App;
use super::overlay::approval::{ApprovalPrompt, Pending};
use super::overlay::{Overlay, confirm};
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::HeldSale;
use crate::engine::{Command, EngineError, Event};

impl App<'_> {
    pub(super) fn execute(&mut self, command: Command) -> Result<Vec<Event>, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.execute(session, command)
    }

    /// Sends a command; shows its outcome. On a refusal that a manager may
    /// lift, asks for the manager's PIN and resends. True if it was done.
    pub(super) fn run(&mut self, command: Command) -> bool {
        self.run_for_events(command).is_some()
    }

    /// Runs a command made from the typed text: once done, the text is used up.
    pub(super) fn run_typed(&mut self, command: Command) -> bool {
        let done = self.run(command);
        if done {
            self.input.clear();
        }
        done
    }

    /// Runs a command and applies its events; returns them, or `None` if it
    /// was refused (and the screen says why, or asks for an approval).
    pub(super) fn run_for_events(&mut self, command: Command) -> Option<Vec<Event>> {
        match self.execute(command.clone()) {
            Ok(events) => {
                self.message = None;
                self.apply(events.clone());
                Some(events)
            }
            Err(EngineError::NeedsApproval(permission, role)) if !command.takes_approval() => {
                self.error(format!(
                    "{permission} is not this user's to do: it is {}'s (log in as one)",
                    role.a()
                ));
                None
            }
            Err(EngineError::NeedsApproval(permission, role)) => {
                self.overlay = Some(Overlay::Approval(ApprovalPrompt::new(
                    Pending::Command(command),
                    format!("{permission} needs {}'s approval", role.a()),
                )));
                None
            }
            // A Z with sales open: ask, naming them, and take it if told to.
            Err(e @ EngineError::OpenSales(_)) => {
                match command {
                    Command::ZReport { approval, .. } => confirm::z_despite_open_sales(
                        self,
                        &e.to_string(),
                        Command::ZReport {
                            approval,
                            despite_open_sales: true,
                        },
                    ),
                    _ => self.error(e.to_string()),
                }
                None
            }
            // The session was locked or ended: back to the login, sale kept.
            Err(e @ (EngineError::SessionLocked { .. } | EngineError::NoSession)) => {
                self.signed_out();
                self.error(e.to_string());
                None
            }
            Err(e) => {
                self.error(e.to_string());
                None
            }
        }
    }

    pub(super) fn receipt(&mut self, receipt: u64) -> Result<CompletedSale, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.receipt(session, receipt)
    }

    pub(super) fn held(&mut self) -> Result<Vec<HeldSale>, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.held(session)
    }
}
