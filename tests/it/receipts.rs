//! Golden receipts and X/Z reports: the exact ESC/POS bytes of representative
//! receipts and reports are pinned in tests/golden/*.bin, and each is also
//! read back as text into tests/golden/*.txt so a reviewer can see what the
//! paper says. After a deliberate layout change, regenerate with
//! `UPDATE_GOLDEN=1 cargo nextest run receipts::`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rust_decimal::{Decimal, dec};
use till::devices::printer::config::{PrinterConfig, ReceiptConfig};
use till::devices::printer::preview;
use till::devices::printer::receipt::{Buyer, Copy, Layout, drawer_kick};
use till::domain::barcode::VariableMeasureLayout;
use till::domain::discount::Discount;
use till::domain::money::Money;
use till::domain::pricing::PriceRules;
use till::domain::product::{Product, Unit};
use till::domain::receipt::CompletedSale;
use till::domain::refund::{RefundTally, refund_line};
use till::domain::sale::{Line, ReceiptNo, Sale, SaleKind};
use till::domain::shift::{Shift, ShiftClose};
use till::domain::takings::{DayReport, Takings};
use till::domain::tax::TaxMode;
use till::domain::tender::TenderKind;
use till::store::settings::StoreSettings;

const HASH: &str = "9f2c1e0b7a6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3";

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 14, 5, 0)
        .single()
        .expect("time")
}

fn utc(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

fn store(mode: TaxMode) -> StoreSettings {
    StoreSettings {
        store_name: "Café Zoë".into(),
        terminal: "T01".into(),
        public_key: String::new(),
        rules: PriceRules {
            tax_mode: mode,
            ..PriceRules::default()
        },
        measure_layout: VariableMeasureLayout::default(),
        cashier_discount_limit: dec!(10),
        created_at: at(),
    }
}

fn product(sku: &str, name: &str, price: Decimal, tax: &str, unit: Unit) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        price: Money::new(price),
        tax_code: tax.into(),
        unit,
        barcodes: vec![],
        plu: None,
    }
}

fn complete(store: &StoreSettings, receipt: u64, sale: Sale) -> CompletedSale {
    let totals = sale.totals(&store.rules).expect("totals");
    CompletedSale {
        receipt: ReceiptNo(receipt),
        terminal: "T01".into(),
        lane: 1,
        cashier: "cashier".into(),
        completed_at: at(),
        sale,
        totals,
    }
}

fn shop_sale(store: &StoreSettings) -> Sale {
    let mut sale = Sale::new(SaleKind::Sale);
    sale.add_line(Line::from_product(
        &product("pen", "Stylo à bille bleu", dec!(1.49), "std", Unit::Each),
        dec!(3),
    ))
    .expect("line");
    sale.add_line(Line::from_product(
        &product("ban", "Bananas", dec!(1.99), "food", Unit::Kg),
        dec!(1.25),
    ))
    .expect("line");
    sale.add_line(Line::from_product(
        &product(
            "bk",
            "Paperback: Data Reduction",
            dec!(24.50),
            "red",
            Unit::Each,
        ),
        dec!(1),
    ))
    .expect("line");
    sale.set_line_discount(0, Some(Discount::Percent(dec!(10))))
        .expect("discount");
    let _ = store;
    sale
}

fn layout<'a>(
    store: &'a StoreSettings,
    printer: &'a PrinterConfig,
    receipt: &'a ReceiptConfig,
) -> Layout<'a> {
    Layout {
        store,
        printer,
        receipt,
        local: utc,
    }
}

fn receipt_config() -> ReceiptConfig {
    ReceiptConfig {
        header: vec!["12 Rue de la Paix, Lyon".into(), "TVA FR12345678901".into()],
        footer: vec!["Merci ! Thank you!".into()],
        tax_number: Some("FR12345678901".into()),
    }
}

fn printer(columns: u8) -> PrinterConfig {
    PrinterConfig {
        columns,
        ..PrinterConfig::default()
    }
}

