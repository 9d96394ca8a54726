//! The journal tab: every entry, newest first, as the store chained them.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row, Table};

use super::ManagerView;
use crate::ui::app::App;
use crate::ui::view::right;

const WIDTHS: [Constraint; 4] = [
    Constraint::Length(6),
    Constraint::Length(11),
    Constraint::Length(9),
    Constraint::Fill(1),
];

pub(super) fn table(app: &App, view: &ManagerView) -> Table<'static> {
    let rows = view
        .journal
        .iter()
        .map(|r| {
            let at = r
                .entry
                .at
                .with_timezone(&chrono::Local)
                .format("%m-%d %H:%M")
                .to_string();
            let what = r.entry.event.describe();
            Row::new([
                right(r.entry.seq.to_string()),
                Cell::from(at),
                Cell::from(r.entry.actor.clone().unwrap_or_else(|| "-".into())),
                Cell::from(what),
            ])
        })
        .collect();
    let title = " Journal, newest first (every entry hash-chained) ".into();
    super::table(app, rows, &WIDTHS, &["#", "When", "Who", "What"], title)
}
