//! The till's configuration file, `/etc/till/till.toml` (or `--config FILE`).
//!
//! Every section and key is optional; a missing file means no devices and the
//! defaults below. An unknown key or a bad value is an error naming the file
//! and the line, so a typo never silently turns a printer off.

pub mod file;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::devices::url::DeviceUrl;
use crate::domain::permissions::PermissionTable;
use crate::domain::user::{Permission, Role};
use crate::engine::Policy;
use file::{ConfigError, ConfigFile};

pub const DEFAULT_PATH: &str = "/etc/till/till.toml";

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub devices: Devices,
    pub scanner: ScannerConfig,
    pub printer: PrinterConfig,
    pub receipt: ReceiptConfig,
    pub sessions: SessionConfig,
    pub daemon: DaemonConfig,
    pub sync: SyncConfig,
    pub retention: RetentionConfig,
    /// Permission name → the least role that may: `refund = "supervisor"`.
    pub permissions: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// Where the daemon listens and screens attach [default: /run/till/till.sock].
    pub socket: Option<PathBuf>,
}

/// How long records are kept (`till retention run`, and the daemon daily).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Sales and refunds, Z reports and closed shifts: the legal period for
    /// business records (often 6 to 10 years).
    pub sales_years: u32,
    /// The journal, at least as long as sales.
    pub journal_years: u32,
    /// The screen's daily log files (`till.YYYY-MM-DD.log`: logins,
    /// errors): this many are kept.
    pub log_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            sales_years: 7,
            journal_years: 7,
            log_days: 30,
        }
    }
}

impl RetentionConfig {
    pub fn policy(&self) -> crate::store::retention::Policy {
        let years = |n: u32| chrono::Duration::days(365 * i64::from(n) + i64::from(n / 4));
        crate::store::retention::Policy {
            sales: years(self.sales_years),
            journal: years(self.journal_years),
        }
    }
}

/// How the till sends to head office. Where head office is comes from the
/// enrolment bundle (`till sync join`), not from here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Journal entries per batch, at most.
    pub batch_entries: usize,
    /// Size of a batch's records, at most, in KiB.
    pub batch_kib: usize,
    /// Send what waits once its oldest entry is this old, even if the batch
    /// is not full (0: at once).
    pub batch_age_seconds: u64,
    /// How often the worker looks for new entries when it has nothing to send.
    pub poll_ms: u64,
    /// The first wait after a failure; it doubles (with jitter) up to `retry_max_seconds`.
    pub retry_min_ms: u64,
    pub retry_max_seconds: u64,
    /// How long any one step of a request (connect, send, answer) may take.
    pub timeout_seconds: u64,
    /// How often to ask head office for catalog changes.
    pub catalog_minutes: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            batch_entries: 500,
            batch_kib: 1024,
            batch_age_seconds: 30,
            poll_ms: 2000,
            retry_min_ms: 1000,
            retry_max_seconds: 300,
            timeout_seconds: 30,
            catalog_minutes: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Minutes without use after which a session locks (0: never).
    pub idle_lock_minutes: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_lock_minutes: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Devices {
    /// e.g. `serial:///dev/ttyACM0?baud=9600`
    pub scanner: String,
    /// e.g. `tcp://192.168.1.50:9100` or `serial:///dev/ttyUSB0?baud=19200`
    pub printer: String,
}

/// What ends a scan on the serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Suffix {
    #[default]
    Cr,
    Lf,
    Crlf,
    Tab,
    Etx,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    pub suffix: Suffix,
    /// A fixed prefix the scanner is set to send before each code, stripped.
    pub prefix: String,
    /// The scanner sends an AIM symbology identifier (`]E0` …) first; strip it.
    pub aim: bool,
    /// The same code again within this many milliseconds is taken once (0: never).
    pub dedupe_ms: u64,
    /// Frames longer than this are noise.
    pub max_len: usize,
    /// With a daemon: the lane whose screen receives the scans.
    pub lane: u16,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            suffix: Suffix::Cr,
            prefix: String::new(),
            aim: false,
            dedupe_ms: 0,
            max_len: 64,
            lane: 1,
        }
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReceiptConfig {
    /// Lines under the store name: address, phone, tax number.
    pub header: Vec<String>,
    pub footer: Vec<String>,
    /// The shop's own tax number, printed on tax invoices to business buyers.
    pub tax_number: Option<String>,
}

/// A config checked through: device URLs parsed, numbers in range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub source: Option<PathBuf>,
    pub scanner_url: DeviceUrl,
    pub printer_url: DeviceUrl,
    pub permissions: PermissionTable,
    pub config: Config,
}

impl Settings {
    /// The configuration as the till runs with it: the file's values with
    /// every default filled in, as TOML (`till config check`).
    pub fn effective(&self) -> String {
        let from = match &self.source {
            Some(path) => format!("{} (checked)", path.display()),
            None => format!("no file at {DEFAULT_PATH}: the defaults"),
        };
        let body =
            toml::to_string(&self.config).unwrap_or_else(|e| format!("# cannot show it: {e}\n"));
        format!("# effective configuration: {from}\n{body}")
    }

