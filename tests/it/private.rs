//! A store is private whatever the umask: `till init`, a sale, a daemon with
//! a screen attached and a backup through it leave nothing that another user
//! could read (PIN hashes, keys, customers), and a store found looser is
//! fixed at open, with a warning.

use crate::common;
use common::sale::{pay, scan};

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rust_decimal::dec;
use till::domain::tender::TenderKind;
use till::engine::api::TillApi;
use till::ipc::client::Client;

/// `till` under the usual umask 022, whatever this test process's is.
fn till_022() -> Command {
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        r#"umask 022; exec "$0" "$@""#,
        env!("CARGO_BIN_EXE_till"),
    ])
    .env_remove("TILL_DATA")
    .env_remove("TILL_ADMIN_PIN")
    .env("TILL_CONFIG", "/dev/null");
    cmd
}

fn run_ok_022(args: &[&str]) {
    let o = till_022().args(args).output().expect("till runs");
    assert!(o.status.success(), "till {args:?}: {}", common::stderr(&o));
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

/// Nothing under `dir` (itself included) may be read, written or searched
/// by others, or changed by the group.
fn assert_private(dir: &Path) {
    let m = mode(dir);
    assert_eq!(m & 0o027, 0, "{} is {m:o}", dir.display());
    for entry in std::fs::read_dir(dir).expect("read the store") {
        let path = entry.expect("entry").path();
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        if meta.is_dir() {
            assert_private(&path);
        } else {
            let m = mode(&path);
            assert_eq!(m & 0o027, 0, "{} is {m:o}", path.display());
        }
    }
}

#[test]
fn init_and_a_sale_under_umask_022_leave_nothing_for_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok_022(&["init", "--demo", "--data", common::s(&data)]);
    let script = common::write(
        dir.path(),
        "sale.txt",
        "login cashier 1111\nscan 4006381333931\npay cash\n",
    );
    run_ok_022(&[
        "sale",
        "--data",
        common::s(&data),
        "--script",
        common::s(&script),
    ]);
    assert!(data.join("db").exists() && data.join("terminal.key").exists());
    assert_private(&data);
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_daemon_under_umask_022_with_a_screen_attached_leaves_nothing_for_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let socket = dir.path().join("till.sock");
    run_ok_022(&["init", "--demo", "--data", common::s(&data)]);
    let child = till_022()
        .args(["daemon", "--data", common::s(&data), "--socket"])
        .arg(&socket)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the daemon");
    let _daemon = Daemon(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the daemon never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut kiosk = Client::connect(&socket).expect("attach");
    let s = kiosk.login("cashier", "1111", 1).expect("login");
    for _ in 0..3 {
        kiosk.execute(s, scan("4006381333931")).expect("scan");
        kiosk
            .execute(s, pay(TenderKind::Cash, Some(dec!(5))))
            .expect("pay");
    }
    // Long enough for sled's flusher (every 500 ms) to write on its own.
    std::thread::sleep(Duration::from_millis(1200));
    let backup = dir.path().join("shop.till-backup");
    let o = till_022()
        .args(["backup", "--data", common::s(&data), "--socket"])
        .arg(&socket)
        .args(["--out", common::s(&backup), "--user", "manager"])
        .env("TILL_PIN", "9999")
        .output()
        .expect("till backup");
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(
        mode(&backup) & 0o077,
        0,
        "the backup is {:o}",
        mode(&backup)
    );
    assert_private(&data);
}

#[test]
fn a_store_left_readable_is_made_private_at_open_and_said_so() {
    let (dir, data) = common::demo_store();
    let db = data.join("db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let o = till_022()
        .args(["journal", "verify", "--data", common::s(&data)])
        .output()
        .expect("till runs");
    assert!(o.status.success(), "{}", common::stderr(&o));
    let said = common::stderr(&o);
    assert!(
        said.contains(&db.display().to_string()) && said.contains("644"),
        "{said}"
    );
    assert_eq!(mode(&db), 0o600);
    assert_private(&data);
    drop(dir);
}

#[test]
fn a_readable_store_of_another_users_is_refused_with_the_chmod_to_run() {
    if !rustix::process::getuid().is_root() {
        eprintln!("skipped: making a store of another user's needs root");
        return;
    }
    let (dir, data) = common::demo_store();
    let chmod = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    chmod(dir.path(), 0o755);
    chmod(&data, 0o777);
    chmod(&data.join("db"), 0o644);
    // Root's store, opened by nobody, who cannot change its modes.
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_till"))
        .args(["journal", "verify", "--data", common::s(&data)])
        .env("TILL_CONFIG", "/dev/null")
        .output()
        .expect("setpriv runs");
    let said = common::stderr(&o);
    assert!(!o.status.success(), "{said}");
    assert!(
        said.contains(&format!("chmod -R go-rwx {}", data.display())),
        "{said}"
    );
    assert_eq!(mode(&data), 0o777, "nothing changed");
    drop(dir);
}
