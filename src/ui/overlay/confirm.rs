//! Questions before something that cannot be undone, or that is rarely
//! meant: "Void this sale?" (one key must never throw a whole sale away),
//! "Add 1000 of it?" (a quantity past what a till usually sees), "Take the
//! Z with a sale open on lane 2?". Enter
//! sends the command; any other key keeps things as they are.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::Overlay;
use crate::domain::money::Money;
use crate::domain::tender::TenderKind;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::{centered, panel};

/// The popup's width; its height is what the question wraps to.
const WIDTH: u16 = 60;

/// Asks before voiding the open sale or refund, with what it comes to and
/// what was already paid that must go back.
pub fn void_sale(app: &mut App) {
    let what = match &app.cart {
        Some((sale, totals)) if sale.is_refund() => format!(
            "Void this refund of {}?",
            app.currency().format(totals.total)
        ),
        Some((_, totals)) => format!("Void this sale of {}?", app.currency().format(totals.total)),
        None => return,
    };
    let back = give_back(app)
        .map(|b| format!(" Then {b}."))
        .unwrap_or_default();
    ask(
        app,
        format!("{what}{back}"),
        "void it",
        Command::VoidSale { approval: None },
        "nothing was voided",
    );
}

/// Asks before a Z report while sales are open on a lane, naming each
/// (`refusal` is the engine's words); Enter takes `z` anyway.
pub fn z_despite_open_sales(app: &mut App, refusal: &str, z: Command) {
    ask(
        app,
        format!("{refusal}."),
        "take the Z now",
        z,
        "no Z was taken",
    );
}

/// Puts the question up: `yes` is what Enter does, anything else keeps
/// things as they are and says `declined`.
pub fn ask(app: &mut App, question: String, yes: &str, command: Command, declined: &'static str) {
    let keys = app.keymap.label(Action::Submit);
    app.overlay = Some(Overlay::Confirm {
        question: format!("{question} {keys}: {yes}, any other key: keep it"),
        command,
        declined,
    });
}

/// What was paid into the open sale (or paid out of the open refund), and
/// how each part goes back once it is voided. The engine journals the void
/// with its payments, but money in a customer's hand or on their card moves
/// only when the cashier moves it: a card payment is reversed on the card
/// terminal, which the till does not drive.
pub fn give_back(app: &App) -> Option<String> {
    let (sale, _) = app.cart.as_ref()?;
    let mut paid: BTreeMap<TenderKind, Money> = BTreeMap::new();
    for t in &sale.tenders {
        *paid.entry(t.kind).or_insert(Money::ZERO) += t.amount;
    }
    let refund = sale.is_refund();
    let parts: Vec<String> = paid
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(kind, amount)| {
            let how = match (refund, kind) {
                (false, TenderKind::Cash) => "from the drawer",
                (false, TenderKind::Card) => "reverse it on the card terminal",
                (false, TenderKind::Other) => "the way it was paid",
                (true, TenderKind::Cash) => "back into the drawer",
                (true, TenderKind::Card) => "charge it again on the card terminal",
                (true, TenderKind::Other) => "the way it was paid out",
            };
            format!("{} {kind} ({how})", app.currency().format(*amount))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let what = if refund {
        "take back what was paid out"
    } else {
        "give back what was paid"
    };
    Some(format!("{what}: {}", parts.join(", ")))
}

pub(super) fn press(app: &mut App, command: Command, action: Option<Action>, declined: &str) {
    if action == Some(Action::Submit) {
        app.run_typed(command);
    } else {
        // Declined: what was typed stays to read, and the next key replaces it.
        app.select_input();
        app.info(declined.to_string());
    }
}

pub(super) fn draw(frame: &mut Frame, app: &App, question: &str, area: Rect) {
    let text = Paragraph::new(format!(" {question}"))
        .style(app.theme.accent)
        .wrap(Default::default());
    let height = text.line_count(WIDTH - 2) as u16 + 2;
    let popup = centered(area, WIDTH, height.max(5));
    frame.render_widget(Clear, popup);
    frame.render_widget(text.block(panel(app, " Confirm ")), popup);
}
