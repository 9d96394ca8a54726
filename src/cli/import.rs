//! `till import products FILE.csv`.
//!
//! The CSV has a header row and the columns `sku,name,price,tax,unit,barcodes,plu`:
//! `price` in the store's currency (per kg for `unit` kg), `tax` a configured
//! category code, `unit` `each` or `kg`, `barcodes` zero or more codes separated
//! by `;`, `plu` an optional 1-6 digit code. Every row is checked first; one bad
//! row and nothing is imported, with every problem listed by line.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::barcode::{self, Scanned};
use crate::domain::pricing::PriceRules;
use crate::domain::product::{Product, Unit};
use crate::store::{PRODUCT_BATCH, Store, StoreError, keys};
use crate::textfile::{open_bounded, utf8};

/// The largest product CSV read. A million products (the catalog the till
/// is built for) at about 100 bytes a row is 100 MB; 256 MiB leaves room
/// for long names and several barcodes a row, and refuses a wrong file (a
/// disk image, a log) before a byte of it is read. Memory does not grow
/// with the file: rows are read one at a time.
pub const MAX_CSV_FILE: u64 = 256 * 1024 * 1024;

/// The longest line of a product CSV. The longest valid row (a 64-character
/// sku, a 120-character name, 32 barcodes, all quoted) is under 2 KiB of
/// UTF-8; a line four times that is not a product row, and is refused by
/// its line number before it is held in memory.
pub const MAX_CSV_LINE: usize = 8 * 1024;

/// At most this many problems are listed; the rest are counted, so a file
/// that is wrong on every one of its million lines still gets a short answer.
const MAX_PROBLEMS: usize = 100;

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

