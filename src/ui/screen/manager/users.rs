//! The users tab: add a user; for the selected one, a new PIN, or disable
//! and enable. PINs are never shown, only reset.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row, Table};

use super::ManagerView;
use crate::domain::user::Role;
use crate::engine::Command;
use crate::ui::app::App;

const WIDTHS: [Constraint; 3] = [
    Constraint::Fill(1),
    Constraint::Length(12),
    Constraint::Length(20),
];

pub(super) fn submit(app: &mut App, typed: &str) {
    let Some(view) = super::view(app) else { return };
    let words: Vec<&str> = typed.split_whitespace().collect();
    let selected = view.users.get(view.selected).map(|u| u.name.clone());
    let command = match (words.as_slice(), selected) {
        (["add", name, role, pin], _) => Role::parse(role).map(|role| Command::AddUser {
            name: name.to_string(),
            role,
            pin: pin.to_string(),
        }),
        (["pin", pin], Some(user)) => Some(Command::ResetPin {
            user,
            pin: pin.to_string(),
        }),
        (["disable"], Some(user)) => Some(Command::SetUserDisabled {
            user,
            disabled: true,
        }),
        (["enable"], Some(user)) => Some(Command::SetUserDisabled {
            user,
            disabled: false,
        }),
        _ => None,
    };
    match command {
        Some(c) => {
            if app.run_typed(c) {
                app.info("done, and journaled");
            }
        }
        None => app
            .info("type add NAME ROLE PIN, or pin NEWPIN / disable / enable for the selected user"),
    }
}

pub(super) fn table(app: &App, view: &ManagerView) -> Table<'static> {
    let rows = view
        .users
        .iter()
        .map(|u| {
            let state = match (u.disabled, u.locked) {
                (true, _) => "disabled",
                (false, true) => "locked (wrong PINs)",
                (false, false) => "active",
            };
            Row::new([
                Cell::from(u.name.clone()),
                Cell::from(u.role.name()),
                Cell::from(state),
            ])
        })
        .collect();
    let title = " Users (PINs are never shown, only reset) ".into();
    super::table(app, rows, &WIDTHS, &["Name", "Role", "State"], title)
}