    /// The engine's rules for people, from `[permissions]` and `[sessions]`.
    pub fn policy(&self) -> Policy {
        let minutes = self.config.sessions.idle_lock_minutes;
        Policy {
            permissions: self.permissions.clone(),
            idle_lock: (minutes > 0).then(|| chrono::TimeDelta::minutes(i64::from(minutes))),
        }
    }
}

impl Settings {
    /// Reads `path`; a missing file at the default path is no error (defaults).
    pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_PATH), false),
        };
        if !required && !path.exists() {
            return Ok(Settings::default());
        }
        let file = ConfigFile::read(&path)?;
        let mut settings = Settings::parse(&file)?;
        settings.source = Some(path);
        Ok(settings)
    }

    pub fn parse(file: &ConfigFile) -> Result<Settings, ConfigError> {
        let config: Config =
            toml::from_str(&file.text).map_err(|e| file.at_span(e.span(), e.message()))?;
        let url = |key: &str, text: &str| {
            text.parse::<DeviceUrl>()
                .map_err(|e| file.error("devices", key, e))
        };
        let scanner_url = url("scanner", &config.devices.scanner)?;
        if let DeviceUrl::File { .. } = scanner_url {
            // A file has no end-of-data timeout: the reader could never stop.
            return Err(file.error(
                "devices",
                "scanner",
                "a scanner is serial:// or tcp://, not a file".into(),
            ));
        }
        let printer_url = url("printer", &config.devices.printer)?;
        if ![32, 42, 48].contains(&config.printer.columns) {
            return Err(file.error(
                "printer",
                "columns",
                format!(
                    "columns = {} : use 32 (58 mm), 42 or 48 (80 mm)",
                    config.printer.columns
                ),
            ));
        }
        if crate::devices::printer::receipt::page_code(&config.printer.code_page).is_none() {
            return Err(file.error(
                "printer",
                "code_page",
                format!(
                    "unknown code page '{}' (try PC858, PC437, PC850, WPC1252)",
                    config.printer.code_page
                ),
            ));
        }
        check_receipt(file, &config.receipt)?;
        if ![2, 5].contains(&config.printer.drawer_pin) {
            return Err(file.error("printer", "drawer_pin", "drawer_pin is 2 or 5".into()));
        }
        if config.scanner.max_len == 0 {
            return Err(file.error("scanner", "max_len", "max_len must be more than 0".into()));
        }
        let sync = &config.sync;
        // Upper bounds keep the worker's arithmetic (backoff, ages) far from
        // overflow and catch a value typed in the wrong unit.
        const DAY: u64 = 86_400;
        let most_kib = (crate::proto::http::MAX_BODY / 2048) as u64;
        for (key, value, max) in [
            ("batch_entries", sync.batch_entries as u64, 100_000),
            ("batch_kib", sync.batch_kib as u64, most_kib),
            ("batch_age_seconds", sync.batch_age_seconds, DAY),
            ("poll_ms", sync.poll_ms, DAY * 1000),
            ("retry_min_ms", sync.retry_min_ms, DAY * 1000),
            ("retry_max_seconds", sync.retry_max_seconds, DAY),
            ("timeout_seconds", sync.timeout_seconds, DAY),
            ("catalog_minutes", sync.catalog_minutes, 7 * 24 * 60),
        ] {
            if value == 0 && key != "batch_age_seconds" {
                return Err(file.error("sync", key, format!("{key} must be more than 0")));
            }
            if value > max {
                return Err(file.error("sync", key, format!("{key} is at most {max}")));
            }
        }
        let keep = &config.retention;
        for (key, value, max) in [
            ("sales_years", keep.sales_years, 100),
            ("journal_years", keep.journal_years, 100),
            ("log_days", keep.log_days, 100 * 366),
        ] {
            if value == 0 || value > max {
                return Err(file.error("retention", key, format!("{key} is 1 to {max}")));
            }
        }
        if keep.journal_years < keep.sales_years {
            return Err(file.error(
                "retention",
                "journal_years",
                "journal_years must be at least sales_years: the journal proves the sales".into(),
            ));
        }
        let mut permissions = PermissionTable::default();
        for (name, role) in &config.permissions {
            let err = |m: String| file.error("permissions", name, m);
            let permission = Permission::parse(name).ok_or_else(|| {
                let known: Vec<&str> = Permission::ALL.iter().map(|p| p.name()).collect();
                err(format!(
                    "unknown permission '{name}' (known: {})",
                    known.join(", ")
                ))
            })?;
            let role = Role::parse(role).ok_or_else(|| {
                err(format!(
                    "'{role}' is not a role: cashier, supervisor, manager or admin"
                ))
            })?;
            permissions.set(permission, role).map_err(err)?;
        }
        Ok(Settings {
            source: None,
            scanner_url,
            printer_url,
            permissions,
            config,
        })
    }
}

