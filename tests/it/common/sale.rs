//! The steps of a sale as the tests take them, for the engine in this process
//! and a daemon's client alike (both are `TillApi`): a test says `scan(PEN)`
//! and `pay(TenderKind::Card, None)` instead of spelling out the commands.

use rust_decimal::Decimal;
use till::domain::money::Money;
use till::domain::tender::TenderKind;
use till::engine::api::TillApi;
use till::engine::{Command, Event, SessionId};

/// The demo store's STABILO point 88 (1.49), the item most tests sell.
pub const PEN: &str = "4006381333931";

/// Scanning `code` once.
pub fn scan(code: &str) -> Command {
    Command::Scan {
        code: code.into(),
        quantity: None,
    }
}

/// Scanning `quantity` of `code` (`3*code` at the till; a weight for a PLU).
pub fn scan_of(code: &str, quantity: Decimal) -> Command {
    Command::Scan {
        code: code.into(),
        quantity: Some(quantity),
    }
}

/// Paying by `kind`: `amount`, or what is due when `None`.
pub fn pay(kind: TenderKind, amount: Option<Decimal>) -> Command {
    Command::Tender {
        kind,
        amount: amount.map(Money::new),
    }
}

/// One `code` rung up and paid by `kind`, exactly; the payment's events.
pub fn sell(
    till: &mut impl TillApi,
    session: SessionId,
    code: &str,
    kind: TenderKind,
) -> Vec<Event> {
    till.execute(session, scan(code)).expect("scan");
    till.execute(session, pay(kind, None)).expect("pay")
}

/// `n` sales of one pen each, paid by card.
pub fn sell_pens(till: &mut impl TillApi, session: SessionId, n: usize) {
    for _ in 0..n {
        sell(till, session, PEN, TenderKind::Card);
    }
}
