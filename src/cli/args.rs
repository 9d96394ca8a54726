//! The command line, as clap parses it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "till",
    version,
    about = "A terminal point-of-sale for small shops"
)]
pub struct Cli {
    /// The store directory [default: $TILL_DATA, or /var/lib/till]
    #[arg(long, global = true, env = "TILL_DATA")]
    pub data: Option<PathBuf>,
    /// Run on a demo store, creating it first if needed (in --data, or a per-user directory)
    #[arg(long)]
    pub demo: bool,
    /// The daemon's socket: `till daemon` listens on it, `till` attaches to it
    /// when it exists [default: /run/till/till.sock]
    #[arg(long, global = true, env = "TILL_SOCKET")]
    pub socket: Option<PathBuf>,
    /// The configuration file [default: /etc/till/till.toml if it exists;
    /// a demo reads only the one it is given]
    #[arg(long, global = true, env = "TILL_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub screen: ScreenArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How the till screen looks and listens (no subcommand).
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Keymap laid over the default: a shipped one (default, numpad) or a file
    #[arg(long, env = "TILL_KEYMAP")]
    pub keymap: Option<String>,
    /// Theme: a shipped one (default, light, high-contrast, mono) or a file
    #[arg(long, env = "TILL_THEME")]
    pub theme: Option<String>,
    /// The checkout lane this screen sells on [default: 1; attached to a
    /// daemon: 0, the back office, which any number of screens share]
    #[arg(long)]
    pub lane: Option<u16>,
    /// Keyboard-wedge scanners: the longest pause between two keys of a scan
    #[arg(long, default_value_t = 50)]
    pub wedge_gap_ms: u64,
    /// Keyboard-wedge scanners: the fewest characters that make a scan
    #[arg(long, default_value_t = 4)]
    pub wedge_min_len: usize,
    /// Log of the till screen, one file a day: FILE.log is written as
    /// FILE.YYYY-MM-DD.log [default: till.log in the store directory]
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Draw the first frame, then exit: how `benches/run` times a cold start
    #[arg(long)]
    pub exit_after_first_frame: bool,
}

impl Cli {
    pub const DEFAULT_DATA: &'static str = "/var/lib/till";

    /// Where a screen or command finds the daemon of the store in `data`:
    /// `--socket`, else till.toml's `[daemon] socket`, else the socket that
    /// store's daemon recorded in it, else where [`Cli::daemon_socket`]
    /// would listen.
    pub fn socket_path(
        &self,
        config: &crate::config::Settings,
        data: &Path,
        demo: bool,
    ) -> PathBuf {
        self.told_socket(config)
            .or_else(|| crate::ipc::recorded_socket(data))
            .unwrap_or_else(|| untold_socket(data, demo))
    }

    /// Where `till daemon` listens: `--socket`, else till.toml's, else the
    /// default; a demo daemon in its store directory, where its user may.
    pub fn daemon_socket(
        &self,
        config: &crate::config::Settings,
        data: &Path,
        demo: bool,
    ) -> PathBuf {
        self.told_socket(config)
            .unwrap_or_else(|| untold_socket(data, demo))
    }

    fn told_socket(&self, config: &crate::config::Settings) -> Option<PathBuf> {
        self.socket
            .clone()
            .or_else(|| config.config.daemon.socket.clone())
    }

    /// Whether this run serves or shows the demo store: `till --demo` (the
    /// screen; with a command `--demo` means nothing) or `till daemon --demo`.
    pub fn is_demo(&self) -> bool {
        match &self.command {
            None => self.demo,
            Some(command) => matches!(command, Command::Daemon { demo: true }),
        }
    }

    /// The settings this run goes by. A demo is the embedded default: an
    /// installed package's /etc/till/till.toml names the shop's devices and
    /// its daemon's socket, which a demo must never drive or take over, so
    /// a demo reads a file only when one is named.
    pub fn settings(&self) -> Result<crate::config::Settings, crate::textfile::ConfigError> {
        match (&self.config, self.is_demo()) {
            (None, true) => Ok(crate::config::Settings::default()),
            (config, _) => crate::config::Settings::load(config.as_deref()),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from(Cli::DEFAULT_DATA))
    }

