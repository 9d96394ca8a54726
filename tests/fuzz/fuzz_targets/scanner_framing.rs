//! Any bytes on a scanner's serial line, arriving in any chunks: no panic,
//! every code within `max_len` and free of the terminator, and the same
//! frames however the bytes were split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till::devices::scanner::config::{ScannerConfig, Suffix};
use till::devices::scanner::framing::{Frame, Framer};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let suffix = [
        Suffix::Cr,
        Suffix::Lf,
        Suffix::Crlf,
        Suffix::Tab,
        Suffix::Etx,
    ][pick as usize % 5];
    let config = ScannerConfig {
        suffix,
        aim: pick & 0x10 != 0,
        prefix: if pick & 0x20 != 0 {
            "]".into()
        } else {
            String::new()
        },
        ..ScannerConfig::default()
    };
    let mut whole = Framer::new(config.clone());
    let all = whole.feed(bytes);
    let mut split = Framer::new(config.clone());
    let step = 1 + (pick as usize >> 5);
    let pieces: Vec<Frame> = bytes.chunks(step).flat_map(|c| split.feed(c)).collect();
    assert_eq!(all, pieces);
    for frame in &all {
        if let Frame::Code(code) = frame {
            assert!(code.len() <= config.max_len, "{code:?}");
            assert!(
                !code
                    .bytes()
                    .any(|b| matches!(b, b'\r' | b'\n' | b'\t' | 0x03)),
                "{code:?}"
            );
        }
    }
});
