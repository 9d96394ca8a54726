//! Sending the journal to head office and taking its catalog back.
//!
//! The terminal side: [`worker`] cuts signed batches from the outbox and
//! POSTs them over rustls ([`client`], [`tls`], [`http`]); [`wire`] is what
//! both sides sign and send; [`enroll`] is the file exchange that introduces
//! a terminal and head office. Head office's side is `crate::hq`.

pub mod client;
pub mod enroll;
pub mod http;
pub mod tls;
pub mod wire;
pub mod worker;
