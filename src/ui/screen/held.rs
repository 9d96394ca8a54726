//! The sales put aside on this lane: pick one and Enter brings it back.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::Screen;
use crate::domain::sale::HeldSale;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::{panel, right};
use crate::ui::widget::step;

pub const TITLE: &str = "HELD SALES";

const WIDTHS: [Constraint; 5] = [
    Constraint::Length(6),
    Constraint::Length(6),
    Constraint::Fill(1),
    Constraint::Length(6),
    Constraint::Length(10),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldList {
    pub held: Vec<HeldSale>,
    pub selected: usize,
}

/// From the sale: the held sales, if there are any.
pub fn open(app: &mut App) {
    match app.held() {
        Ok(held) if held.is_empty() => app.info("no sales are held"),
        Ok(held) => app.screen = Screen::Recall(HeldList { held, selected: 0 }),
        Err(e) => app.error(e.to_string()),
    }
}

pub fn act(app: &mut App, action: Action) {
    let Screen::Recall(list) = &mut app.screen else {
        return;
    };
    match action {
        Action::Back => app.screen = Screen::Sale,
        Action::Up | Action::Down => {
            list.selected = step(list.selected, list.held.len(), action);
        }
        Action::Submit => {
            if let Some(id) = list.held.get(list.selected).map(|h| h.id) {
                // The sale screen is in front while it comes back, so that a
                // held refund opens its receipt; refused, the list stays.
                let list = std::mem::replace(&mut app.screen, Screen::Sale);
                if !app.run(Command::Recall { id }) && app.screen == Screen::Sale {
                    app.screen = list;
                }
            }
        }
        _ => {}
    }
}

impl HeldList {
    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let rows: Vec<Row> = self.held.iter().map(|h| row(app, h)).collect();
        let table = Table::new(rows, WIDTHS)
            .header(Row::new(["Id", "Held", "By", "Lines", "Total"]).style(app.theme.muted))
            .block(panel(app, " Held sales "))
            .row_highlight_style(app.theme.selection);
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }
}

fn row(app: &App, h: &HeldSale) -> Row<'static> {
    let when = h
        .held_at
        .with_timezone(&chrono::Local)
        .format("%H:%M")
        .to_string();
    Row::new([
        Cell::from(format!("#{}", h.id)),
        Cell::from(when),
        Cell::from(h.held_by.clone()),
        right(format!(
            "{}",
            h.sale.lines.iter().filter(|l| !l.voided).count()
        )),
        right(app.currency().format(h.total)),
    ])
}
