//! The demo shop: a catalog of a few hundred products with valid codes across
//! every tax category, some sold by weight, and the demo users. Deterministic,
//! so tests and the README can name its products.

use rust_decimal::Decimal;

use crate::domain::barcode::gs1_check_digit;
use crate::domain::money::Money;
use crate::domain::product::{Product, Unit};
use crate::domain::user::Role;

/// Users of the demo store, with their PINs (demo only: real stores choose their own).
pub const DEMO_USERS: [(&str, Role, &str); 3] = [
    ("admin", Role::Admin, "0000"),
    ("cashier", Role::Cashier, "1111"),
    ("manager", Role::Manager, "9999"),
];

/// Real published codes, so a real scanner and a real product work in the demo.
const KNOWN: [(&str, &str, &str, i64, &str); 5] = [
    (
        "4006381333931",
        "STABILO point 88 fineliner",
        "std",
        149,
        "pen",
    ),
    (
        "5901234123457",
        "GS1 sample chocolate bar",
        "food",
        199,
        "choc",
    ),
    (
        "9780306406157",
        "Paperback: Data Reduction",
        "red",
        2450,
        "book",
    ),
    ("036000291452", "Chewing gum, mint", "food", 129, "gum"),
    ("96385074", "Pocket tissues", "std", 89, "tissue"),
];

/// Loose produce by weight, with the international IFPS PLU codes.
const PRODUCE: [(&str, &str, i64); 8] = [
    ("4011", "Bananas", 199),
    ("4131", "Apples, Fuji", 299),
    ("4664", "Tomatoes on the vine", 349),
    ("4072", "Potatoes, russet", 129),
    ("4562", "Carrots", 149),
    ("4093", "Onions, yellow", 159),
    ("4053", "Lemons", 399),
    ("4012", "Oranges, navel", 249),
];

/// Counter goods weighed and labelled in store (GS1 prefix 23: weight in kg).
const COUNTER: [(&str, &str, i64); 4] = [
    ("2300101", "Cheddar, mature", 1890),
    ("2300102", "Ham, smoked", 2290),
    ("2300103", "Olives, green", 1290),
    ("2300104", "Salmon fillet", 2990),
];

struct Range {
    tax: &'static str,
    items: &'static [&'static str],
    variants: &'static [&'static str],
    base_cents: i64,
}

const RANGES: [Range; 8] = [
    Range {
        tax: "food",
        items: &[
            "Crisps",
            "Peanuts",
            "Chocolate bar",
            "Popcorn",
            "Pretzels",
            "Cereal bar",
            "Gummy bears",
            "Rice cakes",
        ],
        variants: &[
            "salted",
            "paprika",
            "sea salt",
            "caramel",
            "mini",
            "sharing bag",
        ],
        base_cents: 99,
    },
    Range {
        tax: "std",
        items: &[
            "Shampoo",
            "Toothpaste",
            "Soap bar",
            "Deodorant",
            "Razor",
            "Sun cream",
        ],
        variants: &[
            "sensitive",
            "fresh",
            "travel size",
            "for men",
            "family",
            "unscented",
        ],
        base_cents: 179,
    },
    Range {
        tax: "food",
        items: &[
            "Milk",
            "Yoghurt",
            "Butter",
            "Cream",
            "Cheese slices",
            "Kefir",
        ],
        variants: &[
            "whole",
            "semi-skimmed",
            "organic",
            "lactose-free",
            "family size",
            "small",
        ],
        base_cents: 89,
    },
    Range {
        tax: "food",
        items: &[
            "Bread",
            "Rolls",
            "Bagels",
            "Croissants",
            "Baguette",
            "Muffins",
            "Crackers",
            "Biscuits",
        ],
        variants: &[
            "white",
            "wholemeal",
            "rye",
            "seeded",
            "sourdough",
            "gluten-free",
        ],
        base_cents: 119,
    },
    Range {
        tax: "std",
        items: &[
            "Cola",
            "Lemonade",
            "Sparkling water",
            "Iced tea",
            "Energy drink",
            "Orange juice",
        ],
        variants: &[
            "0.33 l can",
            "0.5 l bottle",
            "1 l bottle",
            "1.5 l bottle",
            "6-pack",
            "zero sugar",
        ],
        base_cents: 79,
    },
    Range {
        tax: "std",
        items: &[
            "Dish soap",
            "Sponges",
            "Bin bags",
            "Kitchen roll",
            "Toilet paper",
            "Laundry liquid",
            "Light bulb",
        ],
        variants: &[
            "basic",
            "eco",
            "value pack",
            "premium",
            "lavender",
            "citrus",
        ],
        base_cents: 149,
    },
    Range {
        tax: "red",
        items: &[
            "Newspaper",
            "Magazine",
            "Puzzle book",
            "Children's book",
            "Map",
            "Notebook",
        ],
        variants: &["daily", "weekly", "monthly", "special edition", "A5", "A4"],
        base_cents: 199,
    },
    Range {
        tax: "zero",
        items: &["Stamp", "Gift card", "Charity pin", "Bus ticket"],
        variants: &["1st class", "2nd class", "10.00", "25.00", "single", "day"],
        base_cents: 95,
    },
];

/// Completes 12 digits with their check digit.
pub fn ean13(first12: &str) -> String {
    let digits: Vec<u8> = first12.bytes().map(|b| b - b'0').collect();
    format!("{first12}{}", gs1_check_digit(&digits))
}

