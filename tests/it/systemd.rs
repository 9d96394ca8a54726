//! The shipped systemd units verify clean with `systemd-analyze verify`
//! (any warning fails), with ExecStart pointed at the binary under test.

use std::path::Path;
use std::process::Command;

/// Each unit, the instance verified, and the packaged binary it runs with
/// the one under test.
const UNITS: [(&str, &str, &str, &str); 3] = [
    (
        "till.service",
        "till.service",
        "/usr/bin/till",
        env!("CARGO_BIN_EXE_till"),
    ),
    (
        "till-kiosk@.service",
        "till-kiosk@tty1.service",
        "/usr/bin/till",
        env!("CARGO_BIN_EXE_till"),
    ),
    (
        "till-hq.service",
        "till-hq.service",
        "/usr/bin/till-hq",
        env!("CARGO_BIN_EXE_till-hq"),
    ),
];

/// What `systemd-analyze verify` says of a unit: empty when clean.
fn verify(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write unit");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze runs (apt install systemd; .ci/run does)");
    let mut said = String::from_utf8_lossy(&out.stdout).into_owned();
    said += &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && said.is_empty() {
        said = format!("exit {}", out.status);
    }
    said
}

#[test]
fn the_units_verify_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd");
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, instance, packaged, built) in UNITS {
        let text = std::fs::read_to_string(root.join(file)).expect("unit file");
        assert!(
            text.contains(&format!("ExecStart={packaged} ")),
            "{file} runs the packaged binary {packaged}"
        );
        let text = text.replace(&format!("{packaged} "), &format!("{built} "));
        let said = verify(dir.path(), instance, &text);
        assert!(said.is_empty(), "{file}:\n{said}");
    }
    // The check can fail: a broken unit is reported.
    let said = verify(
        dir.path(),
        "broken.service",
        "[Service]\nType=bogus\nExecStart=/bin/true\n",
    );
    assert!(said.contains("bogus"), "{said}");
}

#[test]
fn the_daemon_unit_is_watched_hardened_and_restarted() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/till.service"))
            .expect("till.service");
    for line in [
        "Type=notify",
        "WatchdogSec=",
        "Restart=always",
        "User=till",
        "SupplementaryGroups=dialout",
        "StateDirectory=till",
        "RuntimeDirectory=till",
        "ConfigurationDirectory=till",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "till.service lacks {line}"
        );
    }
}

#[test]
fn the_head_office_unit_bounds_its_files_and_threads() {
    // Room for the 1024 connections at its door and the 68 it serves.
    assert!(unit_number("till-hq.service", "LimitNOFILE=") >= 2048);
    // Its 64 + 4 slot threads, the door, and the store's own.
    assert!((100..=256).contains(&unit_number("till-hq.service", "TasksMax=")));
}

#[test]
fn the_daemon_unit_bounds_its_files_and_threads() {
    use till::ipc::door::MAX_SCREENS;
    // A file and a thread per screen it serves, and the store's, devices' and sync's own.
    assert!(unit_number("till.service", "LimitNOFILE=") >= 2 * MAX_SCREENS as u64);
    let tasks = unit_number("till.service", "TasksMax=");
    assert!((MAX_SCREENS as u64 + 16..=4 * MAX_SCREENS as u64).contains(&tasks));
}

/// The number a shipped unit gives `key` (e.g. `"TasksMax="`).
fn unit_number(unit: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("systemd")
            .join(unit),
    )
    .unwrap_or_else(|e| panic!("{unit}: {e}"));
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{unit} lacks a number for {key}"))
}
