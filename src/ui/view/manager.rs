//! Drawing the manager's screens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Paragraph, Row, Table, TableState, Tabs};

use super::{panel, right};
use crate::domain::money::Money;
use crate::ui::app::App;
use crate::ui::manager::{ManagerView, Tab};

pub fn draw(frame: &mut Frame, app: &App, view: &ManagerView, area: Rect) {
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let titles: Vec<&str> = Tab::ALL.iter().map(|t| t.title()).collect();
    let selected = Tab::ALL.iter().position(|t| *t == view.tab);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .style(app.theme.muted)
            .highlight_style(app.theme.selection),
        tabs,
    );
    let m = |x: Money| app.currency().format(x);
    let table = |rows: Vec<Row<'static>>,
                 widths: Vec<Constraint>,
                 head: Vec<&'static str>,
                 title: String| {
        Table::new(rows, widths)
            .header(Row::new(head).style(app.theme.muted))
            .block(panel(app, title))
            .row_highlight_style(app.theme.selection)
    };
    let mut state = TableState::default().with_selected((view.rows() > 0).then_some(view.selected));
    match view.tab {
        Tab::Products => {
            let rows = view
                .products
                .iter()
                .map(|p| {
                    let code = p.display_code().to_string();
                    Row::new([
                        Cell::from(p.name.clone()),
                        Cell::from(code),
                        Cell::from(p.tax_code.clone()),
                        right(m(p.price)),
                    ])
                })
                .collect();
            let widths = vec![
                Constraint::Fill(1),
                Constraint::Length(14),
                Constraint::Length(6),
                Constraint::Length(10),
            ];
            let title = if view.query.is_empty() {
                " Products ".into()
            } else {
                format!(" Products matching '{}' ", view.query)
            };
            frame.render_stateful_widget(
                table(rows, widths, vec!["Name", "Code", "Tax", "Price"], title),
                body,
                &mut state,
            );
        }
        Tab::Stock => {
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
            let widths = vec![
                Constraint::Fill(1),
                Constraint::Length(10),
                Constraint::Length(10),
            ];
            let low = view.stock.iter().filter(|r| r.level.is_low()).count();
            let title = format!(" Stock ({low} low, listed first) ");
            frame.render_stateful_widget(
                table(rows, widths, vec!["Product", "On hand", "Reorder"], title),
                body,
                &mut state,
            );
        }
        Tab::Users => {
            let rows = view
                .users
                .iter()
                .map(|u| {
                    let state = match (u.disabled, u.locked) {
                        (true, _) => "disabled",
                        (false, true) => "locked (wrong PINs)",
                        (false, false) => "active",
                    };
                    Row::new([
                        Cell::from(u.name.clone()),
                        Cell::from(u.role.name()),
                        Cell::from(state),
                    ])
                })
                .collect();
            let widths = vec![
                Constraint::Fill(1),
                Constraint::Length(12),
                Constraint::Length(20),
            ];
            let title = " Users (PINs are never shown, only reset) ".into();
            frame.render_stateful_widget(
                table(rows, widths, vec!["Name", "Role", "State"], title),
                body,
                &mut state,
            );
        }
        Tab::Reports => reports(frame, app, view, body),
        Tab::Journal => {
            let rows = view
                .journal
                .iter()
                .map(|r| {
                    let at = r
                        .entry
                        .at
                        .with_timezone(&chrono::Local)
                        .format("%m-%d %H:%M")
                        .to_string();
                    let what = format!("{:?}", r.entry.event);
                    Row::new([
                        right(r.entry.seq.to_string()),
                        Cell::from(at),
                        Cell::from(r.entry.actor.clone().unwrap_or_else(|| "-".into())),
                        Cell::from(what),
                    ])
                })
                .collect();
            let widths = vec![
                Constraint::Length(6),
                Constraint::Length(11),
                Constraint::Length(9),
                Constraint::Fill(1),
            ];
            let title = " Journal, newest first (every entry hash-chained) ".into();
            frame.render_stateful_widget(
                table(rows, widths, vec!["#", "When", "Who", "What"], title),
                body,
                &mut state,
            );
        }
        Tab::Sync => {
            let now = app.now().with_timezone(&chrono::Utc);
            let lines: Vec<Line> = match &view.sync {
                Some(status) => status
                    .fields(now)
                    .into_iter()
                    .map(|(label, value)| {
                        Line::from(vec![
                            Span::styled(format!("{label:<16}"), app.theme.muted),
                            Span::styled(value, app.theme.text),
                        ])
                    })
                    .collect(),
                None => vec![Line::styled(
                    "The sync status cannot be read just now.",
                    app.theme.muted,
                )],
            };
            frame.render_widget(Paragraph::new(lines).block(panel(app, " Sync ")), body);
        }
    }
}

fn reports(frame: &mut Frame, app: &App, view: &ManagerView, area: Rect) {
    let Some(report) = &view.report else { return };
    let m = |x: Money| app.currency().format(x);
    let [chart, tables] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(area);
    // Bars in whole currency units: a bar chart has no cents.
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
        m(t.gross)
    );
    frame.render_widget(
        BarChart::default()
            .block(panel(app, title))
            .data(BarGroup::default().bars(&bars))
            .bar_width(2)
            .bar_gap(1)
            .bar_style(app.theme.accent),
        chart,
    );
    let [left, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(tables);
    let mut lines: Vec<Line> = Vec::new();
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
    frame.render_widget(
        Paragraph::new(lines).block(panel(app, " Tender, tax, cashier ")),
        left,
    );
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
