//! The login screen: user (name or operator number), then PIN.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, panel};
use crate::ui::app::{App, LoginForm};

pub fn draw(frame: &mut Frame, app: &App, form: &LoginForm, area: Rect) {
    let t = &app.theme;
    let field = |label: &str, value: String, focused: bool| {
        let cursor = if focused { "▏" } else { "" };
        let style = if focused { t.input } else { t.text };
        Line::from(vec![
            Span::styled(format!("  {label:<6}"), t.muted),
            Span::styled(format!("{value}{cursor}"), style),
        ])
    };
    let lines = vec![
        Line::raw(""),
        field("User", form.user.clone(), !form.on_pin),
        Line::raw(""),
        field("PIN", "•".repeat(form.pin.chars().count()), form.on_pin),
        Line::raw(""),
        Line::styled("  Enter: next / log in   Up/Down: switch field", t.muted),
    ];
    let block = panel(app, " Log in ");
    frame.render_widget(Paragraph::new(lines).block(block), centered(area, 50, 9));
}
