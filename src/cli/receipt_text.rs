//! A completed sale as plain text, for scripts and the terminal. The printed
//! ESC/POS receipt is the printer's job; this is what a support person reads.

use crate::domain::money::Currency;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::SaleKind;
use crate::domain::shift::over_short;

pub fn render(sale: &CompletedSale, currency: &Currency) -> String {
    let m = |x| currency.format(x);
    let mut out = String::new();
    let title = match sale.sale.kind {
        SaleKind::Sale => "RECEIPT".to_string(),
        SaleKind::Refund { original } => format!("REFUND of receipt {}", original.0),
    };
    out += &format!(
        "{title} {}  {}  cashier {}\n",
        sale.receipt_label(),
        sale.completed_at.format("%Y-%m-%d %H:%M"),
        sale.cashier
    );
    for t in &sale.totals.lines {
        let line = &sale.sale.lines[t.line];
        out += &format!(
            "  {:>7} x {:<32} {:>10}\n",
            line.quantity.normalize(),
            line.name,
            m(t.before_discount)
        );
        let off = t.line_discount + t.sale_discount;
        if !off.is_zero() {
            out += &format!("  {:>44} {:>10}\n", "discount", m(-off));
        }
    }
    for tax in &sale.totals.tax.lines {
        out += &format!(
            "  tax {:<6} {:>6}% on {:>10} {:>20}\n",
            tax.code,
            (tax.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
            m(tax.net),
            m(tax.tax)
        );
    }
    out += &format!(
        "  {:<44} {:>10}\n",
        format!("TOTAL {}", currency.code),
        m(sale.totals.total)
    );
    for tender in &sale.sale.tenders {
        out += &format!("  {:<44} {:>10}\n", tender.kind, m(tender.amount));
    }
    if !sale.sale.cash_rounding.is_zero() {
        out += &format!(
            "  {:<44} {:>10}\n",
            "cash rounding",
            m(sale.sale.cash_rounding)
        );
    }
    out += &format!("  {:<44} {:>10}\n", "change", m(sale.sale.change));
    out
}

/// A shift as text: open, or closed with its count.
pub fn render_shift(shift: &crate::domain::shift::Shift, currency: &Currency) -> String {
    let m = |x| currency.format(x);
    match &shift.close {
        None => format!(
            "  shift {} on lane {}: float {}, {} cash movements\n",
            shift.number,
            shift.lane,
            m(shift.float),
            shift.movements.len()
        ),
        Some(c) => format!(
            "  shift {} closed: counted {}, expected {}, {}\n",
            shift.number,
            m(c.counted),
            m(c.expected),
            over_short(c.over_short(), |x| m(*x))
        ),
    }
}
