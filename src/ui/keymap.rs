//! Keymaps: which key runs which action, per section of the till.
//!
//! The shipped keymaps (`keymaps/*.toml`) are built into the binary. A keymap
//! file sets, per section, `action = "Key"` or `action = ["Key", "Key"]`; it is
//! laid over the shipped default, replacing the keys of just the actions it
//! names (and taking those keys from whatever action had them). An unknown
//! section, action or key is an error naming the file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crossterm::event::{KeyCode, KeyModifiers};

use super::action::{Action, Section};
use super::keys::Key;
use crate::textfile::{ConfigError, ConfigFile};

/// The keymaps that ship with Till, by name.
pub const SHIPPED: [(&str, &str); 2] = [
    ("default", include_str!("../../keymaps/default.toml")),
    ("numpad", include_str!("../../keymaps/numpad.toml")),
];

/// Keys one action may have: a few ways to the same thing, never hundreds.
pub const MAX_KEYS_PER_ACTION: usize = 8;
/// The longest key name: "Ctrl-Alt-Shift-PageDown" is 23 bytes. Checked
/// before a name is parsed, so a megabyte name is refused at once.
pub const MAX_KEY_NAME: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keymap {
    bindings: BTreeMap<Section, HashMap<Key, Action>>,
}

impl Keymap {
    /// The shipped default: always valid (a unit test parses it).
    pub fn shipped_default() -> Keymap {
        let mut map = Keymap::default();
        if let Ok(file) = ConfigFile::parse("keymaps/default.toml", SHIPPED[0].1) {
            // A broken shipped file is caught by the tests, never at a till.
            let _ = map.apply(&file);
        }
        map
    }

    /// Lays a file over this keymap only if the result is sound.
    fn apply_checked(&self, file: &ConfigFile) -> Result<Keymap, ConfigError> {
        let mut next = self.clone();
        next.apply(file)?;
        Ok(next)
    }

    /// The default with `choice` laid over it: a shipped name ("numpad") or a
    /// file path. On any error the till still starts, on the shipped default,
    /// and the error is returned to be shown.
    pub fn load(choice: Option<&str>) -> (Keymap, Option<ConfigError>) {
        let base = Keymap::shipped_default();
        let Some(choice) = choice else {
            return (base, None);
        };
        let file = match SHIPPED.iter().find(|(name, _)| *name == choice) {
            Some((name, text)) => ConfigFile::parse(&format!("keymaps/{name}.toml"), text),
            None => ConfigFile::read(Path::new(choice)),
        };
        match file.and_then(|f| base.apply_checked(&f)) {
            Ok(map) => (map, None),
            Err(e) => (base, Some(e)),
        }
    }

