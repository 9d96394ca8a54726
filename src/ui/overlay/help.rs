//! The key list: every action of the screen in front and the global ones,
//! with the keys the loaded keymap binds to them. Built from the keymap, so
//! it never disagrees with it. Any key closes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table};

use crate::ui::action::{Action, Section};
use crate::ui::app::App;
use crate::ui::view::{centered, panel};

/// Every action of this screen and the global ones, with the keys the loaded
/// keymap binds to them: built from the keymap, so it never disagrees with it.
/// Where the full list does not fit (the 80x24 console), the global keys are
/// listed compactly under this screen's, by name.
pub(super) fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let section = app.section();
    let row = |action: &Action| {
        Row::new([
            Line::from(Span::styled(app.keymap.label(*action), app.theme.key)),
            Line::from(action.description()),
        ])
    };
    let header =
        |s: Section| Row::new([format!("[{}]", s.name()), String::new()]).style(app.theme.title);
    let of = |s: Section| Action::ALL.iter().filter(move |a| a.section() == s);
    let mut rows: Vec<Row> = Vec::new();
    if section != Section::Global {
        rows.push(header(section));
        rows.extend(of(section).map(row));
    }
    let globals = of(Section::Global).count() as u16 + 1;
    let compact = rows.len() as u16 + globals + 2 > area.height;
    let width = area.width.saturating_sub(4).min(100);
    let summary: Vec<Span> = of(Section::Global)
        .flat_map(|a| {
            [
                Span::styled(format!("{} ", app.keymap.label(*a)), app.theme.key),
                Span::raw(format!("{}   ", a.name())),
            ]
        })
        .collect();
    let summary_lines = if compact {
        let text: usize = summary.iter().map(|s| s.content.chars().count()).sum();
        (text as u16).div_ceil(width.saturating_sub(2).max(1)) + 1
    } else {
        rows.push(header(Section::Global));
        rows.extend(of(Section::Global).map(row));
        0
    };
    // Still too tall: this screen's keys go side by side in two columns.
    let room = area.height.saturating_sub(summary_lines + 2);
    let two_columns = rows.len() as u16 > room;
    let table_height = if two_columns {
        (rows.len() as u16).div_ceil(2)
    } else {
        rows.len() as u16
    };
    let popup = centered(area, width, table_height + summary_lines + 2);
    frame.render_widget(Clear, popup);
    let block = panel(app, " Keys (any key closes) ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let rows_area = Rect {
        height: table_height.min(inner.height),
        ..inner
    };
    let widths = [Constraint::Length(16), Constraint::Min(10)];
    if two_columns {
        let second = rows.split_off(table_height as usize);
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(rows_area);
        frame.render_widget(Table::new(rows, widths), left);
        frame.render_widget(Table::new(second, widths), right);
    } else {
        frame.render_widget(Table::new(rows, widths), rows_area);
    }
    if compact {
        let rest = Rect {
            y: inner.y + table_height,
            height: inner.height.saturating_sub(table_height),
            ..inner
        };
        let mut lines = vec![Line::styled("[global]", app.theme.title)];
        lines.push(Line::from(summary));
        frame.render_widget(Paragraph::new(lines).wrap(Default::default()), rest);
    }
}
