//! `till hq serve` as its own process, for tests that send to head office.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use super::{s, till};

pub struct HqServer {
    child: Child,
    pub addr: String,
    /// Its log (at info), as it goes.
    log: Arc<Mutex<Vec<u8>>>,
}

impl HqServer {
    /// Starts `till hq serve` and waits for it to say where it listens.
    pub fn start(dir: &Path, listen: &str) -> HqServer {
        let mut child = till()
            .args(["hq", "serve", "--data", s(dir), "--listen", listen])
            .env("TILL_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("start till hq serve");
        let mut stderr = child.stderr.take().expect("stderr");
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        let addr = loop {
            match stderr.read(&mut byte) {
                Ok(1) => seen.push(byte[0]),
                _ => panic!(
                    "till hq serve ended before listening: {}",
                    String::from_utf8_lossy(&seen)
                ),
            }
            let text = String::from_utf8_lossy(&seen);
            if text.ends_with('\n')
                && let Some(line) = text.lines().find(|l| l.starts_with("till hq: serving"))
            {
                break line.rsplit(" on ").next().unwrap_or_default().to_string();
            }
        };
        // Keep reading its log so it never blocks on a full pipe.
        let log = Arc::new(Mutex::new(seen));
        let into = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                into.lock().expect("log").extend_from_slice(&buf[..n]);
            }
        });
        HqServer { child, addr, log }
    }

    /// Its process id, to look at its threads and memory in /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().expect("log")).into_owned()
    }

    /// Kills it outright, as a power cut would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for HqServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes head office at `hq` (reached through `port`) and enrolls the terminals.
pub fn head_office(root: &Path, port: u16, terminals: &[&Path]) -> PathBuf {
    let hq = root.join("hq");
    let url = format!("https://127.0.0.1:{port}");
    super::run_ok(&[
        "hq",
        "init",
        "--data",
        s(&hq),
        "--url",
        &url,
        "--host",
        "127.0.0.1",
    ]);
    for (i, data) in terminals.iter().enumerate() {
        let req = root.join(format!("req{i}.toml"));
        let bundle = root.join(format!("bundle{i}.toml"));
        super::run_ok(&["sync", "request", "--data", s(data), "--out", s(&req)]);
        super::run_ok(&[
            "hq",
            "enroll",
            "--data",
            s(&hq),
            "--request",
            s(&req),
            "--out",
            s(&bundle),
            "--client-cert",
        ]);
        super::run_ok(&["sync", "join", "--data", s(data), s(&bundle)]);
    }
    hq
}