    /// The store a command means: `--data`; else, when a daemon answers
    /// on `socket`, the store it serves (as for a screen, `till report
    /// sales --socket S` is about S's store); else the default.
    pub fn store_dir(&self, socket: &Path) -> PathBuf {
        if self.data.is_none()
            && socket.exists()
            && let Ok(daemon) = crate::ipc::client::Client::connect(socket)
        {
            return daemon.store().to_path_buf();
        }
        self.data_dir()
    }
}

/// The socket when nobody names one: the system's, or the demo store's own.
fn untold_socket(data: &Path, demo: bool) -> PathBuf {
    if demo {
        data.join("till.sock")
    } else {
        PathBuf::from(crate::ipc::DEFAULT_SOCKET)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new store: terminal id, signing key, admin user
    Init(InitArgs),
    /// Import data into the store
    #[command(subcommand)]
    Import(ImportWhat),
    /// Write everything the store holds as JSON (or CSV) files, with a manifest and a schema
    Export {
        /// Directory to write into (created; must be empty if it exists)
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        #[command(flatten)]
        through: Through,
    },
    /// Check the hash-chained journal
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Reports over completed sales
    #[command(subcommand)]
    Report(ReportCommand),
    /// Own the store, the printer and the socket that till screens attach to
    Daemon {
        /// Serve the demo store, creating it first if needed (in --data, or
        /// the per-user directory `till --demo` uses), on <store>/till.sock
        /// unless --socket or till.toml says otherwise
        #[arg(long)]
        demo: bool,
    },
    /// Check the scanner and printer: list ports, print a test page, show scans
    Doctor {
        /// How long to listen for scans
        #[arg(long, default_value_t = 10)]
        listen_seconds: u64,
        #[command(flatten)]
        through: Through,
    },
    /// Send the journal to head office and take its catalog (see README, "Head office")
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Head office: receive every terminal's sales, report across shops, publish the catalog
    /// (runs `till-hq`, installed beside `till`; `till hq --help` lists its commands)
    #[command(disable_help_flag = true)]
    Hq {
        /// `till-hq`'s command and arguments, passed on as they are
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Find, add, correct and erase customers, as a user (PIN from $TILL_PIN or stdin)
    Customers {
        /// The user acting: their role decides what they may do
        #[arg(long)]
        user: String,
        #[command(subcommand)]
        command: CustomersCommand,
    },
    /// Write a backup of the whole store to FILE (mode 0600), while it sells if the daemon runs
    Backup {
        #[arg(long)]
        out: PathBuf,
        /// Put the signing and customers' keys in it too (for a new machine;
        /// the file is then as secret as the keys)
        #[arg(long)]
        with_keys: bool,
        #[command(flatten)]
        through: Through,
    },
    /// Restore a backup into --data, after checking it through; the old store is kept aside
    Restore {
        file: PathBuf,
        /// Restore even a backup older than the store it replaces
        #[arg(long)]
        force: bool,
    },
    /// Remove what [retention] says is past its time (once synced and Z-closed)
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Check the configuration file and print the configuration in effect
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Delete the whole store for good: records, journal, keys, log (admin; PIN from $TILL_PIN or stdin)
    Purge {
        /// Everything: the only kind of purge there is
        #[arg(long, required = true)]
        all: bool,
        #[arg(long)]
        user: String,
        /// The store's terminal id, typed back to confirm
        #[arg(long)]
        confirm: String,
    },
    /// Replay a plain-text script of till commands through the engine
    Sale {
        /// The script: one command a line (see README, "Sale scripts")
        #[arg(long)]
        script: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Add a demo catalog (300+ products) and the users cashier (PIN 1111) and manager (PIN 9999)
    #[arg(long)]
    pub demo: bool,
    /// With --demo: this many generated products more, each with its own
    /// barcode (a large catalog, as the benchmarks use)
    #[arg(long, default_value_t = 0, requires = "demo")]
    pub products: usize,
    /// This terminal's id: receipt numbers are a series per terminal
    #[arg(long, default_value = "T01")]
    pub terminal: String,
    /// The shop's name, as receipts will print it
    #[arg(long, default_value = "My Shop")]
    pub store_name: String,
    /// ISO 4217 currency code
    #[arg(long, default_value = "EUR")]
    pub currency: String,
    /// Digits after the point [default: the currency's usual, 2 for EUR, 0 for JPY]
    #[arg(long)]
    pub minor_units: Option<u32>,
    /// Whether shelf prices include tax
    #[arg(long, value_enum, default_value_t = TaxModeArg::Inclusive)]
    pub tax_mode: TaxModeArg,
    /// The tax regime's rates, as code=percent: products name a code
    /// [default: std=20, red=10, food=5.5, zero=0]
    #[arg(long)]
    pub tax_rates: Option<String>,
    /// Smallest coin for cash payments, e.g. 0.05
    #[arg(long)]
    pub cash_rounding: Option<String>,
    /// PIN of the `admin` user (required unless --demo, where it is 0000)
    #[arg(long, env = "TILL_ADMIN_PIN", hide_env_values = true)]
    pub admin_pin: Option<String>,
}

impl InitArgs {
    /// What `till init --demo` would get from an empty command line.
    pub fn demo() -> InitArgs {
        let mut args = InitOnly::parse_from(["till", "--demo"]).args;
        // A PIN in the environment is meant for a real store, not the demo's.
        args.admin_pin = None;
        args.store_name = "Till Demo Shop".to_string();
        args
    }
}

/// Parses just the init flags, so their defaults are written once, in `InitArgs`.
#[derive(Debug, Parser)]
struct InitOnly {
    #[command(flatten)]
    args: InitArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TaxModeArg {
    Inclusive,
    Exclusive,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Products from a CSV file (columns: sku,name,price,tax,unit,barcodes,plu)
    Products { file: PathBuf },
    /// A whole store from a JSON export (till export), into a new --data directory
    Export {
        dir: PathBuf,
        /// The PIN of the first admin user: PINs are never exported, so every
        /// other user needs a new one from an admin
        #[arg(long, env = "TILL_ADMIN_PIN", hide_env_values = true)]
        admin_pin: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Customers whose name, phone, email or tax number has every word given
    Find { query: Vec<String> },
    Add {
        #[command(flatten)]
        contact: ContactArgs,
    },
    /// Correct a customer's details: the fields given replace the old ones
    Edit {
        id: u64,
        #[command(flatten)]
        contact: ContactArgs,
    },
    /// Erase a customer's personal data (their sales keep the number)
    Erase {
        id: u64,
        /// Yes, erase: it cannot be undone
        #[arg(long)]
        yes: bool,
    },
}

/// A customer's details as flags; each one given replaces that field.
#[derive(Debug, Args)]
pub struct ContactArgs {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    /// VAT number, TRN, GSTIN …, for tax invoices
    #[arg(long)]
    pub tax_number: Option<String>,
    /// Consent to receipts by email
    #[arg(long)]
    pub receipt_by_email: Option<bool>,
    /// Consent to marketing
    #[arg(long)]
    pub marketing: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Read /etc/till/till.toml (or --config): any mistake is named by file
    /// and line; with none, the configuration in effect, defaults filled in
    Check,
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Remove it now (the daemon does so daily by itself)
    Run {
        /// Only say what would go
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        through: Through,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Write this terminal's enrolment request, for head office's `till hq enroll`
    Request {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        through: Through,
    },
    /// Pin head office from the bundle `till hq enroll` made for this terminal
    Join { bundle: PathBuf },
    /// What waits for head office, since when, and the last error
    Status,
    /// Send everything waiting and fetch the catalog, now (through the daemon if it runs)
    Now {
        #[command(flatten)]
        through: Through,
    },
    /// Fetch head office's catalog now, not at the next poll (through the daemon if it runs)
    Catalog {
        #[command(flatten)]
        through: Through,
    },
}

/// `till-hq`'s command line: head office's own program, which `till hq …`
/// runs (see `cli::hq_program`), so that a till's binary carries no server.
#[derive(Debug, Parser)]
#[command(
    name = "till-hq",
    version,
    about = "Head office for Till: receive every terminal's sales, report across shops, publish the catalog"
)]
pub struct HqCli {
    /// Head office's directory [default: $TILL_DATA, or /var/lib/till-hq]
    #[arg(long, global = true, env = "TILL_DATA")]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: HqCommand,
}

impl HqCli {
    pub const DEFAULT_DATA: &'static str = "/var/lib/till-hq";

    /// `--data`, which keeps head office apart from any till.
    pub fn dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from(HqCli::DEFAULT_DATA))
    }
}

#[derive(Debug, Subcommand)]
pub enum HqCommand {
    /// Make a head office in --data: its CA, server certificate and signing key
    Init {
        /// Head office's name, for its CA
        #[arg(long, default_value = "Head office")]
        name: String,
        /// The address terminals reach it at, e.g. https://hq.example.com:8443
        #[arg(long)]
        url: String,
        /// A host name or IP address for the server certificate (repeat for more)
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// ISO 4217 currency code of the catalog
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long, default_value_t = 2)]
        minor_units: u32,
    },
    /// Register a terminal from its request and write the bundle it joins with
    Enroll {
        /// The file `till sync request` wrote on the terminal
        #[arg(long)]
        request: PathBuf,
        /// Where to write the bundle (mode 0600) to carry back to the terminal
        #[arg(long)]
        out: PathBuf,
        /// Also issue a client certificate for the terminal
        #[arg(long)]
        client_cert: bool,
    },
    /// Receive batches over HTTPS
    Serve {
        /// Address and port to listen on
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: String,
        /// Refuse terminals without a client certificate from head office's CA
        #[arg(long)]
        require_client_cert: bool,
    },
    /// Enrolled terminals and how far each one's journal has arrived
    Terminals,
    /// Sales by shop and day, across every terminal
    Report(DayRange),
    /// Publish products (CSV, as `till import products`) to every terminal
    Publish { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Walk the chain; exit 0 if it holds, non-zero naming the first bad entry
    Verify {
        #[command(flatten)]
        through: Through,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Sales by day
    Sales {
        #[command(flatten)]
        range: DayRange,
        #[command(flatten)]
        through: Through,
    },
}

/// The days a report covers, and how it is written.
#[derive(Debug, Args)]
pub struct DayRange {
    /// First day (YYYY-MM-DD, local time), inclusive
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day (YYYY-MM-DD, local time), inclusive
    #[arg(long)]
    pub to: NaiveDate,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

pub use crate::engine::office::ExportFormat;

/// Who a back-office command acts as when `till daemon` holds the store
/// (see `cli::backoffice`); without a daemon the store is opened directly.
#[derive(Debug, Clone, Args)]
pub struct Through {
    /// A user allowed to, when the daemon holds the store (PIN from $TILL_PIN or stdin)
    #[arg(long)]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A demo never reads the installed /etc/till/till.toml, only a file
    /// it is given; anything else reads the default path.
    #[test]
    fn a_demo_reads_only_the_configuration_it_is_given() {
        let cli = |args: &[&str]| Cli::try_parse_from(args).unwrap();
        for args in [&["till", "--demo"][..], &["till", "daemon", "--demo"]] {
            let run = cli(args);
            assert!(run.is_demo(), "{args:?}");
            assert_eq!(run.settings().unwrap().source, None, "{args:?}");
        }
        for args in [
            &["till"][..],
            &["till", "daemon"],
            &["till", "--demo", "doctor"],
        ] {
            assert!(!cli(args).is_demo(), "{args:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("till.toml");
        std::fs::write(&file, "").unwrap();
        let given = cli(&["till", "--demo", "--config", file.to_str().unwrap()]);
        assert_eq!(given.settings().unwrap().source, Some(file));
    }

    /// `till hq …` hands everything after `hq` to `till-hq` untouched, its
    /// options and `--help` too; a `--data` before `hq` is the till's.
    #[test]
    fn till_hq_passes_on_what_follows_it() {
        let passed = |args: &[&str]| match Cli::try_parse_from(args).unwrap() {
            Cli {
                data,
                command: Some(Command::Hq { args }),
                ..
            } => (data, args),
            other => panic!("{other:?}"),
        };
        let (data, args) = passed(&["till", "hq", "serve", "--data", "d", "--listen", "x:1"]);
        assert_eq!(data, None);
        assert_eq!(args, ["serve", "--data", "d", "--listen", "x:1"]);
        assert_eq!(passed(&["till", "hq", "--help"]).1, ["--help"]);
        assert_eq!(passed(&["till", "hq"]).1, Vec::<OsString>::new());
        let (data, args) = passed(&["till", "--data", "d", "hq", "terminals"]);
        assert_eq!(data, Some(PathBuf::from("d")));
        assert_eq!(args, ["terminals"]);
    }

    #[test]
    fn till_hq_parses_its_own_commands() {
        use clap::CommandFactory;
        let hq = HqCli::try_parse_from(["till-hq", "serve", "--data", "d"]).unwrap();
        assert!(matches!(hq.command, HqCommand::Serve { .. }));
        assert_eq!(hq.dir(), PathBuf::from("d"));
        HqCli::command().debug_assert();
    }
}
