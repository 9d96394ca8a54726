//! A power cut while the till sells loses no sale it reported complete: the
//! store lives on a disk that keeps only what was fsynced (`common::power_cut`,
//! a FUSE mount), a selling till is killed at varied moments and the power
//! cut each time, and what the disk kept opens with every reported receipt,
//! gapless numbers and a journal that verifies; then the till sells on.
//! Everything goes through the binary, so it holds whatever the store's
//! insides become. `TILL_POWER_CUTS` sets how many cuts (default 12) and
//! `TILL_POWER_CUT_SEED` repeats a schedule.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::kills::{busy_script, kill_after};
use common::power_cut::PowerCutDir;
use common::seeded::SplitMix;
use common::{run, run_ok, s, stderr, stdout, write};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A fresh power-cut disk mounted in a temp dir (kept alive by the `TempDir`).
fn mounted() -> (tempfile::TempDir, PowerCutDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = dir.path().join("disk");
    fs::create_dir(&at).expect("mount point");
    let disk = PowerCutDir::mount(&at);
    (dir, disk)
}

/// The disk itself, through the kernel: a cut keeps fsynced data and
/// entries, and drops unsynced writes, modes, new names, renames and unlinks.
#[test]
fn a_cut_keeps_only_what_was_fsynced() {
    let (_dir, mut disk) = mounted();
    let root = disk.path().to_owned();
    let kept = root.join("kept");
    let mut file = fs::File::create(&kept).expect("create");
    std::io::Write::write_all(&mut file, b"durable").expect("write");
    file.sync_all().expect("fsync");
    fs::write(root.join("unlinked"), b"").expect("write");
    fs::File::open(&root)
        .expect("open dir")
        .sync_all()
        .expect("fsyncdir");
    // All of this stays in the page cache.
    std::io::Write::write_all(&mut file, b" and then some").expect("write");
    drop(file);
    let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o7777;
    let created = mode(&kept);
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o400)).expect("chmod");
    fs::write(root.join("new"), b"never named durably").expect("write");
    let synced = fs::File::open(root.join("new")).expect("open");
    synced.sync_all().expect("fsync");
    drop(synced);
    fs::rename(&kept, root.join("renamed")).expect("rename");
    fs::remove_file(root.join("unlinked")).expect("unlink");
    assert_eq!(
        fs::read(root.join("renamed")).expect("read"),
        b"durable and then some"
    );

    disk.cut();

    assert_eq!(fs::read(&kept).expect("read after the cut"), b"durable");
    assert_eq!(mode(&kept), created, "the chmod was never fsynced");
    assert!(
        !root.join("renamed").exists(),
        "the rename was never made durable"
    );
    assert!(
        root.join("unlinked").exists(),
        "the unlink was never made durable"
    );
    assert!(
        !root.join("new").exists(),
        "its directory was never fsynced"
    );
}

/// The names in `dir`, sorted: what a cut left of the store.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the store directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Receipt numbers of every sale in the store at `data`, read with `till export`.
fn receipts(data: &Path, out: &Path, at: &str) -> Vec<u64> {
    let o = run(&["export", "--data", s(data), "--out", s(out)]);
    assert!(
        o.status.success(),
        "{at}: the store does not open after the cut:\n{}{}the disk kept these files: {:?}",
        stdout(&o),
        stderr(&o),
        files(data)
    );
    let text = fs::read_to_string(out.join("sales.json")).expect("sales.json");
    let sales: Vec<serde_json::Value> = serde_json::from_str(&text).expect("sales JSON");
    let mut numbers: Vec<u64> = sales
        .iter()
        .map(|sale| sale["receipt"].as_u64().expect("a receipt number"))
        .collect();
    numbers.sort_unstable();
    numbers
}

/// A selling till on the power-cut disk, killed and cut `TILL_POWER_CUTS`
/// times: right after a receipt was reported (the moment a sale only in the
/// page cache would be lost), or after a delay that falls in start-up,
/// login, a scan or a completing sale.
#[test]
fn sales_reported_complete_survive_power_cuts() {
    let seed = env_or("TILL_POWER_CUT_SEED", 18u64);
    let cuts = env_or("TILL_POWER_CUTS", 12usize);
    let mut rng = SplitMix(seed);
    let (dir, mut disk) = mounted();
    let data = disk.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    // The store was set up long before the first cut; what `init` leaves to
    // the page cache is not this test's concern.
    disk.settle();
    let script = busy_script(dir.path());

    let mut reported = Vec::new();
    for cut in 1..=cuts {
        let (got, moment) = if rng.below(2) == 0 {
            let n = 1 + rng.below(3) as usize;
            let got = kill_after(&data, &script, Some(n), 0);
            (got, format!("killed after {n} receipts"))
        } else {
            let ms = rng.below(1500);
            (
                kill_after(&data, &script, None, ms),
                format!("killed {ms} ms in"),
            )
        };
        reported.extend(got);
        disk.cut();

        let at = format!("seed {seed}, cut {cut}/{cuts} ({moment})");
        let kept = receipts(&data, &dir.path().join(format!("export-{cut}")), &at);
        let gapless: Vec<u64> = (1..=kept.len() as u64).collect();
        assert_eq!(
            kept, gapless,
            "{at}: receipt numbers have a gap or a duplicate"
        );
        for r in &reported {
            assert!(
                kept.contains(r),
                "{at}: receipt {r} was reported complete, and the cut lost it \
                 (the disk kept receipts 1 to {})",
                kept.len()
            );
        }
        let verify = run(&["journal", "verify", "--data", s(&data)]);
        assert!(
            verify.status.success(),
            "{at}: the journal does not verify after the cut:\n{}{}",
            stdout(&verify),
            stderr(&verify)
        );
    }
    assert!(
        reported.len() >= cuts / 2,
        "seed {seed}: only {} sales were reported in {cuts} runs",
        reported.len()
    );

    // And the till sells on from what the disk kept, numbering on.
    let next = receipts(&data, &dir.path().join("export-last"), "after the cuts").len() + 1;
    let one = write(
        dir.path(),
        "one.till",
        "login cashier 1111\nscan 4006381333931\npay card\n",
    );
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&one)]);
    assert!(
        out.contains(&format!("RECEIPT T01-{next:06}")),
        "the till does not sell on after the cuts as receipt {next}:\n{out}"
    );
    eprintln!(
        "seed {seed}: {cuts} power cuts survived; {} sales reported complete, all kept",
        reported.len()
    );
}
