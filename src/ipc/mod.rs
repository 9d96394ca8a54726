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
