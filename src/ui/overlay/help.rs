//! The key list: every action of the screen in front and the global ones,
//! with the keys the loaded keymap binds to them. Built from the keymap, so
//! it never disagrees with it. One action a row, never cut: where the list
//! is taller than the screen (the 80x24 console) Up, Down, PageUp and
//! PageDown scroll it; any other key closes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Row, Table};

use crate::ui::action::{Action, Section};
use crate::ui::app::App;
use crate::ui::view::{centered, panel};
use crate::ui::widget::scroll::Scroll;

/// One row of the list: a section's heading, or an action with its keys.
enum Entry {
    Heading(Section),
    Action(Action),
}

/// This screen's actions under its heading, then the global ones.
fn entries(app: &App) -> Vec<Entry> {
    let section = app.section();
    let mut sections = vec![Section::Global];
    if section != Section::Global {
        sections.insert(0, section);
    }
    sections
        .into_iter()
        .flat_map(|s| {
            std::iter::once(Entry::Heading(s)).chain(
                Action::ALL
                    .iter()
                    .filter(move |a| a.section() == s)
                    .map(|a| Entry::Action(*a)),
            )
        })
        .collect()
}

/// How many rows the list has, for scrolling it.
pub(super) fn len(app: &App) -> usize {
    entries(app).len()
}

pub(super) fn draw(frame: &mut Frame, app: &App, area: Rect, scroll: &Scroll) {
    let entries = entries(app);
    let label = |a: Action| app.keymap.label(a);
    let width = area.width.saturating_sub(4).min(100);
    // The widest keys, but never more than a third of the box: a keymap
    // may bind eight long key names to one action, and the descriptions
    // must keep their room.
    let keys_width = entries
        .iter()
        .map(|e| match e {
            Entry::Action(a) => label(*a).chars().count(),
            Entry::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .min(usize::from(width / 3));
    let height = u16::try_from(entries.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let popup = centered(area, width, height);
    let (shown, below) = scroll.window(entries.len(), usize::from(height.saturating_sub(2)));
    let title = format!(
        " Keys{}: Up/Down scroll, any other key closes ",
        Scroll::more(below)
    );
    let rows: Vec<Row> = entries[shown]
        .iter()
        .map(|entry| match entry {
            Entry::Heading(s) => {
                Row::new([format!("[{}]", s.name()), String::new()]).style(app.theme.title)
            }
            Entry::Action(a) => Row::new([
                Line::from(Span::styled(label(*a), app.theme.key)),
                Line::from(a.description()),
            ]),
        })
        .collect();
    frame.render_widget(Clear, popup);
    let widths = [
        Constraint::Length(u16::try_from(keys_width).unwrap_or(16)),
        Constraint::Min(10),
    ];
    frame.render_widget(Table::new(rows, widths).block(panel(app, title)), popup);
}
