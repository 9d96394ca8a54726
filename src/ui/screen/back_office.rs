//! The back office (lane 0: a screen attached without `--lane`): where
//! managers run the shop, never a sale. It says so, and what is here: the
//! manager screens, the X and Z reports. A code typed or scanned here is
//! answered with where to sell instead.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{day_report, manager};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::panel;

pub const TITLE: &str = "BACK OFFICE";
pub const INPUT: &str = " Nothing is sold here: see above ";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::Manager,
    Action::XReport,
    Action::ZReport,
    Action::Logout,
];

pub fn act(app: &mut App, action: Action) {
    match action {
        Action::Manager => manager::open(app),
        Action::XReport | Action::ZReport => day_report::run(app, action),
        Action::Erase => {
            app.input.pop();
        }
        Action::Back => app.input.clear(),
        Action::Submit | Action::Pay => {
            app.input.clear();
            app.error(
                "this is the back office: nothing is sold here. Sell at a till \
                 (till --lane 1); Ctrl-g opens the manager screens",
            );
        }
        _ => {}
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let key = |a| app.keymap.label(a);
    let lines = vec![
        Line::styled("This screen is the back office (lane 0).", app.theme.accent),
        Line::raw(""),
        Line::raw("Nothing is sold here, and scans are not taken: sales are made at a till"),
        Line::raw("started with its lane (till --lane 1). From here:"),
        Line::raw(""),
        Line::raw(format!(
            "  {:<10} the manager screens: products, stock, users, reports,",
            key(Action::Manager)
        )),
        Line::raw("             journal, sync"),
        Line::raw(format!(
            "  {:<10} the X report: takings since the last Z, nothing reset",
            key(Action::XReport)
        )),
        Line::raw(format!(
            "  {:<10} the Z report: ends the day (it warns of open sales)",
            key(Action::ZReport)
        )),
        Line::raw(format!("  {:<10} log out", key(Action::Logout))),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .style(app.theme.text)
            .wrap(Wrap { trim: false })
            .block(panel(app, " Back office ")),
        area,
    );
}
