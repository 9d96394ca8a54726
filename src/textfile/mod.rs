//! Text files that people write and the till reads: till.toml, keymaps,
//! themes, the enrolment files, imports.
//!
//! It owns reading such a file within a size bound and saying where in it a
//! mistake is (file and line), and nothing of what any file means: so every
//! layer that reads a file (devices, sync, the screens, the commands) uses it
//! without depending on the configuration that assembles them all.

mod bounded;
mod document;
mod error;
mod lines;

pub use bounded::{MAX_CONFIG_FILE, open_bounded, read_bounded, utf8};
pub use document::ConfigFile;
pub use error::{ConfigError, Invalid};
