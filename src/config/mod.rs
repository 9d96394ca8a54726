//! The till's configuration file, `/etc/till/till.toml` (or `--config FILE`).
//!
//! Every section and key is optional; a missing file means no devices and the
//! defaults below. An unknown key or a bad value is an error naming the file
//! and the line, so a typo never silently turns a printer off.

//!
//! Each part of the till owns its section and its checks (`[printer]` and
//! `[receipt]` in `devices::printer::config`, `[scanner]` in
//! `devices::scanner::config`, `[devices]` in `devices::config`, `[sync]` in
//! `sync::config`); this module only assembles them into the file, reads it,
//! and puts every mistake at its file and line. The sections kept here are
//! those of the engine's policy and the daemon's, whose owners sit below.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::devices::config::DevicesConfig;
use crate::devices::doctor::Setup;
use crate::devices::printer::config::{PrinterConfig, ReceiptConfig};
use crate::devices::scanner::config::ScannerConfig;
use crate::devices::url::DeviceUrl;
use crate::domain::permissions::PermissionTable;
use crate::engine::Policy;
use crate::engine::policy::{self, SessionConfig};
use crate::ipc::DaemonConfig;
use crate::store::retention::RetentionConfig;
use crate::sync::config::SyncConfig;
use crate::textfile::{ConfigError, ConfigFile};

pub const DEFAULT_PATH: &str = "/etc/till/till.toml";

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub devices: DevicesConfig,
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

    /// The devices as configured, for `till doctor`.
    pub fn devices(&self) -> Setup<'_> {
        Setup {
            source: match &self.source {
                Some(path) => path.display().to_string(),
                None => format!("none found at {DEFAULT_PATH} (defaults: no devices)"),
            },
            printer_url: &self.printer_url,
            printer: &self.config.printer,
            receipt: &self.config.receipt,
            scanner_url: &self.scanner_url,
            scanner: &self.config.scanner,
        }
    }

    /// The engine's rules for people, from `[permissions]` and `[sessions]`.
    pub fn policy(&self) -> Policy {
        Policy::new(&self.config.sessions, self.permissions.clone())
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
        let mut settings = Settings::parse(ConfigFile::read_as(&path)?)?;
        settings.source = Some(path);
        Ok(settings)
    }

    pub fn parse(file: ConfigFile<Config>) -> Result<Settings, ConfigError> {
        let config = &file.table;
        let (scanner_url, printer_url) = config
            .devices
            .urls()
            .map_err(|e| file.invalid("devices", e))?;
        config
            .printer
            .check()
            .map_err(|e| file.invalid("printer", e))?;
        config
            .receipt
            .check()
            .map_err(|e| file.invalid("receipt", e))?;
        config
            .scanner
            .check()
            .map_err(|e| file.invalid("scanner", e))?;
        config.sync.check().map_err(|e| file.invalid("sync", e))?;
        config
            .retention
            .check()
            .map_err(|e| file.invalid("retention", e))?;
        let permissions =
            policy::permissions(&config.permissions).map_err(|e| file.invalid("permissions", e))?;
        Ok(Settings {
            source: None,
            scanner_url,
            printer_url,
            permissions,
            config: file.table,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use crate::devices::scanner::config::Suffix;
    use crate::domain::user::{Permission, Role};

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(ConfigFile::parse_as("till.toml", text)?)
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
    fn dotted_keys_inline_tables_and_multi_line_strings_are_placed_by_the_parser() {
        for (text, line) in [
            ("# till\n\nprinter.columns = 40\n", 3),
            ("[devices]\n\nprinter = \"lpt1\"\nscanner = \"\"\n", 3),
            ("printer = { drawer = true, columns = 40 }\n", 1),
            (
                "[receipt]\nheader = [\"\"\"\ncolumns = 40\n\"\"\"]\n[printer]\ncolumns = 40\n",
                6,
            ),
            ("[printer]\ncode_page = \"\"\"\ncolumns = 40\n\"\"\"\n", 2),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
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
