//! Property tests of the engine: random command sequences from a cashier and
//! a manager on their own lanes, valid or not, never break an invariant:
//! - every cart the engine reports totals as the domain's rules total it;
//! - a refused command changes nothing on its lane;
//! - a cashier is refused what only a manager may do, and a refused price
//!   change leaves the price as it was;
//! - a completed sale is fully paid, and receipts number on by one;
//! - stock moves by exactly what was sold, refunded or adjusted;
//! - the journal verifies after the whole sequence.

use crate::common;

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use till::domain::discount::Discount;
use till::domain::money::Money;
use till::domain::tender::TenderKind;
use till::domain::user::Role;
use till::engine::{Command, Event};
use till::store::carts::CartRead;

/// Codes of the demo catalog: three pieces, a weighed PLU, a bad check digit.
const CODES: [(&str, &str); 5] = [
    ("4006381333931", "pen"),
    ("5901234123457", "choc"),
    ("9780306406157", "book"),
    ("4011", "plu4011"),
    ("4006381333932", ""),
];
const SKUS: [&str; 4] = ["pen", "choc", "book", "plu4011"];

fn cents(c: i64) -> Money {
    Money::new(Decimal::new(c, 2))
}

fn command() -> impl Strategy<Value = Command> {
    let line = 0usize..4;
    prop_oneof![
        4 => (0usize..CODES.len(), 1i64..4).prop_map(|(i, q)| Command::Scan {
            code: CODES[i].0.to_string(),
            // The PLU is weighed: a weight, in kg.
            quantity: Some(if i == 3 { Decimal::new(q * 250, 3) } else { Decimal::from(q) }),
        }),
        1 => (line.clone(), 0i64..4).prop_map(|(line, q)| Command::SetQuantity {
            line,
            quantity: Decimal::from(q),
        }),
        1 => line.clone().prop_map(|line| Command::VoidLine { line }),
        1 => (line.clone(), 0i64..40).prop_map(|(line, p)| Command::LineDiscount {
            line,
            discount: Some(Discount::Percent(Decimal::from(p))),
            approval: None,
        }),
        1 => (0i64..300).prop_map(|c| Command::SaleDiscount {
            discount: Some(Discount::Amount(cents(c))),
            approval: None,
        }),
        3 => prop_oneof![
            Just(Command::Tender { kind: TenderKind::Card, amount: None }),
            Just(Command::Tender { kind: TenderKind::Cash, amount: None }),
            (1i64..5000).prop_map(|c| Command::Tender { kind: TenderKind::Cash, amount: Some(cents(c)) }),
            (1i64..1000).prop_map(|c| Command::Tender { kind: TenderKind::Other, amount: Some(cents(c)) }),
        ],
        1 => Just(Command::VoidSale { approval: None }),
        1 => (1u64..5).prop_map(|receipt| Command::StartRefund { receipt, approval: None }),
        1 => (line.clone(), 1i64..3).prop_map(|(line, q)| Command::RefundLine {
            line,
            quantity: Decimal::from(q),
        }),
        1 => Just(Command::Hold),
        1 => (1u64..4).prop_map(|id| Command::Recall { id }),
        1 => (0usize..SKUS.len(), 1i64..900).prop_map(|(i, c)| Command::SetPrice {
            sku: SKUS[i].to_string(),
            price: cents(c),
        }),
        1 => (0usize..SKUS.len(), -3i64..4).prop_map(|(i, d)| Command::AdjustStock {
            sku: SKUS[i].to_string(),
            delta: Decimal::from(d),
            reason: "counted".into(),
        }),
        1 => Just(Command::NoSale { approval: None }),
        1 => Just(Command::AddUser { name: "eve".into(), role: Role::Admin, pin: "4242".into() }),
    ]
}

/// What only a manager may do without an approval.
fn managers_only(command: &Command) -> bool {
    matches!(
        command,
        Command::SetPrice { .. }
            | Command::NoSale { .. }
            | Command::AddUser { .. }
            | Command::StartRefund { .. }
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_every_invariant(
        steps in proptest::collection::vec((any::<bool>(), command()), 1..60)
    ) {
        let (_dir, data) = common::demo_store();
        let mut engine = common::engine(&data);
        let rules = engine.settings().rules.clone();
        let cashier = engine.login("cashier", "1111", 1).expect("cashier");
        let manager = engine.login("manager", "9999", 2).expect("manager");
        let mut stock: BTreeMap<&str, Decimal> = SKUS
            .iter()
            .map(|sku| (*sku, engine.store().stock(sku).expect("stock").on_hand))
            .collect();
        let mut last_receipt = 0u64;
        for (i, (by_manager, command)) in steps.into_iter().enumerate() {
            let (session, lane) = if by_manager { (manager, 2) } else { (cashier, 1) };
            let cart_before = engine.store().cart(lane, CartRead::Show).expect("cart");
            let prices_before: Vec<Money> = SKUS
                .iter()
                .map(|s| engine.store().product(s).expect("read").expect("product").price)
                .collect();
            let adjusting = match &command {
                Command::AdjustStock { sku, delta, .. } => Some((sku.clone(), *delta)),
                _ => None,
            };
            let refused_to_cashier = !by_manager && managers_only(&command);
            let outcome = engine.execute(session, command.clone());
            let at = format!("step {i}: {command:?} by {}", if by_manager { "manager" } else { "cashier" });
            match outcome {
                Err(e) => {
                    prop_assert_eq!(&engine.store().cart(lane, CartRead::Show).expect("cart"), &cart_before, "{}: refused ({}) but the cart changed", at, e);
                    let prices: Vec<Money> = SKUS
                        .iter()
                        .map(|s| engine.store().product(s).expect("read").expect("product").price)
                        .collect();
                    prop_assert_eq!(&prices, &prices_before, "{}: refused ({}) but a price changed", at, e);
                }
                Ok(events) => {
                    prop_assert!(!refused_to_cashier, "{}: a cashier was allowed it", at);
                    if let Some((sku, delta)) = adjusting {
                        *stock.get_mut(sku.as_str()).expect("known sku") += delta;
                    }
                    for event in events {
                        match event {
                            Event::Cart { sale, totals } => {
                                prop_assert_eq!(&sale.totals(&rules).expect("totals"), &*totals, "{}: cart figures", at);
                            }
                            Event::Completed { sale, change } => {
                                prop_assert_eq!(sale.receipt.0, last_receipt + 1, "{}: receipt number", at);
                                last_receipt = sale.receipt.0;
                                prop_assert!(sale.totals.remaining.is_zero(), "{}: completed with {:?} unpaid", at, sale.totals.remaining);
                                prop_assert!(!change.is_negative(), "{}: negative change", at);
                                for line in sale.sale.lines.iter().filter(|l| !l.voided) {
                                    let level = stock.get_mut(line.sku.as_str()).expect("known sku");
                                    if sale.sale.is_refund() {
                                        *level += line.quantity;
                                    } else {
                                        *level -= line.quantity;
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            for (sku, expected) in &stock {
                let on_hand = engine.store().stock(sku).expect("stock").on_hand;
                prop_assert_eq!(on_hand, *expected, "{}: stock of {}", at, sku);
            }
        }
        engine.store().verify_journal().expect("the journal verifies");
    }
}
