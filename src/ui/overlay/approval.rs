//! A manager's name and PIN asked for on the cashier's screen, to resend a
//! refused command with the approval, or to take over a lane that another
//! screen holds. The engine checks the approver; a wrong PIN asks again.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Overlay;
use crate::engine::{Approval, Command, EngineError};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::keys::Key;
use crate::ui::view::{centered, panel};
use crate::ui::widget::credentials::Credentials;

/// What an approval is asked for: a command to resend with it, or taking the
/// lane over from another screen before logging in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Command(Command),
    TakeLane {
        lane: u16,
        user: String,
        pin: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPrompt {
    pub pending: Pending,
    pub why: String,
    pub approver: Credentials,
    pub error: Option<String>,
}

impl ApprovalPrompt {
    pub fn new(pending: Pending, why: String) -> ApprovalPrompt {
        ApprovalPrompt {
            pending,
            why,
            approver: Credentials::default(),
            error: None,
        }
    }

    pub(super) fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let t = &app.theme;
        let mut lines = vec![
            Line::styled(format!("  {}", self.why), t.accent),
            Line::raw(""),
            self.approver.user_line(t, "Manager", 9),
            self.approver.pin_line(t, 9),
            Line::raw(""),
        ];
        match &self.error {
            Some(e) => lines.push(Line::styled(format!("  {e}"), t.error)),
            None => lines.push(Line::styled(
                "  Enter: next / approve   Esc: cancel",
                t.muted,
            )),
        }
        let popup = centered(area, 64, lines.len() as u16 + 2);
        frame.render_widget(Clear, popup);
        let block = panel(app, " Manager approval ");
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Default::default()),
            popup,
        );
    }
}

/// A key on the prompt: it stays open unless cancelled or answered.
pub(super) fn press(app: &mut App, mut prompt: ApprovalPrompt, action: Option<Action>, key: Key) {
    match action {
        Some(Action::Back) => return app.info("approval cancelled"),
        Some(Action::Submit) if prompt.approver.on_pin => return submit(app, prompt),
        Some(Action::Submit) => prompt.approver.on_pin = true,
        Some(Action::Up | Action::Down) => prompt.approver.switch(),
        Some(Action::Erase) => prompt.approver.erase(),
        _ => {
            if let Some(c) = key.typed() {
                prompt.approver.push(c);
            }
        }
    }
    app.overlay = Some(Overlay::Approval(prompt));
}

/// Enter on the PIN: the pending command or lane takeover, approved.
fn submit(app: &mut App, mut prompt: ApprovalPrompt) {
    let approval = Approval {
        user: prompt.approver.user.clone(),
        pin: prompt.approver.pin.clone(),
    };
    let outcome = match prompt.pending.clone() {
        Pending::Command(command) => app.execute(command.with_approval(approval)).map(Some),
        Pending::TakeLane { lane, user, pin } => app.engine.take_lane(lane, approval).map(|()| {
            app.log_in(&user, &pin);
            None
        }),
    };
    match outcome {
        Ok(Some(events)) => {
            // The typed receipt number or discount was used up.
            app.input.clear();
            app.message = None;
            app.apply(events);
        }
        Ok(None) => {}
        // A wrong PIN or an approver who may not: try again.
        Err(
            e @ (EngineError::BadLogin
            | EngineError::LockedOut { .. }
            | EngineError::ApprovalRefused(_)),
        ) => {
            prompt.error = Some(e.to_string());
            prompt.approver.pin.clear();
            app.overlay = Some(Overlay::Approval(prompt));
        }
        // Anything else is the command's own answer: show it.
        Err(e) => app.error(e.to_string()),
    }
}
