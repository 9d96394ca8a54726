//! A user name (or operator number) and a PIN, typed one field at a time:
//! the login screen's and the manager approval's. The PIN never shows, only
//! a dot per digit.

use ratatui::text::{Line, Span};

use crate::ui::theme::Theme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub pin: String,
    /// The PIN field has focus (else the user field).
    pub on_pin: bool,
}

impl Credentials {
    fn focused(&mut self) -> &mut String {
        if self.on_pin {
            &mut self.pin
        } else {
            &mut self.user
        }
    }

    pub fn push(&mut self, c: char) {
        self.focused().push(c);
    }

    pub fn erase(&mut self) {
        self.focused().pop();
    }

    /// Up or Down: the other field.
    pub fn switch(&mut self) {
        self.on_pin = !self.on_pin;
    }

    /// The user field, its label padded to `width`.
    pub fn user_line(&self, theme: &Theme, label: &str, width: usize) -> Line<'static> {
        field(theme, label, width, self.user.clone(), !self.on_pin)
    }

    /// The PIN field, shown as dots.
    pub fn pin_line(&self, theme: &Theme, width: usize) -> Line<'static> {
        let dots = "•".repeat(self.pin.chars().count());
        field(theme, "PIN", width, dots, self.on_pin)
    }
}

fn field(theme: &Theme, label: &str, width: usize, value: String, focused: bool) -> Line<'static> {
    let cursor = if focused { "▏" } else { "" };
    let style = if focused { theme.input } else { theme.text };
    Line::from(vec![
        Span::styled(format!("  {label:<width$}"), theme.muted),
        Span::styled(format!("{value}{cursor}"), style),
    ])
}
