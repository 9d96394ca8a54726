//! Where logs go: stderr for commands and the daemon (under systemd, the
//! journal), daily files for the till screen (which owns the terminal, so a
//! log line there would tear the picture).
//!
//! A screen's log is one file a day (`till.2026-12-01.log`), only ever
//! appended to: no file is rewritten to trim it, so no line written by
//! another process meanwhile is lost, and a crash cannot cut a log short.
//! The appender itself keeps the newest `log_days` files, removing older
//! ones when the screen starts and at each midnight.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_appender::rolling::{Builder, RollingFileAppender, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry, fmt};

use crate::store::private;

/// Level from `TILL_LOG`: a level (`info`), targets with levels
/// (`till::sync=debug`) or both (`warn,till::sync=debug`); warnings when it
/// is unset or unreadable. (Targets and levels only: no span or field
/// filters, which would take a regex engine into the binary.)
fn filter() -> Targets {
    filter_of(std::env::var("TILL_LOG").ok().as_deref())
}

fn filter_of(spec: Option<&str>) -> Targets {
    spec.and_then(|spec| spec.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::WARN))
}

/// Installs the one subscriber: `lines`, filtered by `TILL_LOG`.
fn install(lines: impl Layer<Registry> + Send + Sync) {
    tracing_subscriber::registry()
        .with(lines.with_filter(filter()))
        .init();
}

pub fn to_stderr() {
    install(fmt::layer().with_writer(std::io::stderr));
}

/// Logs to daily files named after `path` (see `daily_files`), or to `path`
/// itself when it is a device or a pipe (`--log /dev/null`), which has no
/// days to roll.
pub fn to_file(path: &Path, log_days: u32) -> Result<()> {
    let plain = fmt::layer().with_ansi(false);
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let device = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the log file {}", path.display()))?;
        install(plain.with_writer(Mutex::new(device)));
    } else {
        install(plain.with_writer(daily_files(path, log_days)?));
    }
    Ok(())
}

/// Daily files named after `path` (`DIR/till.log` gives
/// `DIR/till.YYYY-MM-DD.log`), keeping `log_days` of them. They name staff,
/// so they are private like the store (see `store::private`).
fn daily_files(path: &Path, log_days: u32) -> Result<RollingFileAppender> {
    private::restrict_umask();
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let stem = path.file_stem().unwrap_or(path.as_os_str());
    let mut builder = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(stem.to_string_lossy())
        .max_log_files(usize::try_from(log_days).unwrap_or(usize::MAX));
    if let Some(ext) = path.extension() {
        builder = builder.filename_suffix(ext.to_string_lossy());
    }
    builder
        .build(dir.unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot open the log file {}", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn till_log_names_a_level_and_targets_or_else_warnings() {
        use tracing::Level;
        let both = filter_of(Some("warn,till::sync=debug"));
        assert!(both.would_enable("till::sync::sender", &Level::DEBUG));
        assert!(!both.would_enable("till::engine", &Level::INFO));
        assert!(both.would_enable("sled", &Level::WARN));
        assert!(filter_of(Some("info")).would_enable("till", &Level::INFO));
        for unset in [None, Some("till=loud")] {
            let warn = filter_of(unset);
            assert!(warn.would_enable("till", &Level::WARN), "{unset:?}");
            assert!(!warn.would_enable("till", &Level::INFO), "{unset:?}");
        }
    }

    #[test]
    fn a_days_file_is_private_and_only_the_newest_days_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Oldest first: the appender goes by the files' creation times.
        let old = ["till.log", "till.2020-01-01.log", "till.2020-01-02.log"];
        for name in old.iter().chain(&["till.2020-01-03.log"]) {
            std::fs::write(dir.path().join(name), "an old line\n").unwrap();
            // Apart by more than the file system's clock tick.
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        std::fs::write(dir.path().join("till.lock"), "").unwrap();
        let mut log = daily_files(&dir.path().join("till.log"), 2).unwrap();
        log.write_all(b"a line of today\n").unwrap();
        log.flush().unwrap();
        let today = format!("till.{}.log", chrono::Utc::now().format("%Y-%m-%d"));
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["till.2020-01-03.log", &today, "till.lock"]);
        let written = dir.path().join(&today);
        assert_eq!(
            std::fs::read_to_string(&written).unwrap(),
            "a line of today\n"
        );
        let mode = std::fs::metadata(&written).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}
