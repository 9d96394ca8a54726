//! Building a refund against a receipt: pick one of its lines, type how many
//! come back (one if nothing is typed), Enter; then pay it out. The engine
//! says what each line gives back, as it was sold.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table, TableState};
use rust_decimal::Decimal;

use super::{Screen, payment};
use crate::domain::money::Money;
use crate::domain::quantity;
use crate::domain::receipt::CompletedSale;
use crate::engine::{Command, EngineError};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::overlay::confirm;
use crate::ui::view::cart::{WIDTHS, header};
use crate::ui::view::{panel, right};
use crate::ui::widget::step;

pub const TITLE: &str = "REFUND";
pub const INPUT: &str = " Quantity to refund (empty: 1) ";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::Submit,
    Action::Pay,
    Action::VoidSale,
    Action::Back,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundView {
    pub original: CompletedSale,
    pub selected: usize,
}

/// The refund screen for receipt number `receipt`, as the engine has it.
pub fn view(app: &mut App, receipt: u64) -> Result<Screen, EngineError> {
    let original = app.receipt(receipt)?;
    Ok(Screen::Refund(Box::new(RefundView {
        original,
        selected: 0,
    })))
}

/// Puts the refund screen in front, or says why it cannot.
pub fn open(app: &mut App, receipt: u64) {
    match view(app, receipt) {
        Ok(screen) => app.screen = screen,
        Err(e) => app.error(e.to_string()),
    }
}

pub fn act(app: &mut App, action: Action) {
    let Screen::Refund(view) = &mut app.screen else {
        return;
    };
    let typed = app.input.trim().to_string();
    match action {
        Action::Up | Action::Down => {
            view.selected = step(view.selected, view.original.sale.lines.len(), action);
        }
        Action::Submit | Action::Quantity => {
            let line = view.selected;
            refund_line(app, line, &typed);
        }
        Action::Erase => {
            app.input.pop();
        }
        Action::Pay => payment::open(app),
        Action::Back if !typed.is_empty() => app.input.clear(),
        // An empty refund is simply dropped; one with lines is asked about.
        Action::Back if app.cart.as_ref().is_none_or(|(s, _)| s.lines.is_empty()) => {
            app.run(Command::VoidSale { approval: None });
        }
        Action::Back | Action::VoidSale => confirm::void_sale(app),
        _ => {}
    }
}

fn refund_line(app: &mut App, line: usize, typed: &str) {
    let quantity = if typed.is_empty() {
        Ok(Decimal::ONE)
    } else {
        quantity::parse(typed)
    };
    match quantity {
        Ok(quantity) => {
            app.run_typed(Command::RefundLine { line, quantity });
        }
        Err(e) => app.error(e.to_string()),
    }
}

impl RefundView {
    /// The receipt being refunded: each line, and what the refund takes from it.
    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let rows: Vec<Row> = (0..self.original.sale.lines.len())
            .map(|i| self.row(app, i))
            .collect();
        let title = format!(
            " Receipt {} of {} ",
            self.original.receipt_label(),
            self.original.completed_at.format("%Y-%m-%d")
        );
        // "0.5 -0.5": what was sold and what comes back, never cut: the
        // quantity column grows to its widest, the item's name gives way.
        let widest = (0..self.original.sale.lines.len())
            .map(|i| self.quantity(app, i).chars().count())
            .max()
            .unwrap_or(0);
        let mut widths = WIDTHS;
        if let Constraint::Length(qty) = widths[1] {
            widths[1] = Constraint::Length(qty.max(widest as u16));
        }
        let table = Table::new(rows, widths)
            .header(header(app))
            .block(panel(app, title))
            .row_highlight_style(app.theme.selection);
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }

    fn row(&self, app: &App, i: usize) -> Row<'static> {
        let money = |m: Money| app.currency().format(m);
        let line = &self.original.sale.lines[i];
        let paid = self.original.totals.lines.iter().find(|t| t.line == i);
        let back = refunding(app, i);
        let style = match (paid, back.is_zero()) {
            (None, _) => app.theme.muted,
            (Some(_), true) => app.theme.text,
            (Some(_), false) => app.theme.accent,
        };
        Row::new([
            Cell::from(format!("{}", i + 1)),
            Cell::from(self.quantity(app, i)),
            Cell::from(line.name.clone()),
            right(money(line.unit_price)),
            right(
                paid.map(|t| money(t.split.gross))
                    .unwrap_or_else(|| "void".into()),
            ),
        ])
        .style(style)
    }
}

impl RefundView {
    /// Line `i`'s quantity sold, and what the refund takes back ("3 -1").
    fn quantity(&self, app: &App, i: usize) -> String {
        let sold = self.original.sale.lines[i].quantity.normalize();
        let back = refunding(app, i);
        if back.is_zero() {
            sold.to_string()
        } else {
            format!("{sold} -{}", back.normalize())
        }
    }
}

/// What the refund being built takes from line `i` of the receipt.
fn refunding(app: &App, i: usize) -> Decimal {
    app.cart
        .iter()
        .flat_map(|(sale, _)| sale.lines.iter())
        .filter(|l| !l.voided)
        .filter(|l| l.refund_of.is_some_and(|r| r.line == i))
        .map(|l| l.quantity)
        .sum()
}
