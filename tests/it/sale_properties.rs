//! Property tests of the sale arithmetic: the parts always make the total,
//! in both tax modes, without drift, and payments and refunds stay in bounds.

use chrono::Utc;
use proptest::prelude::*;
use rust_decimal::Decimal;
use till::domain::discount::Discount;
use till::domain::money::Money;
use till::domain::pricing::PriceRules;
use till::domain::product::Unit;
use till::domain::receipt::CompletedSale;
use till::domain::refund::{RefundTally, refund_line};
use till::domain::sale::{Line, ReceiptNo, Sale, SaleKind, SaleState};
use till::domain::tax::TaxMode;
use till::domain::tender::TenderKind;

const TAX_CODES: [&str; 4] = ["std", "red", "food", "zero"];

fn cents(c: i64) -> Money {
    Money::new(Decimal::new(c, 2))
}

fn line_strategy() -> impl Strategy<Value = Line> {
    (
        1i64..100_000,
        prop_oneof![
            (1i64..20).prop_map(|q| (Unit::Each, Decimal::from(q))),
            (1i64..5_000).prop_map(|g| (Unit::Kg, Decimal::new(g, 3)))
        ],
        0usize..4,
        prop_oneof![
            Just(None),
            (0i64..=100).prop_map(|p| Some(Discount::Percent(Decimal::from(p)))),
            (0i64..5_000).prop_map(|c| Some(Discount::Amount(cents(c)))),
        ],
    )
        .prop_map(|(price, (unit, quantity), tax, discount)| Line {
            sku: format!("sku{price}"),
            name: "item".into(),
            unit,
            unit_price: cents(price),
            quantity,
            tax_code: TAX_CODES[tax].into(),
            discount,
            voided: false,
            refund_of: None,
        })
}

/// `quantity` pieces of `sku` at the standard rate, with `discount`.
fn each(sku: &str, unit_price: Money, quantity: i64, discount: Discount) -> Line {
    Line {
        sku: sku.into(),
        name: sku.into(),
        unit: Unit::Each,
        unit_price,
        quantity: Decimal::from(quantity),
        tax_code: "std".into(),
        discount: Some(discount),
        voided: false,
        refund_of: None,
    }
}

fn rules(mode: TaxMode) -> PriceRules {
    PriceRules {
        tax_mode: mode,
        ..PriceRules::default()
    }
}

fn mode_strategy() -> impl Strategy<Value = TaxMode> {
    prop_oneof![Just(TaxMode::Inclusive), Just(TaxMode::Exclusive)]
}

fn sale_of(lines: Vec<Line>, discount: Option<Discount>) -> Sale {
    let mut sale = Sale::new(SaleKind::Sale);
    for line in lines {
        sale.add_line(line).expect("valid line");
    }
    sale.set_sale_discount(discount).expect("valid discount");
    sale
}

fn in_cents(m: Money) -> bool {
    m.amount().normalize().scale() <= 2
}