    /// Lays a file over this keymap.
    pub fn apply(&mut self, file: &ConfigFile) -> Result<(), ConfigError> {
        for (section_name, value) in &file.table {
            let section = Section::parse(section_name).ok_or_else(|| {
                let known: Vec<&str> = Section::ALL.iter().map(|s| s.name()).collect();
                file.error(
                    "",
                    section_name,
                    format!(
                        "unknown section [{section_name}] (known: {})",
                        known.join(", ")
                    ),
                )
            })?;
            let table = value.as_table().ok_or_else(|| {
                file.error(
                    "",
                    section_name,
                    format!("'{section_name}' must be a [section] of bindings"),
                )
            })?;
            for (name, keys) in table {
                let err = |message: String| file.error(section_name, name, message);
                let action =
                    Action::parse(name).ok_or_else(|| err(format!("unknown action '{name}'")))?;
                if action.section() != section {
                    return Err(err(format!(
                        "'{name}' belongs in [{}]",
                        action.section().name()
                    )));
                }
                let parse = |k: &str| {
                    if k.len() > MAX_KEY_NAME {
                        return Err(err(format!(
                            "a key name is at most {MAX_KEY_NAME} bytes (this one is {})",
                            k.len()
                        )));
                    }
                    Key::parse(k).map_err(&err)
                };
                let keys: Vec<Key> = match keys {
                    toml::Value::String(k) => vec![parse(k)?],
                    toml::Value::Array(list) if list.len() > MAX_KEYS_PER_ACTION => {
                        return Err(err(format!(
                            "'{name}' has {} keys: an action has at most {MAX_KEYS_PER_ACTION}",
                            list.len()
                        )));
                    }
                    toml::Value::Array(list) => list
                        .iter()
                        .map(|k| {
                            k.as_str()
                                .ok_or_else(|| err("keys are strings such as \"F1\"".into()))
                        })
                        .map(|k| k.and_then(parse))
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(err(
                            "give a key as \"F1\" or a list [\"F1\", \"Ctrl-h\"]".into()
                        ));
                    }
                };
                self.bind(section, action, keys);
            }
        }
        self.check(file)
    }

    /// Refuses a keymap that would leave the till broken: an action with no
    /// key, a key that must be typed (digits, ".", "*", "%"; any character in
    /// [global], which PINs and names are typed in), or a screen's key that
    /// hides a global action there.
    fn check(&self, file: &ConfigFile) -> Result<(), ConfigError> {
        for action in Action::ALL {
            if self.keys(*action).is_empty() {
                let message = format!(
                    "'{action}' has no key left: give it one, or take its key from another action"
                );
                return Err(file.error(action.section().name(), action.name(), message));
            }
        }
        for (section, map) in &self.bindings {
            for (key, action) in map {
                let typed = match key.code {
                    KeyCode::Char(c)
                        if !key
                            .mods
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                    {
                        c.is_ascii_digit() || ".*%".contains(c) || *section == Section::Global
                    }
                    _ => false,
                };
                if typed {
                    let message = format!(
                        "'{}' is typed at the till and cannot run '{action}'",
                        key.label()
                    );
                    return Err(file.error(section.name(), action.name(), message));
                }
                if *section != Section::Global
                    && let Some(global) =
                        self.bindings.get(&Section::Global).and_then(|g| g.get(key))
                {
                    let message = format!(
                        "{} is already '{global}' everywhere; '{action}' would hide it",
                        key.label()
                    );
                    return Err(file.error(section.name(), action.name(), message));
                }
            }
        }
        Ok(())
    }

    fn bind(&mut self, section: Section, action: Action, keys: Vec<Key>) {
        let map = self.bindings.entry(section).or_default();
        map.retain(|_, a| *a != action);
        for key in keys {
            map.insert(key, action);
        }
    }

    /// What `key` does in `section`: the section's own binding, else the global one.
    pub fn action(&self, section: Section, key: Key) -> Option<Action> {
        let find = |s| self.bindings.get(&s).and_then(|m| m.get(&key)).copied();
        find(section).or_else(|| find(Section::Global))
    }

    /// The keys bound to `action`: function keys first, then other named keys,
    /// then characters, so hints show F-keys where they exist and stay stable.
    pub fn keys(&self, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .get(&action.section())
            .map(|m| {
                m.iter()
                    .filter(|(_, a)| **a == action)
                    .map(|(k, _)| *k)
                    .collect()
            })
            .unwrap_or_default();
        keys.sort_by_key(|k| {
            let f = match k.code {
                KeyCode::F(n) => n,
                _ => u8::MAX,
            };
            (
                matches!(k.code, KeyCode::Char(_)),
                f,
                !k.mods.is_empty(),
                k.label(),
            )
        });
        keys
    }

    /// "F1/Ctrl-h" for the hint bar and the help overlay; "unbound" if none.
    pub fn label(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(Key::label).collect();
        if keys.is_empty() {
            "unbound".to_string()
        } else {
            keys.join("/")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn every_shipped_keymap_parses_and_binds_every_action() {
        for (name, text) in SHIPPED {
            let mut map = Keymap::shipped_default();
            map.apply(&ConfigFile::parse(name, text).unwrap()).unwrap();
            for action in Action::ALL {
                assert!(!map.keys(*action).is_empty(), "{name}: {action} has no key");
            }
        }
    }

    #[test]
    fn the_default_keeps_the_cashier_contract() {
        let map = Keymap::shipped_default();
        assert_eq!(
            map.action(Section::Sale, key("Enter")),
            Some(Action::Submit)
        );
        assert_eq!(map.action(Section::Sale, key("Esc")), Some(Action::Back));
        assert_eq!(map.action(Section::Payment, key("F1")), Some(Action::Help));
    }

    #[test]
    fn a_user_file_overrides_key_by_key() {
        let mut map = Keymap::shipped_default();
        let text = "[sale]\nhold = [\"F2\", \"Ctrl-k\"]\nlookup = \"F3\"\n";
        map.apply(&ConfigFile::parse("user.toml", text).unwrap())
            .unwrap();
        assert_eq!(map.action(Section::Sale, key("F2")), Some(Action::Hold));
        assert_eq!(map.action(Section::Sale, key("Ctrl-k")), Some(Action::Hold));
        assert_eq!(
            map.action(Section::Sale, key("F3")),
            Some(Action::Lookup),
            "the keys swapped"
        );
        assert_eq!(
            map.action(Section::Sale, key("F4")),
            Some(Action::Recall),
            "the rest is untouched"
        );
        assert_eq!(
            map.action(Section::Sale, key("F1")),
            Some(Action::Help),
            "globals still reach"
        );
    }

    #[test]
    fn huge_key_names_key_lists_and_files_are_refused_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        let long = format!(
            "[sale]\nhold = \"F2\"\nx_report = \"{}\"\n",
            "Ctrl-".repeat(200_000) // 1 MB
        );
        let many = format!("[sale]\n\nhold = [{}]\n", vec!["\"F2\""; 100_000].join(","));
        for (text, line, words) in [
            (long, 3, "a key name is at most 32 bytes"),
            (many, 3, "'hold' has 100000 keys: an action has at most 8"),
        ] {
            std::fs::write(&path, &text).unwrap();
            let e = Keymap::load(path.to_str()).1.unwrap();
            assert_eq!(e.line, Some(line), "{e}");
            assert!(e.message.contains(words), "{e}");
        }
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(crate::textfile::MAX_CONFIG_FILE + 1).unwrap();
        let e = Keymap::load(path.to_str()).1.unwrap();
        assert!(
            e.to_string()
                .starts_with(&format!("{}: it is 1048577 bytes", path.display())),
            "{e}"
        );
    }

    #[test]
    fn mistakes_name_file_and_line_and_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        for (text, line, words) in [
            (
                "[sale]\nlookup = \"F2\"\nfly = \"F3\"\n",
                3,
                "unknown action 'fly'",
            ),
            (
                "[sale]\n\nlookup = \"Hyper-x\"\n",
                3,
                "'Hyper-x' is not a key",
            ),
            (
                "[global]\npay_card = \"F2\"\n",
                2,
                "'pay_card' belongs in [payment]",
            ),
            (
                "# mine\n\n[till]\nhelp = \"F1\"\n",
                3,
                "unknown section [till]",
            ),
            ("[global]\nback = []\n", 2, "'back' has no key left"),
            ("[sale]\nhold = \"F2\"\n", 1, "'lookup' has no key left"),
            (
                "[sale]\nhold = [\"F3\", \"5\"]\n",
                2,
                "'5' is typed at the till",
            ),
            ("[global]\nlogout = \"q\"\n", 2, "'q' is typed at the till"),
            (
                "[payment]\npay_card = \"Esc\"\n",
                2,
                "Esc is already 'back' everywhere",
            ),
            ("[sale\nlookup = \"F2\"\n", 1, ""),
        ] {
            let path = dir.path().join("mine.toml");
            std::fs::write(&path, text).unwrap();
            let (map, err) = Keymap::load(path.to_str());
            let err = err.expect("an error");
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(
                err.to_string()
                    .starts_with(&format!("{}:{line}: ", path.display())),
                "{err}"
            );
            assert!(err.message.contains(words), "{err}");
            assert_eq!(map, Keymap::shipped_default());
        }
    }
}