/// Compares with the golden files, or writes them when UPDATE_GOLDEN is set.
fn golden(name: &str, bytes: &[u8], columns: u8) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let text = preview::to_text(bytes, usize::from(columns));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(dir.join(format!("{name}.bin")), bytes).expect("write golden");
        std::fs::write(dir.join(format!("{name}.txt")), &text).expect("write golden text");
    }
    let want = std::fs::read(dir.join(format!("{name}.bin")))
        .expect("golden file (UPDATE_GOLDEN=1 makes it)");
    let want_text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).expect("golden text");
    assert_eq!(text, want_text, "{name}: the receipt reads differently");
    assert!(
        bytes == want.as_slice(),
        "{name}: same text, different ESC/POS bytes"
    );
}

#[test]
fn a_58mm_tax_inclusive_cash_sale() {
    let store = store(TaxMode::Inclusive);
    let mut sale = shop_sale(&store);
    sale.tender(TenderKind::Cash, Money::new(dec!(50)), &store.rules)
        .expect("cash");
    let done = complete(&store, 1, sale);
    let (p, r) = (printer(32), receipt_config());
    let bytes = layout(&store, &p, &r)
        .receipt(&done, HASH, Copy::Original, None, true)
        .expect("layout");
    golden("sale_58mm_inclusive_cash", &bytes, 32);
    assert!(
        bytes.ends_with(&drawer_kick(2)),
        "a cash sale opens the drawer, with both pulse times"
    );
    assert!(bytes.contains(&0xd5), "€ in code page 858");
}

#[test]
fn an_80mm_tax_exclusive_split_tender_sale() {
    let store = store(TaxMode::Exclusive);
    let mut sale = shop_sale(&store);
    sale.set_sale_discount(Some(Discount::Amount(Money::new(dec!(2)))))
        .expect("discount");
    sale.tender(TenderKind::Card, Money::new(dec!(20)), &store.rules)
        .expect("card");
    let due = sale.due(TenderKind::Cash, &store.rules).expect("due");
    sale.tender(TenderKind::Cash, due + Money::new(dec!(0.50)), &store.rules)
        .expect("cash");
    let done = complete(&store, 2, sale);
    let (p, r) = (printer(48), receipt_config());
    let bytes = layout(&store, &p, &r)
        .receipt(&done, HASH, Copy::Original, None, true)
        .expect("layout");
    golden("sale_80mm_exclusive_split", &bytes, 48);
}

#[test]
fn a_refund_and_a_duplicate() {
    let store = store(TaxMode::Inclusive);
    let original = paid_by_card(&store, 3);
    let done = cash_refund(&store, &original, 4, 0, dec!(2));
    let (p, r) = (printer(42), receipt_config());
    let l = layout(&store, &p, &r);
    golden(
        "refund_42col",
        &l.receipt(&done, HASH, Copy::Original, None, true)
            .expect("layout"),
        42,
    );
    let dup = l
        .receipt(&original, HASH, Copy::Duplicate, None, false)
        .expect("layout");
    golden("duplicate_42col", &dup, 42);
    assert!(
        !dup.windows(2).any(|w| w == [0x1b, b'p']),
        "a reprint never opens the drawer"
    );
}

#[test]
fn a_b2b_tax_invoice() {
    let store = store(TaxMode::Exclusive);
    let mut sale = shop_sale(&store);
    sale.tender(
        TenderKind::Other,
        sale.due(TenderKind::Other, &store.rules).expect("due"),
        &store.rules,
    )
    .expect("pay");
    let done = complete(&store, 5, sale);
    let buyer = Buyer {
        name: "Boulangerie Dupont SARL".into(),
        tax_number: "FR98765432109".into(),
        address: Some("3 Place Bellecour, Lyon".into()),
    };
    let (p, r) = (printer(48), receipt_config());
    let bytes = layout(&store, &p, &r)
        .receipt(&done, HASH, Copy::Original, Some(&buyer), false)
        .expect("layout");
    golden("invoice_80mm_b2b", &bytes, 48);
    let text = preview::to_text(&bytes, 48);
    assert!(
        text.contains("TAX INVOICE T01-000005")
            && text.contains("Buyer tax no: FR98765432109")
            && text.contains("Seller tax no: FR12345678901")
            && text.contains("3 Place Bellecour, Lyon"),
        "{text}"
    );
}

