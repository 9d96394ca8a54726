//! Any text as till.toml, a keymap or a theme: read, or refused with a
//! message that names the file and a line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till::config::Settings;
use till::textfile::ConfigFile;
use till::ui::keymap::Keymap;
use till::ui::theme::Theme;

fuzz_target!(|text: &str| {
    let file = match ConfigFile::parse("fuzz.toml", text) {
        Ok(file) => file,
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.toml"), "{e}");
            return;
        }
    };
    for outcome in [
        ConfigFile::parse_as("fuzz.toml", text).and_then(Settings::parse).map(drop),
        Keymap::shipped_default().apply(&file),
        Theme::shipped_default().apply(&file),
    ] {
        if let Err(e) = outcome {
            assert!(e.to_string().starts_with("fuzz.toml"), "{e}");
        }
    }
});
