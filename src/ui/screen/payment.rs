//! Taking payment (or paying a refund out): the typed amount, or all that is
//! due, in cash, by card or otherwise. The engine says what is still due and
//! what change to give.

use super::{Screen, refund};
use crate::domain::sale::SaleKind;
use crate::domain::tender::TenderKind;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;

pub const INPUT: &str = " Amount (Enter: cash, empty: exact) ";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::Submit,
    Action::PayCard,
    Action::PayOther,
    Action::Back,
];

pub fn title(app: &App) -> &'static str {
    if app.cart.as_ref().is_some_and(|(s, _)| s.is_refund()) {
        "PAY OUT REFUND"
    } else {
        "PAYMENT"
    }
}

/// From the sale or the refund: pay, once there is something to pay.
pub fn open(app: &mut App) {
    match &app.cart {
        Some((_, totals)) if !totals.lines.is_empty() => {
            app.input.clear();
            app.screen = Screen::Payment;
        }
        _ => app.info("nothing to pay yet: scan an item"),
    }
}

pub fn act(app: &mut App, action: Action) {
    let kind = match action {
        Action::Submit => TenderKind::Cash,
        Action::PayCard => TenderKind::Card,
        Action::PayOther => TenderKind::Other,
        Action::Erase => {
            app.input.pop();
            return;
        }
        Action::Back if !app.input.is_empty() => return app.input.clear(),
        Action::Back => return back(app),
        _ => return,
    };
    let amount = match app.input.trim() {
        "" => None,
        text => match app.currency().parse(text) {
            Ok(a) => Some(a),
            Err(e) => return app.error(e.to_string()),
        },
    };
    app.run_typed(Command::Tender { kind, amount });
}

/// Back to the sale, or to the receipt being refunded.
fn back(app: &mut App) {
    let kind = app
        .cart
        .as_ref()
        .map(|(sale, _)| sale.kind)
        .unwrap_or(SaleKind::Sale);
    app.screen = match kind {
        SaleKind::Refund { original } => refund::view(app, original.0).unwrap_or(Screen::Sale),
        SaleKind::Sale => Screen::Sale,
    };
}
