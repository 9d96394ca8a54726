//! A completed sale laid out as an ESC/POS receipt, for 32, 42 or 48 columns.
//!
//! One layout serves every paper width and every copy (original, duplicate,
//! refund, tax invoice). Text goes through the escpos crate in the configured
//! code page, so "€" and "é" print as the printer's own characters.

use chrono::{DateTime, NaiveDateTime, Utc};
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

use super::config::{PrinterConfig, ReceiptConfig, page_code};
use super::memory::MemoryDriver;
use crate::domain::money::{Currency, Money};
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::SaleKind;
use crate::store::settings::StoreSettings;

/// ESC p m t1 t2: the drawer pulse with its on and off times (50 ms, 500 ms).
/// escpos's own `cash_drawer` sends ESC p m without the two timing bytes, so
/// the printer would read the next command's bytes as timings.
pub fn drawer_kick(pin: u8) -> [u8; 5] {
    [0x1b, b'p', if pin == 5 { 1 } else { 0 }, 0x19, 0xfa]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Original,
    /// A reprint: marked so it can never pass for a second sale.
    Duplicate,
}

/// The business buying, on a tax invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buyer {
    pub name: String,
    pub tax_number: String,
    pub address: Option<String>,
}

/// Everything a receipt needs besides the sale.
pub struct Layout<'a> {
    pub store: &'a StoreSettings,
    pub printer: &'a PrinterConfig,
    pub receipt: &'a ReceiptConfig,
    /// The wall-clock time printed for an instant: the till's local time
    /// (`domain::daily::local_time`).
    pub local: fn(DateTime<Utc>) -> NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
#[error("the receipt could not be laid out: {0}")]
pub struct LayoutError(String);

impl From<escpos::errors::PrinterError> for LayoutError {
    fn from(e: escpos::errors::PrinterError) -> Self {
        LayoutError(e.to_string())
    }
}

fn symbol(currency: &Currency) -> &str {
    match currency.code.as_str() {
        "EUR" => "€",
        "GBP" => "£",
        "USD" | "CAD" | "AUD" | "NZD" => "$",
        "JPY" => "¥",
        code => code,
    }
}

