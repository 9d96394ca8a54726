//! What a terminal and head office say to each other, and how: the protocol
//! both ends speak, owned by neither.
//!
//! [`wire`] holds the signed messages (batches, acknowledgements, refusals,
//! catalog change sets); [`http`] the little HTTP/1.1 that carries them;
//! [`tls`] the rustls set-up with the pinned CA on both ends; [`client`] one
//! exchange with head office (the sync worker's, and head office's own admin
//! commands talking to their server); [`enroll`] the two files that introduce
//! a terminal and head office. The terminal's side is `crate::sync`, head
//! office's is `crate::hq`; this module knows neither.

pub mod client;
pub mod enroll;
pub mod http;
pub mod tls;
pub mod wire;
