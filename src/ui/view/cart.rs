//! The cart table, on the sale and payment screens; its columns are also
//! those of the receipt being refunded.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::{panel, right};
use crate::domain::money::Money;
use crate::ui::app::App;

pub const WIDTHS: [Constraint; 5] = [
    Constraint::Length(3),
    Constraint::Length(6),
    Constraint::Fill(1),
    Constraint::Length(9),
    Constraint::Length(10),
];

pub fn header(app: &App) -> Row<'static> {
    let head = ["#", "Qty", "Item"].map(Cell::from);
    Row::new(
        head.into_iter()
            .chain([right("Price".into()), right("Total".into())]),
    )
    .style(app.theme.muted)
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let money = |m: Money| app.currency().format(m);
    let mut rows = Vec::new();
    if let Some((sale, totals)) = &app.cart {
        for (i, line) in sale.lines.iter().enumerate() {
            let figures = totals.lines.iter().find(|t| t.line == i);
            let total = match figures {
                Some(t) => money(t.split.gross),
                None => "void".to_string(),
            };
            let style = if line.voided {
                app.theme.muted
            } else {
                app.theme.text
            };
            rows.push(
                Row::new([
                    Cell::from(format!("{}", i + 1)),
                    Cell::from(line.quantity.normalize().to_string()),
                    Cell::from(line.name.clone()),
                    right(money(line.unit_price)),
                    right(total),
                ])
                .style(style),
            );
            if let Some(t) = figures {
                let off = t.line_discount + t.sale_discount;
                if !off.is_zero() {
                    rows.push(
                        Row::new([
                            Cell::from(""),
                            Cell::from(""),
                            Cell::from("  discount"),
                            Cell::from(""),
                            right(money(-off)),
                        ])
                        .style(app.theme.muted),
                    );
                }
            }
        }
    }
    let selected = app.cart.as_ref().map(|(sale, totals)| {
        // The selected line's row, counting the discount rows above it.
        (0..app.selected.min(sale.lines.len()))
            .map(|i| {
                let t = totals.lines.iter().find(|t| t.line == i);
                1 + usize::from(t.is_some_and(|t| !(t.line_discount + t.sale_discount).is_zero()))
            })
            .sum::<usize>()
    });
    let title = match &app.cart {
        Some((sale, _)) if sale.is_refund() => " Refund ".to_string(),
        // The customer by number only: their name is not for the queue to read.
        Some((sale, _)) => match sale.customer {
            Some(id) => format!(" Cart · customer #{id} "),
            None => " Cart ".to_string(),
        },
        None => " Cart (scan or type a code) ".to_string(),
    };
    let table = Table::new(rows, WIDTHS)
        .header(header(app))
        .block(panel(app, title))
        .row_highlight_style(app.theme.selection);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
