//! A till selling from a script in a child process, SIGKILLed at a chosen
//! moment, and the receipts it had reported complete by then: what the
//! crash and power-cut tests do to a till.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use super::{s, till, write};

/// Many quick sales in a row, so a kill lands in the middle of the stream.
pub fn busy_script(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from("login cashier 1111\n");
    for i in 0..300 {
        text += if i % 2 == 0 {
            "scan 4006381333931\nscan 2*4011\npay cash 50\n"
        } else {
            "scan 9780306406157\npay card\n"
        };
    }
    write(dir, "busy.till", &text)
}

/// Receipt numbers the child printed as complete before it died.
pub fn kill_after(
    data: &std::path::Path,
    script: &std::path::Path,
    receipts: Option<usize>,
    delay_ms: u64,
) -> Vec<u64> {
    let mut child = till()
        .args(["sale", "--data", s(data), "--script", s(script)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    match receipts {
        Some(n) => {
            while seen.len() < n {
                let Some(Ok(line)) = lines.next() else { break };
                if let Some(rest) = line.strip_prefix("RECEIPT T01-") {
                    seen.push(rest[..6].parse().expect("number"));
                }
            }
        }
        None => std::thread::sleep(Duration::from_millis(delay_ms)),
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    // Whatever else it printed before dying was also reported complete.
    for line in lines.map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("RECEIPT T01-") {
            seen.push(rest[..6].parse().expect("number"));
        }
    }
    seen
}
