//! The product lookup, the customers list and the held-sales list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::{panel, right};
use crate::domain::product::Unit;
use crate::ui::app::{App, LookupList, RecallList};
use crate::ui::customers::CustomerList;

pub fn lookup(frame: &mut Frame, app: &App, list: &LookupList, area: Rect) {
    let rows: Vec<Row> = list
        .results
        .iter()
        .map(|p| {
            let code = p.display_code().to_string();
            let price = app.currency().format(p.price);
            let price = if p.unit == Unit::Kg {
                format!("{price}/kg")
            } else {
                price
            };
            Row::new([Cell::from(p.name.clone()), Cell::from(code), right(price)])
        })
        .collect();
    let title = match list.quantity {
        Some(q) => format!(" Products ({} found) · adding {q} ", list.results.len()),
        None => format!(" Products ({} found) ", list.results.len()),
    };
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(14),
        Constraint::Length(12),
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(["Name", "Code", "Price"]).style(app.theme.muted))
        .block(panel(app, title))
        .row_highlight_style(app.theme.selection);
    let mut state =
        TableState::default().with_selected((!list.results.is_empty()).then_some(list.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

pub fn customers(frame: &mut Frame, app: &App, list: &CustomerList, area: Rect) {
    let rows: Vec<Row> = list
        .results
        .iter()
        .map(|c| {
            let contact = c.contact.clone().unwrap_or_default();
            let reach = contact.phone.or(contact.email).unwrap_or_default();
            Row::new([
                Cell::from(format!("#{}", c.id)),
                Cell::from(contact.name),
                Cell::from(reach),
                Cell::from(contact.tax_number.unwrap_or_default()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(5),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Length(13),
    ];
    let title = format!(" Customers ({} found) ", list.results.len());
    let table = Table::new(rows, widths)
        .header(Row::new(["No", "Name", "Phone or email", "Tax no"]).style(app.theme.muted))
        .block(panel(app, title))
        .row_highlight_style(app.theme.selection);
    let mut state =
        TableState::default().with_selected((!list.results.is_empty()).then_some(list.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

pub fn recall(frame: &mut Frame, app: &App, list: &RecallList, area: Rect) {
    let rows: Vec<Row> = list
        .held
        .iter()
        .map(|h| {
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
        })
        .collect();
    let widths = [
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(10),
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(["Id", "Held", "By", "Lines", "Total"]).style(app.theme.muted))
        .block(panel(app, " Held sales "))
        .row_highlight_style(app.theme.selection);
    let mut state = TableState::default().with_selected(Some(list.selected));
    frame.render_stateful_widget(table, area, &mut state);
}
