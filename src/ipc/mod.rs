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
