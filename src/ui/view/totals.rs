//! The panel beside the cart: what the sale comes to, what was paid, what is
//! due; after a sale, the change to hand back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::panel;
use crate::domain::money::Money;
use crate::ui::app::App;

fn row(label: &str, value: String, width: u16, style: Style) -> Line<'static> {
    let pad = (width as usize).saturating_sub(label.chars().count() + value.chars().count() + 2);
    Line::styled(format!("{label}{}{value}", " ".repeat(pad)), style)
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let w = area.width;
    let m = |x: Money| app.currency().format(x);
    let mut lines = Vec::new();
    match &app.cart {
        Some((sale, totals)) => {
            lines.push(row("Subtotal", m(totals.subtotal), w, t.text));
            if !totals.discount.is_zero() {
                lines.push(row("Discount", m(-totals.discount), w, t.text));
            }
            for tax in &totals.tax.lines {
                let rate = (tax.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize();
                lines.push(row(
                    &format!("  tax {} {rate}%", tax.code),
                    m(tax.tax),
                    w,
                    t.muted,
                ));
            }
            lines.push(Line::raw(""));
            let total_label = if sale.is_refund() { "REFUND" } else { "TOTAL" };
            lines.push(row(total_label, m(totals.total), w, t.accent));
            if !sale.tenders.is_empty() {
                lines.push(Line::raw(""));
                for tender in &sale.tenders {
                    lines.push(row(
                        &format!("  {}", tender.kind),
                        m(tender.amount),
                        w,
                        t.text,
                    ));
                }
                lines.push(row("Paid", m(totals.paid), w, t.text));
            }
            lines.push(row("Due", m(totals.remaining), w, t.accent));
        }
        None => match &app.last {
            Some(done) => {
                lines.push(row("Receipt", done.receipt.clone(), w, t.text));
                let label = if done.refund { "Paid out" } else { "Total" };
                lines.push(row(label, m(done.total), w, t.text));
                lines.push(Line::raw(""));
                if !done.refund {
                    lines.push(row("CHANGE", m(done.change), w, t.success));
                }
            }
            None => lines.push(Line::styled("Ready for the next customer", t.muted)),
        },
    }
    let block = panel(app, " Totals ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