impl Layout<'_> {
    pub(super) fn width(&self) -> usize {
        usize::from(self.printer.columns)
    }

    /// `left` and `right` on one line; if they do not fit, `left` on lines of
    /// its own and `right` under it, flush right. Nothing is ever cut off: a
    /// cut amount on a receipt is a wrong amount.
    fn pair(&self, left: &str, right: &str) -> String {
        let w = self.width();
        let (l, r) = (left.chars().count(), right.chars().count());
        if l + r < w {
            return format!("{left}{}{right}", " ".repeat(w - l - r));
        }
        let chars: Vec<char> = left.chars().collect();
        let mut out: Vec<String> = chars.chunks(w.max(1)).map(|c| c.iter().collect()).collect();
        out.push(format!("{}{right}", " ".repeat(w.saturating_sub(r))));
        out.join("\n")
    }

    /// The printer's byte for `c` in the configured code page, if it has one.
    fn encode(&self, c: char) -> Option<u8> {
        let code = page_code(&self.printer.code_page)?;
        let options = PrinterOptions::new(Some(code), None, self.printer.columns);
        let mut p = Printer::new(MemoryDriver::default(), Protocol::default(), Some(options));
        p.write(&c.to_string()).ok()?.print().ok()?;
        match p.driver().take().as_slice() {
            [b] if *b >= 0x80 => Some(*b),
            _ => None,
        }
    }

    /// Prints text, line by line. Plain ASCII goes out as itself, other
    /// characters as the code page's byte, anything the page lacks as "?", and
    /// control characters never: a product named "\x1bp…" must not open the
    /// drawer. (escpos's own text path maps "-" to the soft hyphen in PC850 and
    /// PC858 and sends unmapped characters as UTF-8, so it is not used.)
    pub(super) fn line(
        &self,
        p: &mut Printer<MemoryDriver>,
        text: &str,
    ) -> Result<(), LayoutError> {
        for row in text.split('\n') {
            let bytes: Vec<u8> = row
                .chars()
                .map(|c| match c {
                    ' '..='~' => c as u8,
                    c if c.is_control() => b'?',
                    c => self.encode(c).unwrap_or(b'?'),
                })
                .collect();
            p.custom(&bytes)?;
            p.feed()?;
        }
        Ok(())
    }

    pub(super) fn rule(&self) -> String {
        "-".repeat(self.width())
    }

    pub(super) fn printer(&self) -> Result<Printer<MemoryDriver>, LayoutError> {
        let code = page_code(&self.printer.code_page).unwrap_or(PageCode::PC858);
        let options = PrinterOptions::new(Some(code), None, self.printer.columns);
        let mut p = Printer::new(MemoryDriver::default(), Protocol::default(), Some(options));
        p.init()?;
        Ok(p)
    }

    pub(super) fn finish(
        &self,
        mut p: Printer<MemoryDriver>,
        kick: bool,
    ) -> Result<Vec<u8>, LayoutError> {
        p.feeds(3)?.partial_cut()?;
        if kick && self.printer.drawer {
            p.custom(&drawer_kick(self.printer.drawer_pin))?;
        }
        p.print()?;
        Ok(p.driver().take())
    }

    /// "*** DUPLICATE ***", centred and bold, on anything printed again:
    /// a reprint, or a job the printer may already have printed.
    pub(super) fn mark(
        &self,
        p: &mut Printer<MemoryDriver>,
        copy: Copy,
    ) -> Result<(), LayoutError> {
        if copy == Copy::Duplicate {
            p.justify(JustifyMode::CENTER)?.bold(true)?;
            self.line(p, "*** DUPLICATE ***")?;
            p.bold(false)?;
            p.justify(JustifyMode::LEFT)?;
        }
        Ok(())
    }

    pub(super) fn header(&self, p: &mut Printer<MemoryDriver>) -> Result<(), LayoutError> {
        p.justify(JustifyMode::CENTER)?.bold(true)?.size(2, 2)?;
        self.line(p, &self.store.store_name)?;
        p.reset_size()?.bold(false)?;
        for line in &self.receipt.header {
            self.line(p, line)?;
        }
        p.justify(JustifyMode::LEFT)?;
        Ok(())
    }

    /// The receipt of a completed sale or refund. `hash` is its journal entry's
    /// hash, printed in the QR code with the receipt number, so anyone holding
    /// the paper can check it against the journal.
    pub fn receipt(
        &self,
        sale: &CompletedSale,
        hash: &str,
        copy: Copy,
        buyer: Option<&Buyer>,
        kick: bool,
    ) -> Result<Vec<u8>, LayoutError> {
        let c = &self.store.rules.currency;
        let m = |x: Money| c.format(x);
        let mut p = self.printer()?;
        self.header(&mut p)?;
        p.feed()?;
        self.mark(&mut p, copy)?;
        let title = match (sale.sale.kind, buyer) {
            (SaleKind::Refund { original }, _) => {
                format!(
                    "REFUND {} of {}",
                    sale.receipt_label(),
                    crate::domain::receipt::receipt_label(&sale.terminal, original)
                )
            }
            (SaleKind::Sale, Some(_)) => format!("TAX INVOICE {}", sale.receipt_label()),
            (SaleKind::Sale, None) => format!("RECEIPT {}", sale.receipt_label()),
        };
        p.bold(true)?;
        self.line(&mut p, &title)?;
        p.bold(false)?;
        let when = (self.local)(sale.completed_at)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        self.line(
            &mut p,
            &self.pair(&when, &format!("cashier {}", sale.cashier)),
        )?;
        if let Some(b) = buyer {
            if let Some(seller) = &self.receipt.tax_number {
                self.line(&mut p, &format!("Seller tax no: {seller}"))?;
            }
            self.line(&mut p, &format!("Buyer: {}", b.name))?;
            if let Some(address) = &b.address {
                self.line(&mut p, address)?;
            }
            self.line(&mut p, &format!("Buyer tax no: {}", b.tax_number))?;
        }
        self.line(&mut p, &self.rule())?;
        for t in &sale.totals.lines {
            let line = &sale.sale.lines[t.line];
            self.line(&mut p, &self.pair(&line.name, &m(t.before_discount)))?;
            let unit = if line.unit == crate::domain::product::Unit::Kg {
                " kg"
            } else {
                ""
            };
            let qty = line.quantity.normalize();
            if line.refund_of.is_some() {
                // What was paid for these, not today's price: the amount above says it.
                self.line(&mut p, &format!("  {qty}{unit} returned"))?;
            } else if line.quantity != rust_decimal::Decimal::ONE {
                self.line(&mut p, &format!("  {qty}{unit} x {}", m(line.unit_price)))?;
            }
            let off = t.line_discount + t.sale_discount;
            if !off.is_zero() {
                self.line(&mut p, &self.pair("  discount", &m(-off)))?;
            }
        }
        self.line(&mut p, &self.rule())?;
        let total = if sale.sale.is_refund() {
            "REFUND TOTAL"
        } else {
            "TOTAL"
        };
        p.bold(true)?;
        self.line(
            &mut p,
            &self.pair(&format!("{total} {}", symbol(c)), &m(sale.totals.total)),
        )?;
        p.bold(false)?;
        for tax in &sale.totals.tax.lines {
            let rate = (tax.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize();
            self.line(
                &mut p,
                &self.pair(
                    &format!("  tax {} {rate}% of {}", tax.code, m(tax.net)),
                    &m(tax.tax),
                ),
            )?;
        }
        p.feed()?;
        for tender in &sale.sale.tenders {
            self.line(
                &mut p,
                &self.pair(&tender.kind.to_string(), &m(tender.amount)),
            )?;
        }
        if !sale.sale.cash_rounding.is_zero() {
            self.line(
                &mut p,
                &self.pair("cash rounding", &m(sale.sale.cash_rounding)),
            )?;
        }
        if !sale.sale.is_refund() {
            p.bold(true)?;
            self.line(&mut p, &self.pair("CHANGE", &m(sale.sale.change)))?;
            p.bold(false)?;
        }
        p.feed()?.justify(JustifyMode::CENTER)?;
        let qr = QRCodeOption::new(QRCodeModel::Model2, 4, QRCodeCorrectionLevel::M);
        p.qrcode_option(&format!("{} {hash}", sale.receipt_label()), qr)?;
        for line in &self.receipt.footer {
            self.line(&mut p, line)?;
        }
        p.justify(JustifyMode::LEFT)?;
        self.finish(p, kick)
    }

    /// A drawer opening with nothing sold: the kick alone, no paper.
    pub fn drawer_only(&self) -> Vec<u8> {
        if self.printer.drawer {
            drawer_kick(self.printer.drawer_pin).to_vec()
        } else {
            Vec::new()
        }
    }

    /// `till doctor`'s page: every width, the code page's special characters.
    pub fn test_page(&self) -> Result<Vec<u8>, LayoutError> {
        let mut p = self.printer()?;
        self.header(&mut p)?;
        self.line(&mut p, &self.rule())?;
        self.line(&mut p, "TEST PAGE")?;
        self.line(
            &mut p,
            &format!(
                "{} columns, code page {}",
                self.printer.columns, self.printer.code_page
            ),
        )?;
        self.line(&mut p, "€ £ ¥ é è à ç ñ ö ü ß Å Ø")?;
        self.line(
            &mut p,
            &"1234567890"
                .repeat(5)
                .chars()
                .take(self.width())
                .collect::<String>(),
        )?;
        self.line(&mut p, &self.rule())?;
        self.finish(p, false)
    }
}
