//! Popups over the screen: the key list and the manager's approval.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table};

use super::{centered, panel};
use crate::ui::action::{Action, Section};
use crate::ui::app::{App, ApprovalPrompt};

/// Every action of this screen and the global ones, with the keys the loaded
/// keymap binds to them: built from the keymap, so it never disagrees with it.
pub fn help(frame: &mut Frame, app: &App, area: Rect) {
    let section = app.section();
    let sections = if section == Section::Global {
        vec![Section::Global]
    } else {
        vec![section, Section::Global]
    };
    let mut rows = Vec::new();
    for s in sections {
        rows.push(Row::new([format!("[{}]", s.name()), String::new()]).style(app.theme.title));
        for action in Action::ALL.iter().filter(|a| a.section() == s) {
            rows.push(Row::new([
                Line::from(Span::styled(app.keymap.label(*action), app.theme.key)),
                Line::from(action.description()),
            ]));
        }
    }
    let height = rows.len() as u16 + 2;
    let popup = centered(area, area.width.saturating_sub(4).min(100), height);
    frame.render_widget(Clear, popup);
    let table = Table::new(rows, [Constraint::Length(16), Constraint::Min(20)])
        .block(panel(app, " Keys (any key closes) "));
    frame.render_widget(table, popup);
}

pub fn approval(frame: &mut Frame, app: &App, prompt: &ApprovalPrompt, area: Rect) {
    let t = &app.theme;
    let field = |label: &str, value: String, focused: bool| {
        let cursor = if focused { "▏" } else { "" };
        Line::from(vec![
            Span::styled(format!("  {label:<9}"), t.muted),
            Span::styled(
                format!("{value}{cursor}"),
                if focused { t.input } else { t.text },
            ),
        ])
    };
    let mut lines = vec![
        Line::styled(format!("  {}", prompt.why), t.accent),
        Line::raw(""),
        field("Manager", prompt.user.clone(), !prompt.on_pin),
        field("PIN", "•".repeat(prompt.pin.chars().count()), prompt.on_pin),
        Line::raw(""),
    ];
    match &prompt.error {
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

pub fn confirm(frame: &mut Frame, app: &App, question: &str, area: Rect) {
    let popup = centered(area, 60, 5);
    frame.render_widget(Clear, popup);
    let block = panel(app, " Confirm ");
    let text = Paragraph::new(format!(" {question}"))
        .style(app.theme.accent)
        .block(block)
        .wrap(Default::default());
    frame.render_widget(text, popup);
}
