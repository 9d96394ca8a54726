//! "Void this sale?": one key must never throw a whole sale away. Enter
//! sends the command; any other key keeps the sale.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::Overlay;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::{centered, panel};

/// Asks before voiding the open sale or refund, with what it comes to.
pub fn void_sale(app: &mut App) {
    let what = match &app.cart {
        Some((sale, totals)) if sale.is_refund() => format!(
            "Void this refund of {}?",
            app.currency().format(totals.total)
        ),
        Some((_, totals)) => format!("Void this sale of {}?", app.currency().format(totals.total)),
        None => return,
    };
    let keys = app.keymap.label(Action::Submit);
    app.overlay = Some(Overlay::Confirm {
        question: format!("{what} {keys}: void it, any other key: keep it"),
        command: Command::VoidSale { approval: None },
        declined: "nothing was voided",
    });
}

/// Asks before a Z report while sales are open on a lane, naming each
/// (`refusal` is the engine's words); Enter takes `z` anyway.
pub fn z_despite_open_sales(app: &mut App, refusal: &str, z: Command) {
    let keys = app.keymap.label(Action::Submit);
    app.overlay = Some(Overlay::Confirm {
        question: format!("{refusal}. {keys}: take the Z now, any other key: not yet"),
        command: z,
        declined: "no Z was taken",
    });
}

pub(super) fn press(app: &mut App, command: Command, action: Option<Action>, declined: &str) {
    if action == Some(Action::Submit) {
        app.run(command);
    } else {
        app.info(declined.to_string());
    }
}

pub(super) fn draw(frame: &mut Frame, app: &App, question: &str, area: Rect) {
    // Tall enough for the whole question (a Z may name several lanes).
    let rows = question.chars().count() / 56 + 1;
    let popup = centered(area, 60, u16::try_from(rows.max(3) + 2).unwrap_or(u16::MAX));
    frame.render_widget(Clear, popup);
    let block = panel(app, " Confirm ");
    let text = Paragraph::new(format!(" {question}"))
        .style(app.theme.accent)
        .block(block)
        .wrap(Default::default());
    frame.render_widget(text, popup);
}
