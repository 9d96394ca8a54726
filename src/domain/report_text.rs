//! An X or Z report as lines of text, `width` columns wide: the one layout
//! the screen shows, the printer prints and a script writes. Each figure has
//! its label on the left and its amount on the right; a count's difference
//! from what was expected always shows its sign (`short -16.51`).

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::money::Currency;
use super::shift::{Shift, over_short};
use super::takings::DayReport;

/// Columns of a report on an 80-column screen (and in a script's output).
pub const SCREEN_WIDTH: usize = 56;

/// The report's lines. Shifts are those closed since the last Z, each with
/// what was counted, what was expected and the difference.
/// `local` gives the wall-clock time the report is dated with (the till's,
/// `daily::local_time`; a fixed zone in tests).
pub fn report_lines(
    report: &DayReport,
    shifts: &[Shift],
    currency: &Currency,
    width: usize,
    local: fn(DateTime<Utc>) -> NaiveDateTime,
) -> Vec<String> {
    let m = |x| currency.format(x);
    let row = |label: &str, value: String| {
        let room = width.saturating_sub(value.chars().count() + 1).max(1);
        let label: String = label.chars().take(room).collect();
        format!("{label:<room$} {value}")
    };
    let t = &report.takings;
    let mut out = vec![
        match report.z_number {
            Some(n) => format!("Z REPORT {n} (the day is closed)"),
            None => "X REPORT (nothing is reset)".to_string(),
        },
        format!(
            "{}  by {}",
            local(report.at).format("%Y-%m-%d %H:%M"),
            report.by
        ),
        row(
            "receipts",
            // None since the last Z: from_receipt is then the next to come.
            if report.to_receipt < report.from_receipt {
                "none".to_string()
            } else {
                format!("{} to {}", report.from_receipt, report.to_receipt)
            },
        ),
        row("sales", t.sales.to_string()),
        row("refunds", t.refunds.to_string()),
        row(&format!("takings {}", currency.code), m(t.gross)),
        String::new(),
        "By tender".to_string(),
    ];
    if t.tenders.is_empty() {
        out.push("  none".to_string());
    }
    for (kind, amount) in &t.tenders {
        out.push(row(&format!("  {kind}"), m(*amount)));
    }
    out.push(row("cash into the drawer", m(t.cash)));
    out.push(String::new());
    out.push("Tax".to_string());
    if t.tax.is_empty() {
        out.push("  none".to_string());
    }
    for tax in &t.tax {
        let rate = (tax.rate * Decimal::ONE_HUNDRED).normalize();
        out.push(row(
            &format!("  {} {rate}% of {}", tax.code, m(tax.net)),
            m(tax.tax),
        ));
    }
    out.push(String::new());
    out.push("Drawer counts since the last Z".to_string());
    if shifts.iter().all(|s| s.close.is_none()) {
        out.push("  none".to_string());
    }
    for shift in shifts {
        let Some(close) = &shift.close else { continue };
        out.push(format!(
            "  shift {}, lane {}, by {}",
            shift.number, shift.lane, close.by
        ));
        out.push(row("    counted", m(close.counted)));
        out.push(row("    expected", m(close.expected)));
        let words = over_short(close.over_short(), |x| m(*x));
        let (label, value) = words.split_once(' ').unwrap_or((&words, ""));
        out.push(row(&format!("    {label}"), value.to_string()));
    }
    out.push(String::new());
    out.push(row("grand total", m(report.grand_total)));
    // A long name must not push a line past the paper.
    out.into_iter()
        .map(|l| l.chars().take(width).collect())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::domain::money::Money;
    use crate::domain::shift::ShiftClose;
    use crate::domain::takings::Takings;

    #[test]
    fn a_short_count_shows_its_minus_and_an_over_its_plus() {
        let currency = Currency::new("EUR", 2).unwrap();
        let report = DayReport {
            z_number: Some(2),
            from_receipt: 1,
            to_receipt: 0,
            at: chrono::Utc::now(),
            by: "manager".into(),
            takings: Takings::default(),
            grand_total: Money::new(dec!(0)),
        };
        let shift = |number, counted: Decimal| Shift {
            number,
            lane: 1,
            opened_by: "cashier".into(),
            opened_at: chrono::Utc::now(),
            float: Money::new(dec!(100)),
            first_receipt: 1,
            movements: Vec::new(),
            close: Some(ShiftClose {
                counted: Money::new(counted),
                expected: Money::new(dec!(100)),
                by: "cashier".into(),
                at: chrono::Utc::now(),
                last_receipt: 0,
            }),
        };
        let lines = report_lines(
            &report,
            &[shift(1, dec!(83.49)), shift(2, dec!(102))],
            &currency,
            32,
            |t| t.naive_utc(),
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 32), "{lines:#?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("    short") && l.ends_with(" -16.51"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("    over") && l.ends_with(" +2.00"))
        );
        let receipts = lines.iter().find(|l| l.starts_with("receipts")).unwrap();
        assert!(
            receipts.ends_with(" none"),
            "no sales since the last Z: {receipts}"
        );
    }
}
