//! Helpers shared by the integration tests.

pub mod hq;
pub mod kills;
pub mod power_cut;
pub mod sale;
pub mod seeded;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use till::cli::args::InitArgs;
use till::cli::init;
use till::engine::{Engine, SessionId};
use till::store::Store;

/// The binary under test, deaf to the machine's own till: no store or PIN
/// from the environment, and no `/etc/till/till.toml` (an installed package
/// puts one there) unless a test gives `--config`.
pub fn till() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_till"));
    cmd.env_remove("TILL_DATA")
        .env_remove("TILL_ADMIN_PIN")
        .env_remove("TILL_SOCKET")
        .env("TILL_CONFIG", "/dev/null");
    cmd
}

/// Runs the binary and returns its output, whatever the exit status.
pub fn run(args: &[&str]) -> Output {
    till().args(args).output().expect("the till binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and insists on success, returning stdout.
pub fn run_ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "till {args:?} failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// A fresh demo store in a temp dir (through the library: quicker than the binary).
pub fn demo_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    drop(init::run(&path, &InitArgs::demo()).expect("demo store"));
    (dir, path)
}

pub fn engine(path: &Path) -> Engine {
    Engine::new(Store::open(path).expect("open store")).expect("engine")
}

pub fn login(engine: &mut Engine, user: &str, pin: &str) -> SessionId {
    engine.login(user, pin, 1).expect("login")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Opens the store's sled database directly, as an attacker or a bad disk
/// would. Retries while a just-dropped store's flusher thread lets go of it.
pub fn raw_sled(path: &Path) -> sled::Db {
    for _ in 0..200 {
        match sled::open(path) {
            Ok(db) => return db,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    panic!("sled store at {} stays locked", path.display());
}

/// A directory and everything in it, copied (a store, as a backup tool would).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Waits, at most `limit`, until `done`; fails naming `what` if it never is.
pub fn wait_until(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// Time a process has run on a CPU, in clock ticks (user + system).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // Fields after the command name (which is in parentheses): 14 and 15 are utime and stime.
    let after = stat.rsplit_once(')').expect("stat").1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}
