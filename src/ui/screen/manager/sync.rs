//! The sync tab: how sending to head office stands, as the outbox says.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::ManagerView;
use crate::ui::app::App;
use crate::ui::view::panel;

pub(super) fn draw(frame: &mut Frame, app: &App, view: &ManagerView, area: Rect) {
    let now = app.now().with_timezone(&chrono::Utc);
    let lines: Vec<Line> = match &view.sync {
        Some(status) => status
            .fields(now)
            .into_iter()
            .map(|(label, value)| {
                Line::from(vec![
                    Span::styled(format!("{label:<16}"), app.theme.muted),
                    Span::styled(value, app.theme.text),
                ])
            })
            .collect(),
        None => vec![Line::styled(
            "The sync status cannot be read just now.",
            app.theme.muted,
        )],
    };
    frame.render_widget(Paragraph::new(lines).block(panel(app, " Sync ")), area);
}
