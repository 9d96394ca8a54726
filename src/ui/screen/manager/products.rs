//! The products tab: find by name or code; for the selected product, a new
//! price, a tax category, or a barcode added or taken off.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row, Table};

use super::ManagerView;
use crate::engine::{Command, ProductChange};
use crate::ui::app::App;
use crate::ui::view::right;

const WIDTHS: [Constraint; 4] = [
    Constraint::Fill(1),
    Constraint::Length(14),
    Constraint::Length(6),
    Constraint::Length(10),
];

pub(super) fn submit(app: &mut App, typed: String) {
    let Some(view) = super::view(app) else { return };
    let selected = view
        .products
        .get(view.selected)
        .map(|p| (p.sku.clone(), p.name.clone()));
    let words: Vec<&str> = typed.split_whitespace().collect();
    let change = match words.as_slice() {
        ["tax", code] => Some(ProductChange::TaxCategory(code.to_string())),
        ["+code", code] => Some(ProductChange::AddBarcode(code.to_string())),
        ["-code", code] => Some(ProductChange::RemoveBarcode(code.to_string())),
        _ => None,
    };
    match (change, app.currency().parse(&typed), selected) {
        (Some(change), _, Some((sku, name))) => {
            if app.run_typed(Command::EditProduct { sku, change }) {
                app.info(format!("{name} changed, and journaled"));
            }
        }
        (None, Ok(price), Some((sku, name))) if !typed.is_empty() => {
            if app.run_typed(Command::SetPrice { sku, price }) {
                app.info(format!(
                    "{name} now sells at {}",
                    app.currency().format(price)
                ));
            }
        }
        // Not a change: a search.
        _ => {
            if let Some(view) = super::view(app) {
                view.query = typed;
                view.selected = 0;
            }
            app.input.clear();
        }
    }
}

pub(super) fn table(app: &App, view: &ManagerView) -> Table<'static> {
    let rows = view
        .products
        .iter()
        .map(|p| {
            Row::new([
                Cell::from(p.name.clone()),
                Cell::from(p.display_code().to_string()),
                Cell::from(p.tax_code.clone()),
                right(app.currency().format(p.price)),
            ])
        })
        .collect();
    let title = if view.query.is_empty() {
        " Products ".into()
    } else {
        format!(" Products matching '{}' ", view.query)
    };
    super::table(app, rows, &WIDTHS, &["Name", "Code", "Tax", "Price"], title)
}
