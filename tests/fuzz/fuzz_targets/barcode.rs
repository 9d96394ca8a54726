//! Any text typed or scanned as a code: parsed without a panic, and the
//! same way every time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till::domain::barcode::{VariableMeasureLayout, parse};

fuzz_target!(|text: &str| {
    let layout = VariableMeasureLayout::default();
    let first = parse(text, &layout);
    assert_eq!(format!("{first:?}"), format!("{:?}", parse(text, &layout)));
});
