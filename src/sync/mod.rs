//! Sending the journal to head office and taking its catalog back: the
//! terminal's side of the link.
//!
//! [`worker`] cuts signed batches from the outbox and sends them with the
//! protocol in `crate::proto`, as its section of till.toml ([`config`]) says;
//! head office's side is `crate::hq`.

pub mod config;
pub mod worker;
