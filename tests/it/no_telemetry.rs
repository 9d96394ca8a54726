//! "No data sent anywhere but the shop's own head office", checked on the
//! code itself: every place that opens a network connection, and every
//! dependency that could.

use std::path::Path;

/// Source lines that open a network connection (a Unix socket is local).
const DIALS: [&str; 4] = [
    "TcpStream::connect",
    "UdpSocket",
    "to_socket_addrs",
    "TcpStream::connect_timeout",
];

/// The only files allowed to dial out, and to whom.
const ALLOWED: [(&str, &str); 2] = [
    (
        "src/devices/port.rs",
        "a tcp:// printer or scanner the owner configured",
    ),
    (
        "src/proto/client.rs",
        "head office, at the address its bundle pinned",
    ),
];

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_head_office_and_configured_devices_are_ever_dialled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the sources were found");
    let mut dialling = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        if DIALS.iter().any(|d| text.contains(d)) {
            let rel = file.strip_prefix(root).expect("under the crate");
            dialling.push(rel.to_string_lossy().into_owned());
        }
    }
    dialling.sort();
    let allowed: Vec<String> = ALLOWED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        dialling, allowed,
        "a new place dials out: say why in PRIVACY.md, or remove it"
    );
}

#[test]
fn no_dependency_is_a_network_client_or_telemetry() {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("Cargo.lock");
    let names: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"'))
        .collect();
    assert!(names.contains(&"rustls"), "the lock file was read");
    for banned in [
        "reqwest",
        "ureq",
        "hyper",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "sentry",
        "opentelemetry",
        "tracing-opentelemetry",
        "datadog",
        "segment",
        "posthog",
        "mixpanel",
        "native-tls",
        "openssl",
        "trust-dns-resolver",
        "hickory-resolver",
    ] {
        assert!(!names.contains(&banned), "{banned} is a dependency");
    }
}