proptest! {
    #[test]
    fn parts_always_make_the_total(
        lines in prop::collection::vec(line_strategy(), 1..40),
        sale_pct in prop::option::of(0i64..=100),
        mode in mode_strategy(),
    ) {
        let rules = rules(mode);
        let sale = sale_of(lines, sale_pct.map(|p| Discount::Percent(Decimal::from(p))));
        let t = sale.totals(&rules).expect("totals");
        let line_gross: Money = t.lines.iter().map(|l| l.split.gross).sum();
        prop_assert_eq!(line_gross, t.total);
        prop_assert_eq!(t.tax.total_gross(), t.total);
        let line_tax: Money = t.lines.iter().map(|l| l.split.tax).sum();
        prop_assert_eq!(t.tax.total_tax(), line_tax);
        for tax in &t.tax.lines {
            prop_assert_eq!(tax.net + tax.tax, tax.gross);
        }
        for l in &t.lines {
            prop_assert!(in_cents(l.split.gross) && in_cents(l.split.tax) && in_cents(l.split.net));
            prop_assert!(!l.split.gross.is_negative(), "a discount made a line negative: {:?}", l);
            prop_assert_eq!(l.before_discount - l.line_discount - l.sale_discount, l.amount);
        }
        prop_assert_eq!(t.subtotal - t.discount, t.lines.iter().map(|l| l.amount).sum::<Money>());
        if mode == TaxMode::Inclusive {
            prop_assert_eq!(t.total, t.subtotal - t.discount);
        }
    }

    #[test]
    fn no_drift_over_many_identical_lines(line in line_strategy(), n in 1usize..=till::domain::limits::MAX_CART_LINES, mode in mode_strategy()) {
        let rules = rules(mode);
        let one = sale_of(vec![line.clone()], None).totals(&rules).expect("totals");
        let many = sale_of(vec![line; n], None).totals(&rules).expect("totals");
        let n = Decimal::from(n as u64);
        prop_assert_eq!(many.total, one.total.times(n));
        prop_assert_eq!(many.tax.total_tax(), one.tax.total_tax().times(n));
    }

    #[test]
    fn change_is_never_negative_and_only_from_cash(
        lines in prop::collection::vec(line_strategy(), 1..10),
        card_part in 0i64..100_000,
        cash_extra in 0i64..10_000,
        mode in mode_strategy(),
    ) {
        let rules = rules(mode);
        let mut sale = sale_of(lines, None);
        let total = sale.totals(&rules).expect("totals").total;
        prop_assume!(!total.is_zero());
        let card = cents(card_part).min(total);
        if card > total {
            prop_assert!(sale.tender(TenderKind::Card, card + cents(1), &rules).is_err());
        }
        if !card.is_zero() {
            sale.tender(TenderKind::Card, card, &rules).expect("card within the total");
        }
        if sale.state != SaleState::Completed {
            let over_card = sale.tender(TenderKind::Card, total + cents(1), &rules);
            prop_assert!(over_card.is_err(), "card paid more than due");
            let due = sale.due(TenderKind::Cash, &rules).expect("due");
            sale.tender(TenderKind::Cash, due + cents(cash_extra), &rules).expect("cash");
            prop_assert_eq!(sale.change, cents(cash_extra));
        }
        prop_assert_eq!(sale.state, SaleState::Completed);
        prop_assert!(!sale.change.is_negative());
        let t = sale.totals(&rules).expect("totals");
        prop_assert_eq!(t.paid, t.total);
        prop_assert!(t.remaining.is_zero());
    }

    #[test]
    fn refunds_never_exceed_the_sale(
        lines in prop::collection::vec(line_strategy(), 1..6),
        sale_pct in prop::option::of(0i64..=50),
        picks in prop::collection::vec((0usize..6, 1i64..5), 1..20),
        mode in mode_strategy(),
    ) {
        let rules = rules(mode);
        let sale = sale_of(lines, sale_pct.map(|p| Discount::Percent(Decimal::from(p))));
        let totals = sale.totals(&rules).expect("totals");
        let original = CompletedSale {
            receipt: ReceiptNo(1),
            terminal: "T01".into(),
        lane: 1,
            cashier: "c".into(),
            completed_at: Utc::now(),
            sale: sale.clone(),
            totals: totals.clone(),
        };
        let mut tally = RefundTally::for_sale(&original);
        for (line, parts) in picks {
            let line = line % sale.lines.len();
            let sold = sale.lines[line].quantity;
            // Refund in steps of a fraction of the line, sometimes too much.
            let qty = (sold / Decimal::from(parts)).round_dp(3).max(Decimal::new(1, 3));
            let qty = if sale.lines[line].unit == Unit::Each { qty.ceil() } else { qty };
            let mut refund = Sale::new(SaleKind::Refund { original: ReceiptNo(1) });
            match refund_line(&original, &tally, &refund, line, qty, &rules) {
                Ok(l) => {
                    refund.add_line(l).expect("refund line");
                    let t = refund.totals(&rules).expect("refund totals");
                    let r = refund.lines[0].refund_of.expect("refund line");
                    prop_assert_eq!(t.total, r.gross, "a refund pays out exactly its lines");
                    prop_assert_eq!(t.tax.total_tax(), r.tax);
                    tally.record(&refund);
                }
                Err(_) => prop_assert!(tally.quantity[line] + qty > sold, "refused a refund that fits"),
            }
        }
        for t in &totals.lines {
            prop_assert!(tally.quantity[t.line] <= sale.lines[t.line].quantity);
            let (gross, tax) = (tally.gross[t.line], tally.tax[t.line]);
            prop_assert!(gross <= t.split.gross, "refunded {} of {}", gross, t.split.gross);
            prop_assert!(tax <= t.split.tax, "refunded tax {} of {}", tax, t.split.tax);
            if tally.quantity[t.line] == sale.lines[t.line].quantity {
                prop_assert_eq!(gross, t.split.gross);
                prop_assert_eq!(tax, t.split.tax);
            }
        }
    }
}

/// A line of 7 pieces that cost 0.05 in all, refunded piece by piece, gives
/// back 0.05 in all: rounding each piece on its own would give 0.07.
#[test]
fn piece_by_piece_refunds_add_up_to_the_price() {
    let rules = rules(TaxMode::Inclusive);
    let line = each("nail", cents(1), 7, Discount::Amount(cents(2)));
    let sale = sale_of(vec![line], None);
    let totals = sale.totals(&rules).expect("totals");
    assert_eq!(totals.total, cents(5));
    let original = CompletedSale {
        receipt: ReceiptNo(1),
        terminal: "T01".into(),
        lane: 1,
        cashier: "c".into(),
        completed_at: Utc::now(),
        sale,
        totals,
    };
    let mut tally = RefundTally::for_sale(&original);
    let mut paid_back = Money::ZERO;
    for _ in 0..7 {
        let mut refund = Sale::new(SaleKind::Refund {
            original: ReceiptNo(1),
        });
        let l =
            refund_line(&original, &tally, &refund, 0, Decimal::ONE, &rules).expect("one piece");
        refund.add_line(l).expect("add");
        paid_back += refund.totals(&rules).expect("totals").total;
        tally.record(&refund);
    }
    assert_eq!(paid_back, cents(5));
    assert_eq!(tally.overrun(&original), None);
    let refund = Sale::new(SaleKind::Refund {
        original: ReceiptNo(1),
    });
    assert!(
        refund_line(&original, &tally, &refund, 0, Decimal::ONE, &rules).is_err(),
        "an eighth piece"
    );
}

/// The figures' text is what the store keeps and the journal hashes, so
/// working them out faster must not change it: a line given away whole
/// comes to "0" (a decimal's scale follows its arithmetic, 0.00 - 0 is 0),
/// as every sale stored so far says, with and without a sale discount.
#[test]
fn a_line_given_away_is_stored_as_it_always_was() {
    let rules = rules(TaxMode::Inclusive);
    let given = each("gift", cents(250), 1, Discount::Percent(Decimal::from(100)));
    for sale_discount in [None, Some(Discount::Percent(Decimal::from(10)))] {
        let sale = sale_of(vec![given.clone()], sale_discount);
        let line = &sale.totals(&rules).expect("totals").lines[0];
        let text = |m: Money| serde_json::to_string(&m).expect("json");
        assert_eq!(text(line.amount), "\"0\"", "{sale_discount:?}");
        assert_eq!(text(line.split.gross), "\"0\"", "{sale_discount:?}");
    }
}
