//! Any sale a till could complete (names in any script, prices, weights,
//! discounts, both tax modes, every paper width, with or without a buyer):
//! laid out as ESC/POS bytes without an error or a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use till::devices::printer::config::{PrinterConfig, ReceiptConfig};
use till::devices::printer::receipt::{Buyer, Copy, Layout};
use till::domain::barcode::VariableMeasureLayout;
use till::domain::discount::Discount;
use till::domain::money::Money;
use till::domain::pricing::PriceRules;
use till::domain::product::{Product, Unit};
use till::domain::receipt::CompletedSale;
use till::domain::sale::{Line, ReceiptNo, Sale, SaleKind};
use till::domain::tax::TaxMode;
use till::store::settings::StoreSettings;

/// Reads the fuzzer's bytes as the parts of a sale.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.byte()?,
            self.byte()?,
            self.byte()?,
            self.byte()?,
        ]))
    }

    fn text(&mut self) -> Option<String> {
        let n = usize::from(self.byte()? % 48).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(String::from_utf8_lossy(head).into_owned())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let Some(flags) = b.byte() else { return };
    let store = StoreSettings {
        store_name: b.text().unwrap_or_default(),
        terminal: "T01".into(),
        public_key: String::new(),
        rules: PriceRules {
            tax_mode: if flags & 1 == 0 {
                TaxMode::Inclusive
            } else {
                TaxMode::Exclusive
            },
            ..PriceRules::default()
        },
        measure_layout: VariableMeasureLayout::default(),
        cashier_discount_limit: Decimal::TEN,
        created_at: Utc::now(),
    };
    let codes = ["std", "red", "food", "zero"];
    let mut sale = Sale::new(SaleKind::Sale);
    while let (Some(kind), Some(price), Some(qty)) = (b.byte(), b.u32(), b.u32()) {
        let weighed = kind & 1 == 1;
        let product = Product {
            sku: format!("p{kind}"),
            name: b.text().unwrap_or_default(),
            price: Money::new(Decimal::new(i64::from(price % 10_000_000), 2)),
            tax_code: codes[usize::from(kind >> 1) % 4].into(),
            unit: if weighed { Unit::Kg } else { Unit::Each },
            barcodes: vec![],
            plu: None,
        };
        let quantity = if weighed {
            Decimal::new(i64::from(qty % 100_000) + 1, 3)
        } else {
            Decimal::from(qty % 1000 + 1)
        };
        let Ok(line) = sale.add_line(Line::from_product(&product, quantity)) else {
            return;
        };
        if kind & 0x40 != 0 {
            let _ =
                sale.set_line_discount(line, Some(Discount::Percent(Decimal::from(kind % 101))));
        }
    }
    // A sale the rules refuse (an overflow, say) is never completed or printed.
    let Ok(totals) = sale.totals(&store.rules) else {
        return;
    };
    let completed = CompletedSale {
        receipt: ReceiptNo(u64::from(flags) + 1),
        terminal: "T01".into(),
        lane: 1,
        cashier: "cashier".into(),
        completed_at: Utc
            .with_ymd_and_hms(2026, 11, 23, 14, 5, 0)
            .single()
            .expect("time"),
        sale,
        totals,
    };
    let printer = PrinterConfig {
        columns: [32, 42, 48][usize::from(flags >> 1) % 3],
        ..PrinterConfig::default()
    };
    let receipt = ReceiptConfig {
        header: vec!["12 Market Street".into()],
        footer: vec!["Thank you".into()],
        tax_number: Some("GB123456789".into()),
    };
    let layout = Layout {
        store: &store,
        printer: &printer,
        receipt: &receipt,
        local: |t| t.naive_utc(),
    };
    let buyer = (flags & 8 != 0).then(|| Buyer {
        name: "Zoë Ltd".into(),
        tax_number: "FR12345678901".into(),
        address: Some("1 Rue de la Paix".into()),
    });
    let copy = if flags & 16 == 0 {
        Copy::Original
    } else {
        Copy::Duplicate
    };
    if let Err(e) = layout.receipt(&completed, "00ff", copy, buyer.as_ref(), flags & 32 != 0) {
        panic!("a completed sale did not lay out: {e:?}");
    }
});
