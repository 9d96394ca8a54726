//! The printer's sections of till.toml, `[printer]` and `[receipt]`, and
//! what values they may take: the printer reads its own settings, and the
//! configuration only puts their mistakes at a line.

use escpos::utils::PageCode;
use serde::{Deserialize, Serialize};

use crate::domain::limits::{self, MAX_RECEIPT_LINE, MAX_RECEIPT_LINES};
use crate::textfile::Invalid;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterConfig {
    /// Characters per line: 32 (58 mm paper), 42 or 48 (80 mm).
    pub columns: u8,
    /// The printer's code page for accented letters and the currency sign.
    pub code_page: String,
    /// Open the drawer wired to the printer on cash sales and no-sales.
    pub drawer: bool,
    /// The drawer's connector pin: 2 (most drawers) or 5.
    pub drawer_pin: u8,
    /// Seconds between tries while the printer is away.
    pub retry_seconds: u64,
    /// Ask the printer for its paper status (DLE EOT 4) before each job, and
    /// hold jobs while it reports the paper out. For printers that answer it
    /// (most Epson and Star models); others would delay each job by 2 s.
    pub paper_status: bool,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            columns: 42,
            code_page: "PC858".into(),
            drawer: true,
            drawer_pin: 2,
            retry_seconds: 5,
            paper_status: false,
        }
    }
}

impl PrinterConfig {
    /// Paper widths the layout knows, a code page escpos has, a real pin.
    pub fn check(&self) -> Result<(), Invalid> {
        if ![32, 42, 48].contains(&self.columns) {
            return Err(Invalid::new(
                "columns",
                format!(
                    "columns = {} : use 32 (58 mm), 42 or 48 (80 mm)",
                    self.columns
                ),
            ));
        }
        if page_code(&self.code_page).is_none() {
            return Err(Invalid::new(
                "code_page",
                format!(
                    "unknown code page '{}' (try PC858, PC437, PC850, WPC1252)",
                    self.code_page
                ),
            ));
        }
        if ![2, 5].contains(&self.drawer_pin) {
            return Err(Invalid::new("drawer_pin", "drawer_pin is 2 or 5"));
        }
        Ok(())
    }
}

/// The code pages the config may name.
pub fn page_code(name: &str) -> Option<PageCode> {
    Some(match name.to_ascii_uppercase().as_str() {
        "PC437" => PageCode::PC437,
        "PC850" => PageCode::PC850,
        "PC852" => PageCode::PC852,
        "PC858" => PageCode::PC858,
        "PC860" => PageCode::PC860,
        "PC863" => PageCode::PC863,
        "PC865" => PageCode::PC865,
        "PC866" => PageCode::PC866,
        "WPC1252" => PageCode::WPC1252,
        "ISO8859_15" => PageCode::ISO8859_15,
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReceiptConfig {
    /// Lines under the store name: address, phone, tax number.
    pub header: Vec<String>,
    pub footer: Vec<String>,
    /// The shop's own tax number, printed on tax invoices to business buyers.
    pub tax_number: Option<String>,
}

impl ReceiptConfig {
    /// Header and footer lines within `domain::limits`: a receipt's head is
    /// a few lines the printer prints on every sale, not a page of text.
    pub fn check(&self) -> Result<(), Invalid> {
        for (key, lines) in [("header", &self.header), ("footer", &self.footer)] {
            let err = |e: limits::TooLarge| Invalid::new(key, format!("{key}: {e}"));
            limits::check_count("lines", lines.len(), MAX_RECEIPT_LINES).map_err(err)?;
            for line in lines {
                limits::check("a line", line, MAX_RECEIPT_LINE).map_err(err)?;
            }
        }
        if let Some(tax) = &self.tax_number {
            limits::check("tax_number", tax, MAX_RECEIPT_LINE)
                .map_err(|e| Invalid::new("tax_number", e.to_string()))?;
        }
        Ok(())
    }
}
