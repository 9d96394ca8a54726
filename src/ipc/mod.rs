//! The Unix-socket transport between `till daemon` (which owns the store) and
//! the till screens attached to it: framed, versioned serde messages. It
//! carries the engine's own API and decides nothing.

pub mod client;
pub mod door;
pub mod frame;
pub mod protocol;
pub mod server;

/// Where the daemon listens unless told otherwise (systemd's RuntimeDirectory).
pub const DEFAULT_SOCKET: &str = "/run/till/till.sock";

/// `[daemon]` of till.toml.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// Where the daemon listens and screens attach [default: /run/till/till.sock].
    pub socket: Option<std::path::PathBuf>,
}

/// The file in a store directory naming the socket its daemon listens on, so
/// that commands given only `--data` find that daemon. It names a path, no
/// secret, and stays after the daemon stops: a socket that is not there is
/// simply not attached to. Mode 0600, as every file of the store (see
/// `store::private`, which would take any more away at the next open).
const SOCKET_FILE: &str = "daemon.socket";

/// Notes in the store directory which socket its daemon listens on.
pub fn record_socket(data: &std::path::Path, socket: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let file = data.join(SOCKET_FILE);
    std::fs::write(&file, canonical(socket).as_os_str().as_encoded_bytes())?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
}

/// The socket the daemon of the store in `data` last listened on, if it said.
pub fn recorded_socket(data: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::io::Read;
    let mut text = String::new();
    // A path, bounded: a huge or binary file is not one.
    std::fs::File::open(data.join(SOCKET_FILE))
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    let path = std::path::PathBuf::from(text.trim_end_matches('\n'));
    path.is_absolute().then_some(path)
}

/// `path` made absolute and free of links where it can be, as is otherwise:
/// how a daemon and a screen compare the store they mean.
pub fn canonical(path: &std::path::Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| std::path::absolute(path).unwrap_or(path.into()))
}