/// Header and footer lines within `domain::limits`: a receipt's head is a
/// few lines the printer prints on every sale, not a page of text.
fn check_receipt(file: &ConfigFile, receipt: &ReceiptConfig) -> Result<(), ConfigError> {
    use crate::domain::limits::{self, MAX_RECEIPT_LINE, MAX_RECEIPT_LINES};
    for (key, lines) in [("header", &receipt.header), ("footer", &receipt.footer)] {
        let err = |e: limits::TooLarge| file.error("receipt", key, format!("{key}: {e}"));
        limits::check_count("lines", lines.len(), MAX_RECEIPT_LINES).map_err(err)?;
        for line in lines {
            limits::check("a line", line, MAX_RECEIPT_LINE).map_err(err)?;
        }
    }
    if let Some(tax) = &receipt.tax_number {
        limits::check("tax_number", tax, MAX_RECEIPT_LINE)
            .map_err(|e| file.error("receipt", "tax_number", e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(&ConfigFile::parse("till.toml", text).unwrap())
    }

    #[test]
    fn a_full_config_reads() {
        let s = parse(
            "[devices]\nscanner = \"serial:///dev/ttyACM0?baud=9600\"\nprinter = \"tcp://10.0.0.5:9100\"\n\
             [scanner]\nsuffix = \"crlf\"\naim = true\ndedupe_ms = 800\n\
             [printer]\ncolumns = 32\ncode_page = \"PC850\"\n\
             [receipt]\nheader = [\"1 Market St\", \"VAT GB123\"]\n",
        )
        .unwrap();
        assert_eq!(
            s.printer_url,
            DeviceUrl::Tcp {
                host: "10.0.0.5".into(),
                port: 9100
            }
        );
        assert_eq!(s.config.scanner.suffix, Suffix::Crlf);
        assert_eq!(s.config.printer.columns, 32);
        assert_eq!(s.config.receipt.header.len(), 2);
    }

    #[test]
    fn mistakes_name_the_line() {
        for (text, line, words) in [
            ("[devices]\nprinter = \"lpt1\"\n", 2, "not a device URL"),
            ("[printer]\ndrawer = true\ncolumns = 40\n", 3, "use 32"),
            ("[scanner]\nsufix = \"cr\"\n", 2, "unknown field `sufix`"),
            ("[scanner]\nsuffix = \"nl\"\n", 2, "unknown variant `nl`"),
            (
                "[printer]\ncode_page = \"klingon\"\n",
                2,
                "unknown code page",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.to_string().contains(words), "{text}: {e}");
            assert!(
                e.to_string().starts_with(&format!("till.toml:{line}: ")),
                "{e}"
            );
        }
    }

    #[test]
    fn receipt_lines_are_bounded_in_number_and_length() {
        let long = format!("[receipt]\nheader = [\"{}\"]\n", "x".repeat(10 << 20));
        let e = parse(&long).unwrap_err().to_string();
        assert!(
            e.starts_with("till.toml:2: header: a line is longer than 48"),
            "{e}"
        );
        let many = format!("[receipt]\n\nfooter = [{}]\n", ["\"x\""; 11].join(","));
        let e = parse(&many).unwrap_err().to_string();
        assert!(
            e.starts_with("till.toml:3: footer: lines: at most 10"),
            "{e}"
        );
        assert!(parse("[receipt]\nheader = [\"12 Market Street, Springfield\"]\n").is_ok());
    }

    #[test]
    fn permissions_and_idle_lock_come_from_the_file() {
        let s =
            parse("[permissions]\nrefund = \"supervisor\"\n[sessions]\nidle_lock_minutes = 0\n")
                .unwrap();
        let policy = s.policy();
        assert!(policy.permissions.may(Role::Supervisor, Permission::Refund));
        assert_eq!(policy.idle_lock, None);
        let ten = Some(chrono::TimeDelta::minutes(10));
        assert_eq!(
            Settings::default().policy().idle_lock,
            ten,
            "no file: ten minutes"
        );
        assert_eq!(parse("").unwrap().policy().idle_lock, ten);
    }

    #[test]
    fn sync_numbers_must_be_positive_and_batches_fit_a_request() {
        let e = parse("[sync]\nbatch_entries = 0\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("till.toml:2"), "{e}");
        assert!(e.contains("batch_entries must be more than 0"), "{e}");
        let e = parse("[sync]\nbatch_kib = 100000\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("batch_kib is at most 8192"), "{e}");
        let s = parse("[sync]\nbatch_age_seconds = 0\n").unwrap();
        assert_eq!(s.config.sync.batch_age_seconds, 0);
    }

    #[test]
    fn the_shipped_example_reads_and_dials_nothing() {
        // It is installed as /etc/till/till.toml: its devices are examples
        // to uncomment, never an address a fresh till would dial.
        let s = parse(include_str!("../../packaging/till.toml")).unwrap();
        assert_eq!(s.printer_url, DeviceUrl::None);
        assert_eq!(s.scanner_url, DeviceUrl::None);
        assert!(s.config.receipt.tax_number.is_none());
        assert_eq!(s.config.printer.columns, 48);
    }

    #[test]
    fn a_missing_default_file_is_the_defaults_but_a_named_one_is_an_error() {
        assert!(Settings::load(Some(Path::new("/nonexistent/till.toml"))).is_err());
    }
}