fn cents(c: i64) -> Money {
    Money::new(Decimal::new(c, 2))
}

pub fn catalog() -> Vec<Product> {
    let mut out = Vec::new();
    for (code, name, tax, price, sku) in KNOWN {
        out.push(Product {
            sku: sku.to_string(),
            name: name.to_string(),
            price: cents(price),
            tax_code: tax.to_string(),
            unit: Unit::Each,
            barcodes: vec![if code.len() == 12 {
                format!("0{code}")
            } else {
                code.to_string()
            }],
            plu: None,
        });
    }
    for (plu, name, price) in PRODUCE {
        out.push(Product {
            sku: format!("plu{plu}"),
            name: name.to_string(),
            price: cents(price),
            tax_code: "food".to_string(),
            unit: Unit::Kg,
            barcodes: Vec::new(),
            plu: Some(plu.to_string()),
        });
    }
    for (item, name, price) in COUNTER {
        out.push(Product {
            sku: format!("deli{item}"),
            name: name.to_string(),
            price: cents(price),
            tax_code: "food".to_string(),
            unit: Unit::Kg,
            barcodes: vec![ean13(&format!("{item}00000"))],
            plu: None,
        });
    }
    let mut n = 0i64;
    for range in &RANGES {
        for item in range.items {
            for variant in range.variants {
                n += 1;
                out.push(Product {
                    sku: format!("d{n:04}"),
                    name: format!("{item}, {variant}"),
                    price: cents(range.base_cents + (n * 37) % 400),
                    tax_code: range.tax.to_string(),
                    unit: Unit::Each,
                    barcodes: vec![ean13(&format!("40123{n:07}"))],
                    plu: None,
                });
            }
        }
    }
    out
}

/// Makers' names for generated products, so names differ beyond the ranges.
const BRANDS: [&str; 16] = [
    "Acme",
    "Northfield",
    "Bluebell",
    "Hartley",
    "Greenway",
    "Sunrise",
    "Oakridge",
    "Millbrook",
    "Riverside",
    "Goldcrest",
    "Kestrel",
    "Meadow",
    "Highland",
    "Seaside",
    "Amber",
    "Willow",
];

/// `count` more products for a large demo catalog (`till init --demo
/// --products N`, the benchmarks): names from the ranges with a maker and a
/// size, each with its own valid EAN-13 (prefix 49, which the demo's real
/// codes do not use). Made lazily, so a million never sit in memory at once.
pub fn generated(count: usize) -> impl Iterator<Item = Product> {
    let kinds: Vec<(&Range, &str, &str)> = RANGES
        .iter()
        .flat_map(|r| {
            r.items
                .iter()
                .flat_map(move |i| r.variants.iter().map(move |v| (r, *i, *v)))
        })
        .collect();
    (0..count).map(move |n| {
        let (range, item, variant) = kinds[n % kinds.len()];
        let brand = BRANDS[(n / kinds.len()) % BRANDS.len()];
        let size = n / (kinds.len() * BRANDS.len());
        Product {
            sku: format!("g{n:07}"),
            name: format!("{brand} {item}, {variant} no. {size}"),
            price: cents(range.base_cents + (n as i64 * 37) % 400),
            tax_code: range.tax.to_string(),
            unit: Unit::Each,
            barcodes: vec![ean13(&format!("49{n:010}"))],
            plu: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::barcode::{Scanned, VariableMeasureLayout, parse};
    use crate::domain::pricing::PriceRules;

    #[test]
    fn demo_catalog_is_large_valid_and_varied() {
        let products = catalog();
        assert!(products.len() >= 300, "{} products", products.len());
        let rules = PriceRules::default();
        let layout = VariableMeasureLayout::default();
        let mut skus = std::collections::HashSet::new();
        for p in &products {
            assert!(skus.insert(p.sku.clone()), "duplicate sku {}", p.sku);
            assert!(rules.tax_category(&p.tax_code).is_some(), "{}", p.tax_code);
            for code in &p.barcodes {
                assert!(parse(code, &layout).is_ok(), "{code} of {}", p.name);
            }
        }
        assert!(products.iter().any(|p| p.unit == Unit::Kg));
        let codes: Vec<&str> = products
            .iter()
            .flat_map(|p| p.barcodes.iter().map(String::as_str))
            .collect();
        let ean13 = codes
            .iter()
            .filter(|c| matches!(parse(c, &layout), Ok(Scanned::Item { .. })) && c.len() == 13);
        assert!(ean13.count() >= 300);
        for cat in ["std", "red", "food", "zero"] {
            assert!(
                products.iter().any(|p| p.tax_code == cat),
                "no product in {cat}"
            );
        }
    }

    #[test]
    fn generated_products_are_valid_and_clash_with_nothing() {
        let layout = VariableMeasureLayout::default();
        let mut skus: std::collections::HashSet<String> =
            catalog().into_iter().map(|p| p.sku).collect();
        let mut codes: std::collections::HashSet<String> =
            catalog().into_iter().flat_map(|p| p.barcodes).collect();
        let mut names = std::collections::HashSet::new();
        for p in generated(20_000) {
            assert!(skus.insert(p.sku.clone()), "sku {}", p.sku);
            assert!(names.insert(p.name.clone()), "name {}", p.name);
            for code in &p.barcodes {
                assert!(codes.insert(code.clone()), "code {code}");
                assert!(
                    matches!(parse(code, &layout), Ok(Scanned::Item { .. })),
                    "{code}"
                );
            }
        }
    }
}
