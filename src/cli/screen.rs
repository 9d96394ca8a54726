//! `till` with no subcommand: the till screen on the store, in this process.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::args::ScreenArgs;
use super::logging;
use crate::engine::Engine;
use crate::store::Store;
use crate::ui::app::App;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;
use crate::ui::tui;
use crate::ui::wedge::WedgeConfig;

pub fn run(data: &Path, args: &ScreenArgs) -> Result<()> {
    logging::to_file(&args.log.clone().unwrap_or_else(|| data.join("till.log")))?;
    let mut engine = Engine::new(Store::open(data)?)?;
    let (keymap, keymap_error) = Keymap::load(args.keymap.as_deref());
    let (theme, theme_error) = Theme::load(args.theme.as_deref());
    let wedge = WedgeConfig {
        max_gap: Duration::from_millis(args.wedge_gap_ms),
        min_len: args.wedge_min_len,
    };
    let mut app = App::new(&mut engine, keymap, theme, wedge, args.lane);
    // A broken file never stops the till: it starts on the shipped default and says why.
    let problems: Vec<String> = [keymap_error, theme_error]
        .into_iter()
        .flatten()
        .map(|e| e.to_string())
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            tracing::warn!("{p}; using the shipped default");
        }
        app.error(format!(
            "{}; using the shipped default",
            problems.join("; ")
        ));
    }
    tui::run(&mut app)
}
