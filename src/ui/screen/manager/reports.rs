//! The reports tab: takings by hour, tender, tax, cashier and product, for
//! today or the days typed. The figures are the engine's report.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::ManagerView;
use crate::domain::money::Money;
use crate::domain::takings::SalesReport;
use crate::ui::app::App;
use crate::ui::view::panel;

/// A day, or two (from, to): the report covers those days.
pub(super) fn submit(app: &mut App, typed: &str) {
    let dates: Vec<NaiveDate> = typed
        .split_whitespace()
        .filter_map(|d| d.parse().ok())
        .collect();
    let range = match dates.as_slice() {
        [day] => (*day, *day),
        [from, to] if from <= to => (*from, *to),
        _ => return app.info("type a day (2026-11-23) or two (from to), then Enter"),
    };
    if let Some(view) = super::view(app) {
        view.range = Some(range);
    }
    app.input.clear();
}

pub(super) fn draw(frame: &mut Frame, app: &App, view: &ManagerView, area: Rect) {
    let Some(report) = &view.report else { return };
    let [chart, tables] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(area);
    by_hour(frame, app, report, chart);
    let [left, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(tables);
    frame.render_widget(
        Paragraph::new(breakdown(app, report)).block(panel(app, " Tender, tax, cashier ")),
        left,
    );
    let m = |x: Money| app.currency().format(x);
    let products: Vec<Line> = report
        .by_product
        .iter()
        .map(|(name, qty, amount)| {
            Line::raw(format!(
                "{:<18.18}{:>6} {:>9}",
                name,
                qty.normalize(),
                m(*amount)
            ))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(products).block(panel(app, " By product ")),
        right_area,
    );
}

/// Takings by hour, in whole currency units: a bar chart has no cents.
fn by_hour(frame: &mut Frame, app: &App, report: &SalesReport, area: Rect) {
    let bars: Vec<Bar> = report
        .by_hour
        .iter()
        .enumerate()
        .map(|(h, v)| {
            let whole = u64::try_from(v.amount().trunc().mantissa().max(0)).unwrap_or(0);
            Bar::default()
                .value(whole)
                .label(Line::from(format!("{h:02}")))
                .text_value(String::new())
        })
        .collect();
    let t = &report.takings;
    let title = format!(
        " Today by hour: {} sales, {} refunds, takings {} ",
        t.sales,
        t.refunds,
        app.currency().format(t.gross)
    );
    frame.render_widget(
        BarChart::default()
            .block(panel(app, title))
            .data(BarGroup::default().bars(&bars))
            .bar_width(2)
            .bar_gap(1)
            .bar_style(app.theme.accent),
        area,
    );
}

/// By tender, by tax rate and by cashier.
fn breakdown(app: &App, report: &SalesReport) -> Vec<Line<'static>> {
    let m = |x: Money| app.currency().format(x);
    let t = &report.takings;
    let mut lines = Vec::new();
    for (kind, amount) in &t.tenders {
        lines.push(Line::raw(format!(
            "{:<12}{:>12}",
            kind.to_string(),
            m(*amount)
        )));
    }
    for tax in &t.tax {
        let rate = (tax.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize();
        lines.push(Line::raw(format!(
            "tax {:<4} {rate:>4}% {:>10}",
            tax.code,
            m(tax.tax)
        )));
    }
    for (cashier, sales, amount) in &report.by_cashier {
        lines.push(Line::raw(format!(
            "{cashier:<10}{sales:>4} {:>10}",
            m(*amount)
        )));
    }
    lines
}