/// Imports a product CSV: every row is checked first, holding only the skus
/// and codes seen so far; then the file is read again and written in
/// transactions of [`PRODUCT_BATCH`] products, so memory stays bounded
/// however large the file. A disk failure part-way leaves whole batches,
/// each journaled; importing the file again completes it (rows replace
/// their products by sku).
pub fn products(data: &Path, file: &Path) -> Result<usize> {
    let store = Store::open(data)?;
    let settings = store.settings()?;
    let owner = |key: &[u8]| store.product_by_key(key);
    let (rules, layout) = (&settings.rules, &settings.measure_layout);
    check_csv(file, rules, layout, &owner, &mut |_| Ok(()))?;
    let mut batch = Vec::with_capacity(PRODUCT_BATCH);
    let count = check_csv(file, rules, layout, &owner, &mut |product| {
        batch.push(product);
        if batch.len() == PRODUCT_BATCH {
            store.put_products(&batch, None)?;
            batch.clear();
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        store.put_products(&batch, None)?;
    }
    Ok(count)
}

/// Which product, if any, already holds a barcode or PLU key.
pub type CodeOwner<'a> = dyn Fn(&[u8]) -> Result<Option<Product>, StoreError> + 'a;

/// Reads and checks a whole product CSV into memory (head office publishes
/// a catalog as one document); see [`check_csv`].
pub fn read_csv(
    file: &Path,
    rules: &PriceRules,
    layout: &VariableMeasureLayout,
    owner: &CodeOwner<'_>,
) -> Result<Vec<Product>> {
    let mut products = Vec::new();
    check_csv(file, rules, layout, owner, &mut |p| {
        products.push(p);
        Ok(())
    })?;
    Ok(products)
}

/// Reads and checks a product CSV against `rules` (currency, tax
/// categories), record by record; `owner` says which product already holds
/// a barcode or PLU key, so a code is never taken from one product by
/// another. Each good product goes to `each` as it is read. Every row is
/// checked; any problem and it is an error listing each by FILE:LINE (the
/// products already given to `each` are then the caller's to drop). Returns
/// how many products the file holds; a file with none is an error.
pub fn check_csv(
    file: &Path,
    rules: &PriceRules,
    layout: &VariableMeasureLayout,
    owner: &CodeOwner<'_>,
    each: &mut dyn FnMut(Product) -> Result<()>,
) -> Result<usize> {
    let name = file.display().to_string();
    let input = LineBounded {
        inner: open_bounded(file, MAX_CSV_FILE)?.take(MAX_CSV_FILE + 1),
        line: 1,
        len: 0,
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers = reader
        .byte_headers()
        .map_err(|e| anyhow::anyhow!("{name}:1: {}", csv_error(&e)))?
        .clone();
    if headers.iter().all(<[u8]>::is_empty) {
        bail!(
            "{name}: the file is empty: a product CSV starts with the header row \
             sku,name,price,tax,unit,barcodes,plu"
        );
    }
    let mut problems = Problems::default();
    if let Err(line) = headers.iter().try_for_each(|f| utf8(f).map(drop)) {
        problems.push(format!("{name}:{line}: the header row is not UTF-8 text"));
    }
    let mut skus: HashMap<Box<str>, u64> = HashMap::new();
    let mut codes: HashMap<Box<str>, u64> = HashMap::new();
    let mut count = 0;
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| p.line())
                    .unwrap_or(reader.get_ref().line);
                problems.push(format!("{name}:{line}: {}", csv_error(&e)));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    // The rest of the file cannot be read (or is not a product CSV).
                    break;
                }
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if let Err(at) = record.iter().try_for_each(|f| utf8(f).map(drop)) {
            let line = line + at as u64 - 1;
            problems.push(format!(
                "{name}:{line}: this line is not UTF-8 text: save the file as UTF-8"
            ));
            continue;
        }
        let product = record
            .deserialize::<Row>(Some(&headers))
            .map_err(|e| csv_error(&e))
            .and_then(|row| product_from_row(&row, rules, layout));
        let product = match product {
            Ok(product) => product,
            Err(why) => {
                problems.push(format!("{name}:{line}: {why}"));
                continue;
            }
        };
        count += 1;
        let mut clash = None;
        if let Some(first) = skus.insert(product.sku.as_str().into(), line) {
            clash = Some(format!("sku {} on lines {first} and {line}", product.sku));
        }
        for code in product.barcodes.iter().chain(product.plu.iter()) {
            if let Some(first) = codes.insert(code.as_str().into(), line) {
                clash = Some(format!("code {code} on lines {first} and {line}"));
            }
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
            Some(c) => problems.push(format!("{name}:{line}: {c}")),
            None if problems.is_empty() => each(product)?,
            None => {}
        }
    }
    problems.into_result()?;
    if count == 0 {
        bail!("{name}: no products: the file has only its header row");
    }
    Ok(count)
}

/// The problems found, the first [`MAX_PROBLEMS`] in full.
#[derive(Default)]
struct Problems {
    shown: Vec<String>,
    more: usize,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.shown.len() < MAX_PROBLEMS {
            self.shown.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    fn into_result(self) -> Result<()> {
        if self.shown.is_empty() {
            return Ok(());
        }
        let more = match self.more {
            0 => String::new(),
            n => format!("\n  … and {n} more"),
        };
        bail!(
            "nothing was imported; fix these rows and run the import again:\n  {}{more}",
            self.shown.join("\n  ")
        )
    }
}

/// A file read that refuses a line longer than [`MAX_CSV_LINE`] (or a file
/// that grew past [`MAX_CSV_FILE`] after it was opened) before the CSV
/// reader buffers it, naming the line.
struct LineBounded<R> {
    inner: R,
    line: u64,
    len: usize,
}

impl<R: Read> Read for LineBounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.len = 0;
            } else {
                self.len += 1;
                if self.len > MAX_CSV_LINE {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the line is longer than {MAX_CSV_LINE} bytes: no product row is; is it the right file?"
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
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
        csv::ErrorKind::Io(e) => e.to_string(),
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
    let product = Product {
        sku: sku.to_string(),
        name: name.to_string(),
        price,
        tax_code: tax.to_string(),
        unit,
        barcodes,
        plu,
    };
    product.check_bounds().map_err(|e| e.to_string())?;
    Ok(product)
}
