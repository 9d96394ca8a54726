//! Any bytes a client sends the daemon: frames decode to requests or are
//! refused with an error, never a panic or an allocation the length prefix
//! asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till::ipc::frame;
use till::ipc::protocol::Request;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    while let Ok(Some(_request)) = frame::read::<Request>(&mut input) {}
});
