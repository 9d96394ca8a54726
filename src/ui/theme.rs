//! Themes: the style of each part of the screen, read from TOML.
//!
//! A theme file has one `[styles]` table of `role = "style"`, where a style is
//! words such as `"bold white on blue"`: an optional foreground colour, `on`
//! and a background colour, and modifiers (bold, dim, italic, underlined,
//! reversed). Colours are the 16 terminal colours by name (`black`, `red`, …,
//! `lightcyan`, `white`, `gray`, `darkgray`), `default`, a number 0-255 or
//! `#rrggbb`. A chosen theme is laid over the shipped default role by role.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};

use crate::textfile::{ConfigError, ConfigFile};

/// The longest style: "bold italic underlined #rrggbb on #rrggbb" is 41
/// bytes; anything far past that is not a style.
pub const MAX_STYLE: usize = 100;

pub const SHIPPED: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

macro_rules! roles {
    ($($role:ident: $doc:literal,)*) => {
        /// One style per part of the screen.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct Theme { $(#[doc = $doc] pub $role: Style,)* }

        impl Theme {
            const ROLES: &'static [&'static str] = &[$(stringify!($role)),*];

            fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name { $(stringify!($role) => Some(&mut self.$role),)* _ => None }
            }
        }
    };
}

roles! {
    text: "ordinary text",
    muted: "secondary text: column heads, hints",
    title: "screen and panel titles",
    border: "panel borders",
    accent: "totals and amounts that matter",
    selection: "the selected row",
    input: "the line the cashier types on",
    error: "refusals and warnings",
    success: "completed sales, change due",
    status: "the status bar",
    key: "key names in the hint bar",
}

impl Theme {
    pub fn shipped_default() -> Theme {
        let mut theme = Theme::default();
        if let Ok(file) = ConfigFile::parse("themes/default.toml", SHIPPED[0].1) {
            // Broken shipped files are caught by the tests, never at a till.
            let _ = theme.apply(&file);
        }
        theme
    }

    /// The default with `choice` (a shipped name or a file path) laid over it;
    /// on error, the shipped default and the error to show.
    pub fn load(choice: Option<&str>) -> (Theme, Option<ConfigError>) {
        let base = Theme::shipped_default();
        let Some(choice) = choice else {
            return (base, None);
        };
        let file = match SHIPPED.iter().find(|(name, _)| *name == choice) {
            Some((name, text)) => ConfigFile::parse(&format!("themes/{name}.toml"), text),
            None => ConfigFile::read(Path::new(choice)),
        };
        let mut theme = base;
        match file.and_then(|f| theme.apply(&f)) {
            Ok(()) => (theme, None),
            Err(e) => (base, Some(e)),
        }
    }

    pub fn apply(&mut self, file: &ConfigFile) -> Result<(), ConfigError> {
        for (section, value) in &file.table {
            if section != "styles" {
                return Err(file.error(
                    "",
                    section,
                    format!("unknown section [{section}]: a theme has only [styles]"),
                ));
            }
            let Some(table) = value.as_table() else {
                return Err(file.error("", section, "'styles' must be a [styles] section".into()));
            };
            for (role, style) in table {
                let err = |message: String| file.error("styles", role, message);
                let slot = self.role_mut(role).ok_or_else(|| {
                    err(format!(
                        "unknown role '{role}' (known: {})",
                        Theme::ROLES.join(", ")
                    ))
                })?;
                let text = style.as_str().ok_or_else(|| {
                    err("a style is a string such as \"bold white on blue\"".into())
                })?;
                if text.len() > MAX_STYLE {
                    return Err(err(format!(
                        "a style is at most {MAX_STYLE} bytes (this one is {})",
                        text.len()
                    )));
                }
                *slot = parse_style(text).map_err(err)?;
            }
        }
        Ok(())
    }
}

fn parse_style(text: &str) -> Result<Style, String> {
    let mut style = Style::default();
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        let modifier = match lower.as_str() {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underlined" => Some(Modifier::UNDERLINED),
            "reversed" => Some(Modifier::REVERSED),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
        } else if lower == "on" {
            let bg = words
                .next()
                .ok_or_else(|| format!("'{text}': 'on' needs a colour after it"))?;
            style = style.bg(parse_color(bg)?);
        } else {
            style = style.fg(parse_color(word)?);
        }
    }
    Ok(style)
}

fn parse_color(word: &str) -> Result<Color, String> {
    let lower = word.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "default" | "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        hex if hex.len() == 7 && hex.starts_with('#') => {
            let v = u32::from_str_radix(&hex[1..], 16).map_err(|_| format!("'{word}' is not a #rrggbb colour"))?;
            Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
        }
        n => Color::Indexed(n.parse().map_err(|_| {
            format!("'{word}' is not a colour (use a name such as white or lightcyan, 0-255, or #rrggbb)")
        })?),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_parses_and_sets_every_role() {
        for (name, text) in SHIPPED {
            let file = ConfigFile::parse(name, text).unwrap();
            let mut theme = Theme::default();
            theme.apply(&file).unwrap();
            let table = file.table["styles"].as_table().unwrap();
            for role in Theme::ROLES {
                assert!(table.contains_key(*role), "{name} does not set {role}");
            }
        }
    }

    #[test]
    fn mono_uses_no_colour_at_all() {
        let (mono, err) = Theme::load(Some("mono"));
        assert!(err.is_none());
        for role in Theme::ROLES {
            let mut probe = mono;
            let style = *probe.role_mut(role).unwrap();
            for c in [style.fg, style.bg].into_iter().flatten() {
                assert_eq!(c, Color::Reset, "{role}: mono sets no colour at all");
            }
        }
    }

    #[test]
    fn styles_parse_and_mistakes_name_the_line() {
        assert_eq!(
            parse_style("bold white on blue").unwrap(),
            Style::default()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(
            parse_style("#ff8000").unwrap(),
            Style::default().fg(Color::Rgb(255, 128, 0))
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "[styles]\ntext = \"white\"\nerror = \"bold purple\"\n",
        )
        .unwrap();
        let (theme, err) = Theme::load(path.to_str());
        let err = err.unwrap();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("'purple' is not a colour"), "{err}");
        assert_eq!(theme, Theme::shipped_default());
        std::fs::write(&path, "[styles]\nbackground = \"white\"\n").unwrap();
        assert!(
            Theme::load(path.to_str())
                .1
                .unwrap()
                .message
                .contains("unknown role 'background'")
        );
        let huge = format!("[styles]\n\ntext = \"{}\"\n", "bold ".repeat(2_000_000));
        std::fs::write(&path, huge).unwrap();
        let err = Theme::load(path.to_str()).1.unwrap();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: it is", path.display())),
            "a 10 MB theme is refused by its size: {err}"
        );
        let long = format!("[styles]\n\ntext = \"{}\"\n", "bold ".repeat(100));
        std::fs::write(&path, long).unwrap();
        let err = Theme::load(path.to_str()).1.unwrap();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("at most 100 bytes"), "{err}");
    }
}
