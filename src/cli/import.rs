//! `till import products FILE.csv`.
//!
//! The CSV has a header row and the columns `sku,name,price,tax,unit,barcodes,plu`:
//! `price` in the store's currency (per kg for `unit` kg), `tax` a configured
//! category code, `unit` `each` or `kg`, `barcodes` zero or more codes separated
//! by `;`, `plu` an optional 1-6 digit code. Every row is checked first; one bad
//! row and nothing is imported, with every problem listed by line.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::barcode::{self, Scanned};
use crate::domain::pricing::PriceRules;
use crate::domain::product::{Product, Unit};
use crate::store::{Store, StoreError, keys};

#[derive(Debug, Deserialize)]
struct Row {
    sku: String,
    name: String,
    price: String,
    tax: String,
    unit: String,
    #[serde(default)]
    barcodes: String,
    #[serde(default)]
    plu: String,
}

pub fn products(data: &Path, file: &Path) -> Result<usize> {
    let store = Store::open(data)?;
    let settings = store.settings()?;
    let products = read_csv(file, &settings.rules, &settings.measure_layout, &|key| {
        store.product_by_key(key)
    })?;
    store.put_products(&products, None)?;
    Ok(products.len())
}

/// Which product, if any, already holds a barcode or PLU key.
pub type CodeOwner<'a> = dyn Fn(&[u8]) -> Result<Option<Product>, StoreError> + 'a;

/// Reads and checks a product CSV against `rules` (currency, tax
/// categories); `owner` says which product already holds a barcode or PLU
/// key, so a code is never taken from one product by another. Every row is
/// checked; any problem and no product is returned, each problem by line.
pub fn read_csv(
    file: &Path,
    rules: &PriceRules,
    layout: &VariableMeasureLayout,
    owner: &CodeOwner<'_>,
) -> Result<Vec<Product>> {
    let mut reader =
        csv::Reader::from_path(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut problems = Vec::new();
    let mut products = Vec::new();
    let mut codes_in_file: HashMap<String, (String, u64)> = HashMap::new();
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header row of {}", file.display()))?
        .clone();
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(format!("{}:{line}: {}", file.display(), csv_error(&e)));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row: Row = match record.deserialize(Some(&headers)) {
            Ok(row) => row,
            Err(e) => {
                problems.push(format!("{}:{line}: {}", file.display(), csv_error(&e)));
                continue;
            }
        };
        match product_from_row(&row, rules, layout) {
            Ok(product) => {
                let mut clash = None;
                for code in product.barcodes.iter().chain(product.plu.iter()) {
                    if let Some((sku, first)) = codes_in_file.get(code) {
                        clash = Some(format!("code {code} is also on {sku} (line {first})"));
                    }
                    codes_in_file.insert(code.clone(), (product.sku.clone(), line));
                }
                let barcodes = product.barcodes.iter().map(|c| (c, keys::barcode(c)));
                for (code, key) in barcodes.chain(product.plu.iter().map(|p| (p, keys::plu(p)))) {
                    if let Some(other) = owner(&key)?
                        && other.sku != product.sku
                    {
                        clash = Some(format!(
                            "code {code} already belongs to product {}",
                            other.sku
                        ));
                    }
                }
                match clash {
                    Some(c) => problems.push(format!("{}:{line}: {c}", file.display())),
                    None => products.push(product),
                }
            }
            Err(why) => problems.push(format!("{}:{line}: {why}", file.display())),
        }
    }
    let mut seen = HashMap::new();
    for p in &products {
        if seen.insert(p.sku.clone(), ()).is_some() {
            problems.push(format!(
                "{}: sku {} appears more than once",
                file.display(),
                p.sku
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "nothing was imported; fix these rows and run the import again:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(products)
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} columns where the header has {expected_len}")
        }
        csv::ErrorKind::Deserialize { err, .. } => {
            format!("{err} (columns: sku,name,price,tax,unit,barcodes,plu)")
        }
        _ => e.to_string(),
    }
}

fn product_from_row(
    row: &Row,
    rules: &PriceRules,
    layout: &VariableMeasureLayout,
) -> Result<Product, String> {
    let sku = row.sku.trim();
    if sku.is_empty() {
        return Err("the sku is empty".into());
    }
    let name = row.name.trim();
    if name.is_empty() {
        return Err(format!("product {sku} has no name"));
    }
    let price = rules
        .currency
        .parse(&row.price)
        .map_err(|e| format!("price: {e}"))?;
    if price.amount() > rust_decimal::Decimal::from(1_000_000_000u64) {
        return Err(format!(
            "price {} is more than any till sells (at most 1000000000)",
            row.price.trim()
        ));
    }
    if price.is_negative() {
        return Err(format!("price {} is negative", row.price));
    }
    let tax = row.tax.trim();
    if rules.tax_category(tax).is_none() {
        let known: Vec<&str> = rules
            .tax_categories
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        return Err(format!(
            "tax category '{tax}' is not configured (known: {})",
            known.join(", ")
        ));
    }
    let unit = match row.unit.trim().to_ascii_lowercase().as_str() {
        "each" | "" => Unit::Each,
        "kg" => Unit::Kg,
        other => return Err(format!("unit '{other}' is neither 'each' nor 'kg'")),
    };
    let mut barcodes = Vec::new();
    for code in row
        .barcodes
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let key = match barcode::parse(code, layout).map_err(|e| format!("barcode {code}: {e}"))? {
            Scanned::Item { keys, .. } => keys.into_iter().next().unwrap_or_default(),
            Scanned::Measured { key, .. } => key,
            Scanned::Plu(_) => {
                return Err(format!(
                    "barcode {code} is too short: put short codes in the plu column"
                ));
            }
        };
        barcodes.push(key);
    }
    let plu = row.plu.trim();
    let plu = match plu {
        "" => None,
        p if p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.to_string()),
        p => return Err(format!("plu '{p}' must be 1 to 6 digits")),
    };
    Ok(Product {
        sku: sku.to_string(),
        name: name.to_string(),
        price,
        tax_code: tax.to_string(),
        unit,
        barcodes,
        plu,
    })
}
