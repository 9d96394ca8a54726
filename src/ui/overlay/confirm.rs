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
    });
}

pub(super) fn press(app: &mut App, command: Command, action: Option<Action>) {
    if action == Some(Action::Submit) {
        app.run(command);
    } else {
        app.info("nothing was voided");
    }
}

pub(super) fn draw(frame: &mut Frame, app: &App, question: &str, area: Rect) {
    let popup = centered(area, 60, 5);
    frame.render_widget(Clear, popup);
    let block = panel(app, " Confirm ");
    let text = Paragraph::new(format!(" {question}"))
        .style(app.theme.accent)
        .block(block)
        .wrap(Default::default());
    frame.render_widget(text, popup);
}
