//! Key names as keymap files write them ("F1", "Ctrl-q", "Enter", "+"), to and
//! from crossterm's key events.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, comparable and hashable (crossterm's `KeyEvent`
/// also carries the press/release kind and state, which bindings ignore).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// The character this key types, if it types one (no Ctrl or Alt held).
    pub fn typed(self) -> Option<char> {
        match self.code {
            KeyCode::Char(c)
                if !self
                    .mods
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        // Shift is already in the character ('+' not Shift-'='); keep it only for named keys.
        if matches!(ev.code, KeyCode::Char(_)) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match ev.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            code => code,
        };
        Key { code, mods }
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        if mods.contains(KeyModifiers::SHIFT) && rest.eq_ignore_ascii_case("tab") {
            // Terminals send Shift-Tab as its own key.
            return Ok(Key {
                code: KeyCode::BackTab,
                mods: mods - KeyModifiers::SHIFT,
            });
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "tab" => KeyCode::Tab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if mods.contains(KeyModifiers::SHIFT) => {
                        return Err(format!(
                            "'{text}': write the character itself (\"{}\"), not Shift-",
                            c.to_uppercase()
                        ));
                    }
                    (Some(c), None) if !c.is_control() => {
                        KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        })
                    }
                    _ => {
                        return Err(format!(
                            "'{text}' is not a key (try F1, Enter, Esc, Ctrl-q, +)"
                        ));
                    }
                }
            }
        };
        Ok(Key { code, mods })
    }

    /// The name a person reads in the help overlay and the hint bar.
    pub fn label(&self) -> String {
        let mut out = String::new();
        for (m, name) in [
            (KeyModifiers::CONTROL, "Ctrl-"),
            (KeyModifiers::ALT, "Alt-"),
            (KeyModifiers::SHIFT, "Shift-"),
        ] {
            if self.mods.contains(m) {
                out.push_str(name);
            }
        }
        match self.code {
            KeyCode::F(n) => out += &format!("F{n}"),
            KeyCode::Char(' ') => out += "Space",
            KeyCode::Char(c) => out.push(c),
            KeyCode::Enter => out += "Enter",
            KeyCode::Esc => out += "Esc",
            KeyCode::Backspace => out += "Backspace",
            KeyCode::Delete => out += "Delete",
            KeyCode::Insert => out += "Insert",
            KeyCode::Tab => out += "Tab",
            KeyCode::BackTab => out += "Shift-Tab",
            KeyCode::Up => out += "Up",
            KeyCode::Down => out += "Down",
            KeyCode::Left => out += "Left",
            KeyCode::Right => out += "Right",
            KeyCode::Home => out += "Home",
            KeyCode::End => out += "End",
            KeyCode::PageUp => out += "PageUp",
            KeyCode::PageDown => out += "PageDown",
            other => out += &format!("{other:?}"),
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "F1",
            "F12",
            "Ctrl-q",
            "Enter",
            "Esc",
            "+",
            "/",
            "Backspace",
            "Alt-Shift-Up",
            "Space",
            "Delete",
        ] {
            assert_eq!(Key::parse(name).unwrap().label(), name);
        }
        assert_eq!(Key::parse("ctrl-Q").unwrap(), Key::parse("Ctrl-q").unwrap());
        assert!(Key::parse("F25").is_err());
        assert!(Key::parse("Hyper-x").is_err());
        assert!(Key::parse("ab").is_err());
        assert!(Key::parse("Shift-a").unwrap_err().contains("\"A\""));
        assert_eq!(Key::parse("Shift-Tab").unwrap().code, KeyCode::BackTab);
    }

    #[test]
    fn events_match_parsed_keys() {
        let ev = KeyEvent::new(
            KeyCode::Char('Q'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(Key::from_event(&ev), Key::parse("Ctrl-q").unwrap());
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&plus), Key::parse("+").unwrap());
    }
}
