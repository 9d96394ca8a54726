//! The users tab: add a user; for the selected one, a new PIN, or disable
//! and enable. PINs are never shown, only reset: not in the list, not while
//! typed (the input line shows dots), and not kept after Enter, whatever
//! the engine answered.

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
    // The line may hold a PIN: used up now, done or refused.
    app.input.clear();
    match command {
        Some(c) => {
            if app.run(c) {
                app.info("done, and journaled");
            }
        }
        None => app.error(
            "type add NAME ROLE PIN (role: cashier, supervisor, manager or admin), or pin NEWPIN / disable / enable for the selected user",
        ),
    }
}

/// The typed line as the tab shows it: the PIN of `add NAME ROLE PIN` and
/// of `pin NEWPIN` as dots, from its first digit typed.
pub(super) fn masked(typed: &str) -> String {
    let secret_from = match typed.split_whitespace().next() {
        Some("add") => 3,
        Some("pin") => 1,
        _ => return typed.to_string(),
    };
    // Words begun so far, counting the one under way.
    let mut words = 0;
    let mut in_word = false;
    typed
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                in_word = false;
                return c;
            }
            if !in_word {
                words += 1;
                in_word = true;
            }
            if words > secret_from { '•' } else { c }
        })
        .collect()
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
