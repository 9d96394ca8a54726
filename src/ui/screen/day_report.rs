//! An X or Z report on screen: every figure of it (takings, tenders, tax,
//! counts against what was expected with the sign of the difference, the
//! grand total), the same lines the printer prints, scrolled with Up, Down,
//! PageUp and PageDown where the screen is too short. Esc goes back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::Screen;
use crate::domain::daily::local_time;
use crate::domain::report_text::{SCREEN_WIDTH, report_lines};
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::panel;
use crate::ui::widget::scroll::Scroll;

pub const TITLE: &str = "REPORT";
pub const INPUT: &str = " Up/Down, PageUp/PageDown: scroll   Esc: back ";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::Up,
    Action::Down,
    Action::PageDown,
    Action::Back,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub lines: Vec<String>,
    pub scroll: Scroll,
    /// "X report" or "Z report 3", for the panel's title.
    pub name: String,
}

/// Ctrl-x or Ctrl-z: asks the engine for the report; the answer puts it in
/// front (`open`). A Z with sales open on a lane is refused with them
/// named, and the screen asks before taking it anyway (see `commands`).
pub fn run(app: &mut App, action: Action) {
    let command = if action == Action::ZReport {
        Command::ZReport {
            approval: None,
            despite_open_sales: false,
        }
    } else {
        Command::XReport { approval: None }
    };
    app.run(command);
}

/// Puts the report in front.
pub fn open(app: &mut App, report: &DayReport, shifts: &[Shift]) {
    let lines = report_lines(report, shifts, app.currency(), SCREEN_WIDTH, local_time);
    let name = match report.z_number {
        Some(n) => format!("Z report {n}"),
        None => "X report".to_string(),
    };
    app.input.clear();
    app.screen = Screen::Report(Box::new(ReportView {
        lines,
        scroll: Scroll::default(),
        name,
    }));
}

pub fn act(app: &mut App, action: Action) {
    let Screen::Report(view) = &mut app.screen else {
        return;
    };
    match action {
        Action::Back | Action::Submit => app.screen = app.home(),
        a if Scroll::scrolls(a) => view.scroll.act(a, view.lines.len()),
        _ => {}
    }
}

impl ReportView {
    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let shown = usize::from(area.height.saturating_sub(2));
        let (rows, below) = self.scroll.window(self.lines.len(), shown);
        let more = Scroll::more(below);
        let text: Vec<ratatui::text::Line> = self.lines[rows]
            .iter()
            .map(|l| ratatui::text::Line::raw(format!(" {l}")))
            .collect();
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.text)
                .block(panel(app, format!(" {}{more} ", self.name))),
            area,
        );
    }
}
