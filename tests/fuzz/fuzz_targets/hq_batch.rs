//! Any body POSTed to head office as a batch: refused with a reason or
//! taken, never a panic; and any signed payload decodes to a batch or is
//! refused, signature aside.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use till::hq::{Hq, HqSettings};
use till::proto::enroll::EnrollRequest;
use till::proto::wire::{Batch, Signed};

fn hq() -> &'static Hq {
    static HQ: OnceLock<(tempfile::TempDir, Hq)> = OnceLock::new();
    &HQ.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = HqSettings {
            name: "fuzz".into(),
            url: "https://127.0.0.1:1".into(),
            rules: Default::default(),
        };
        let hq = Hq::init(&dir.path().join("hq"), settings, &["127.0.0.1".into()]).expect("hq");
        // One enrolled terminal, so bodies naming T01 reach the signature check.
        let key = ed25519_key();
        let request = EnrollRequest {
            terminal: "T01".into(),
            store_name: "fuzz".into(),
            public_key: key,
        };
        hq.enroll(&request, false).expect("enroll");
        (dir, hq)
    })
    .1
}

/// A fixed, valid ed25519 public key (of the all-zero secret).
fn ed25519_key() -> String {
    "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29".into()
}

fuzz_target!(|body: &[u8]| {
    let _ = hq().receive(body);
    if let Ok(signed) = Signed::from_bytes(body) {
        let _ = signed.peek::<Batch>();
    }
});
