//! The stock tab, low stock first: found by name or code as on the products
//! tab; for the selected product, an adjustment with its reason, a delivery
//! against its note, or a reorder level.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row, Table};
use rust_decimal::Decimal;

use super::ManagerView;
use crate::domain::stock::StockRow;
use crate::engine::Command;
use crate::ui::app::App;
use crate::ui::view::right;

const WIDTHS: [Constraint; 3] = [
    Constraint::Fill(1),
    Constraint::Length(10),
    Constraint::Length(10),
];

pub(super) fn submit(app: &mut App, typed: &str) {
    let Some(view) = super::view(app) else { return };
    let words: Vec<&str> = typed.split_whitespace().collect();
    let sku = view.stock.get(view.selected).map(|r| r.sku.clone());
    let number = |w: &str| w.trim_start_matches('+').parse::<Decimal>().ok();
    let command = match (words.as_slice(), sku) {
        // A delivery: quantity in, against its delivery note.
        (["recv", reference, qty], Some(sku)) => number(qty).map(|q| Command::ReceiveDelivery {
            reference: reference.to_string(),
            lines: vec![(sku, q)],
        }),
        (["reorder", level], Some(sku)) => {
            number(level).map(|level| Command::SetReorderLevel { sku, level })
        }
        ([delta, reason @ ..], Some(sku)) => number(delta).map(|delta| Command::AdjustStock {
            sku,
            delta,
            reason: reason.join(" "),
        }),
        _ => None,
    };
    let a_change = matches!(words.first(), Some(&"recv" | &"reorder"))
        || words.first().is_some_and(|w| number(w).is_some());
    match command {
        Some(c) => {
            app.run_typed(c);
        }
        None if a_change => app.info("type -2 broken, recv DN-1001 12, or reorder 5, then Enter"),
        // Not a change: a search (nothing typed shows every product again).
        None => {
            if let Some(view) = super::view(app) {
                view.query = typed.to_string();
                view.selected = 0;
            }
            app.input.clear();
        }
    }
}

/// Whether a row is one the typed words find: each in its name or sku.
pub(super) fn found(row: &StockRow, query: &str) -> bool {
    let name = row.name.to_lowercase();
    let sku = row.sku.to_lowercase();
    query
        .split_whitespace()
        .map(str::to_lowercase)
        .all(|w| name.contains(&w) || sku.contains(&w))
}

pub(super) fn table(app: &App, view: &ManagerView) -> Table<'static> {
    let rows = view
        .stock
        .iter()
        .map(|r| {
            let style = if r.level.is_low() {
                app.theme.error
            } else {
                app.theme.text
            };
            Row::new([
                Cell::from(r.name.clone()),
                right(r.level.on_hand.normalize().to_string()),
                right(r.level.reorder_level.normalize().to_string()),
            ])
            .style(style)
        })
        .collect();
    let low = view.stock.iter().filter(|r| r.level.is_low()).count();
    let title = if view.query.is_empty() {
        format!(" Stock ({low} low, listed first) ")
    } else {
        format!(
            " Stock matching '{}' ({low} low, listed first) ",
            view.query
        )
    };
    super::table(
        app,
        rows,
        &WIDTHS,
        &["Product", "On hand", "Reorder"],
        title,
    )
}