/// A shift closed at `lane`, `counted` against `expected`.
fn counted(number: u64, lane: u16, counted: Decimal, expected: Decimal) -> Shift {
    Shift {
        number,
        lane,
        opened_by: "cashier".into(),
        opened_at: at(),
        float: Money::new(dec!(100)),
        first_receipt: 1,
        movements: vec![],
        close: Some(ShiftClose {
            counted: Money::new(counted),
            expected: Money::new(expected),
            by: "cashier".into(),
            at: at(),
            last_receipt: 4,
        }),
    }
}

/// The shop's sale, paid in full by card, completed as `receipt`.
fn paid_by_card(store: &StoreSettings, receipt: u64) -> CompletedSale {
    let mut sale = shop_sale(store);
    sale.tender(
        TenderKind::Card,
        sale.due(TenderKind::Card, &store.rules).expect("due"),
        &store.rules,
    )
    .expect("card");
    complete(store, receipt, sale)
}

/// `quantity` of `original`'s line `line` refunded in cash, completed as `receipt`.
fn cash_refund(
    store: &StoreSettings,
    original: &CompletedSale,
    receipt: u64,
    line: usize,
    quantity: rust_decimal::Decimal,
) -> CompletedSale {
    let mut refund = Sale::new(SaleKind::Refund {
        original: original.receipt,
    });
    let tally = RefundTally::for_sale(original);
    refund
        .add_line(
            refund_line(original, &tally, &refund, line, quantity, &store.rules).expect("line"),
        )
        .expect("add");
    refund
        .tender(
            TenderKind::Cash,
            refund.due(TenderKind::Cash, &store.rules).expect("due"),
            &store.rules,
        )
        .expect("out");
    complete(store, receipt, refund)
}

/// The day the report sums: a cash sale and a card sale, a cash refund.
fn day(store: &StoreSettings, z_number: Option<u64>) -> DayReport {
    let mut cash = shop_sale(store);
    cash.tender(TenderKind::Cash, Money::new(dec!(50)), &store.rules)
        .expect("cash");
    let card = paid_by_card(store, 2);
    let refund = cash_refund(store, &card, 3, 2, dec!(1));
    let sales = [complete(store, 1, cash), card, refund];
    let takings = Takings::of(&sales);
    DayReport {
        z_number,
        from_receipt: 1,
        to_receipt: 3,
        at: at(),
        by: "manager".into(),
        grand_total: Money::new(dec!(1000)) + takings.gross,
        takings,
    }
}

/// X and Z reports on paper: the lines the screen shows at the roll's width,
/// each count's difference signed.
#[test]
fn an_x_report_at_42_columns_and_a_z_report_at_32() {
    let store = store(TaxMode::Inclusive);
    let r = receipt_config();
    let shifts = [
        counted(1, 1, dec!(116.51), dec!(100)),
        counted(2, 2, dec!(96.80), dec!(100)),
    ];
    for (name, columns, z) in [
        ("x_report_42col", 42, None),
        ("z_report_32col", 32, Some(7)),
    ] {
        let p = printer(columns);
        let report = day(&store, z);
        let bytes = layout(&store, &p, &r)
            .report(&report, &shifts, Copy::Original)
            .expect("layout");
        golden(name, &bytes, columns);
        let again = layout(&store, &p, &r)
            .report(&report, &shifts, Copy::Duplicate)
            .expect("layout");
        let again = preview::to_text(&again, usize::from(columns));
        assert!(
            again.contains("*** DUPLICATE ***"),
            "a report printed again says so: {again}"
        );
        let text = preview::to_text(&bytes, usize::from(columns));
        assert!(!text.contains("DUPLICATE"), "{text}");
        let lines: Vec<&str> = text.lines().filter(|l| !l.ends_with(" cut")).collect();
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() <= usize::from(columns)),
            "fits the roll: {text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.trim_start().starts_with("over") && l.ends_with(" +16.51"))
                && lines
                    .iter()
                    .any(|l| l.trim_start().starts_with("short") && l.ends_with(" -3.20")),
            "{text}"
        );
        assert!(
            !bytes.windows(2).any(|w| w == [0x1b, b'p']),
            "a report never opens the drawer"
        );
    }
}
