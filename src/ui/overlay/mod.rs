//! Popups over the screen: the key list, a manager's approval, a question
//! before something that cannot be undone. A popup takes every key before
//! the screen behind it, and closes itself once answered.

pub mod approval;
pub mod confirm;
mod help;

use ratatui::Frame;
use ratatui::layout::Rect;

use self::approval::ApprovalPrompt;
use crate::engine::Command;
use crate::ui::action::Section;
use crate::ui::app::{App, EventState};
use crate::ui::keys::Key;
use crate::ui::widget::scroll::Scroll;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The key list, scrolled where it is taller than the screen.
    Help(Scroll),
    Approval(ApprovalPrompt),
    /// "Void this sale?": Enter sends `command`, anything else does not,
    /// and says `declined`.
    Confirm {
        question: String,
        command: Command,
        declined: &'static str,
    },
}

/// A key for the popup, if one is open: it takes the key and closes unless
/// it puts itself back. With no popup the key goes on to the screen.
pub fn press(app: &mut App, key: Key) -> EventState {
    let Some(overlay) = app.overlay.take() else {
        return EventState::NotConsumed;
    };
    let action = app.keymap.action(Section::Global, key);
    match overlay {
        // Any key but scrolling closes help and does nothing else: Enter must not pay.
        Overlay::Help(scroll) => {
            if let Some(a) = action.filter(|a| Scroll::scrolls(*a)) {
                scroll.act(a, help::len(app));
                app.overlay = Some(Overlay::Help(scroll));
            }
        }
        Overlay::Confirm {
            command, declined, ..
        } => confirm::press(app, command, action, declined),
        Overlay::Approval(prompt) => approval::press(app, prompt, action, key),
    }
    EventState::Consumed
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.overlay {
        Some(Overlay::Help(scroll)) => help::draw(frame, app, area, scroll),
        Some(Overlay::Approval(prompt)) => prompt.draw(frame, app, area),
        Some(Overlay::Confirm { question, .. }) => confirm::draw(frame, app, question, area),
        None => {}
    }
}
