//! The status bar and the key hints under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::action::{Action, Section};
use crate::ui::app::App;

/// Who, where, and the state of everything the till depends on.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let user = app.user.clone().unwrap_or_else(|| "logged out".into());
    let devices = app.devices.get();
    let parts = [
        user,
        app.settings().terminal.clone(),
        devices.printer,
        devices.scanner,
        app.sync_status()
            .map(|s| s.summary(app.now().with_timezone(&chrono::Utc)))
            .unwrap_or_else(|| "HQ ?".to_string()),
    ];
    let clock = app.now().format("%H:%M:%S").to_string();
    // The clock always shows; on a narrow screen the left part gives way.
    let room = (area.width as usize).saturating_sub(clock.len() + 2);
    let left: String = format!(" {}", parts.join(" │ "))
        .chars()
        .take(room)
        .collect();
    let pad = (area.width as usize).saturating_sub(left.chars().count() + clock.len() + 1);
    let text = format!("{left}{}{clock} ", " ".repeat(pad));
    frame.render_widget(Paragraph::new(text).style(app.theme.status), area);
}

/// The keys that matter on this screen, from the live keymap, as many as fit.
pub fn hints(frame: &mut Frame, app: &App, area: Rect) {
    let actions = app.screen.hints();
    let mut spans = Vec::new();
    let mut width = 0usize;
    for action in actions {
        let keys = app.keymap.keys(*action);
        let Some(key) = keys.first() else { continue };
        let key = key.label();
        let name = short_name(*action, app.section());
        let len = key.len() + name.len() + 2;
        if width + len > area.width as usize {
            break;
        }
        width += len;
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(format!(" {name}"), app.theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn short_name(action: Action, section: Section) -> &'static str {
    match (action, section) {
        (Action::Submit, Section::Payment) => "cash",
        (Action::PayCard, _) => "card",
        (Action::PayOther, _) => "other",
        (Action::Submit, _) => "ok",
        (Action::VoidLine, _) => "void line",
        (Action::LineDiscount, _) => "line %",
        (Action::SaleDiscount, _) => "sale %",
        (Action::VoidSale, _) => "void sale",
        (Action::Quantity, _) => "qty",
        (Action::NextTab, _) => "next screen",
        (a, _) => a.name(),
    }
}
