//! `till hq …`: runs head office's own program, `till-hq`, in this process's
//! place. Head office's server and store live in that binary only (see
//! `src/bin/till-hq.rs`), so a till's binary stays small; the till knows
//! only where to find it.
//!
//! The program replaces this process (exec): its output, its exit code and
//! the signals sent to it are the caller's, as if `till-hq` had been run.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Head office's program, as installed beside `till` (`/usr/bin/till-hq`).
pub const PROGRAM: &str = "till-hq";

/// `till-hq` beside this executable, else the one on `PATH`.
fn program() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|me| Some(me.parent()?.join(PROGRAM)))
        .filter(|beside| beside.is_file())
        .unwrap_or_else(|| PathBuf::from(PROGRAM))
}

/// Runs `till-hq ARGS` in this process's place; returns only if it could
/// not be started. `data` is the till's `--data` (given before `hq`),
/// passed on unless it only repeats `$TILL_DATA`, which `till-hq` reads too.
pub fn exec(data: Option<&Path>, args: &[OsString]) -> anyhow::Error {
    let program = program();
    let mut command = Command::new(&program);
    let from_env = std::env::var_os("TILL_DATA");
    if let Some(data) = data.filter(|d| from_env.as_deref() != Some(d.as_os_str())) {
        command.arg("--data").arg(data);
    }
    command.args(args);
    let error = command.exec();
    if error.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!(
            "head office's program {PROGRAM} is neither beside this till nor on PATH: \
             install it with the till (it is in the same package)"
        )
    } else {
        anyhow::Error::new(error).context(format!("cannot run {}", program.display()))
    }
}
