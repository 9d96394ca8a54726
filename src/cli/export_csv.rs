//! The CSV form of an export: the same records as the JSON one, flattened
//! into tables a spreadsheet opens. Amounts are plain decimals in the
//! store's currency; times are RFC 3339 in UTC.
//!
//! Each file is one row struct, serialized by the csv writer: a column's
//! header is its field's name and its value sits beside it, so the two
//! cannot drift apart the way a list of headers and a list of values can,
//! and every value is written by a named conversion (serde's name for an
//! enum, `Display` for numbers) rather than whatever `Debug` happens to print.

use anyhow::Result;
use rust_decimal::Decimal;
use serde::Serialize;

use super::export::Writer;
use crate::domain::customer::{Contact, Customer, CustomerId};
use crate::domain::money::Money;
use crate::domain::product::{Product, Unit};
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::SaleKind;
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;
use crate::store::dump::Dump;
use crate::store::journal::JournalRecord;

pub(super) fn files(out: &mut Writer<'_>, d: &Dump) -> Result<()> {
    table(out, "products.csv", d.products.iter().map(ProductRow::from))?;
    table(out, "stock.csv", stock_rows(d))?;
    table(
        out,
        "customers.csv",
        d.customers.iter().map(CustomerRow::from),
    )?;
    table(out, "customer_corrections.csv", correction_rows(d))?;
    table(out, "sales.csv", d.sales.iter().map(SaleRow::from))?;
    table(out, "sale_lines.csv", sale_line_rows(d))?;
    table(out, "sale_tenders.csv", tender_rows(d))?;
    table(out, "sale_taxes.csv", tax_rows(d))?;
    let shifts = d.shifts.iter().chain(&d.shift_history);
    table(out, "shifts.csv", shifts.map(ShiftRow::from))?;
    table(
        out,
        "z_reports.csv",
        d.z_reports.iter().map(ZReportRow::from),
    )?;
    table(out, "users.csv", user_rows(d))?;
    table(out, "journal.csv", d.journal.iter().map(JournalRow::from))?;
    // What has no table shape stays JSON, even here.
    out.json("open_carts.json", d.open_carts.len(), &d.open_carts)?;
    out.json("held.json", d.held.len(), &d.held)?;
    out.json("print_jobs.json", d.print_jobs.len(), &d.print_jobs)?;
    out.json(
        "catalog_inbox.json",
        d.catalog_inbox.len(),
        &d.catalog_inbox,
    )?;
    out.json("z_state.json", 1, &d.z_state)?;
    out.json("sync.json", 1, &d.sync)?;
    out.json("retention.json", 1, &d.retention)?;
    out.json("counters.json", 1, &d.counters)
}

/// Writes one CSV file: a header line, then a line per row.
fn table<R: Serialize + Default>(
    out: &mut Writer<'_>,
    name: &str,
    rows: impl IntoIterator<Item = R>,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut count = 0;
    for row in rows {
        w.serialize(row)?;
        count += 1;
    }
    let bytes = if count == 0 {
        header::<R>()?
    } else {
        w.into_inner()?
    };
    out.bytes(name, count, bytes)
}

/// The header line alone, for a file with no rows: the csv writer writes the
/// header with the first row, so it is cut from a default row's output.
fn header<R: Serialize + Default>() -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(R::default())?;
    let mut bytes = w.into_inner()?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    bytes.truncate(end);
    Ok(bytes)
}

#[derive(Serialize, Default)]
struct ProductRow<'a> {
    sku: &'a str,
    name: &'a str,
    price: Money,
    tax: &'a str,
    /// serde's name for the unit: "each", "kg".
    unit: Unit,
    /// Separated by ';', the one character no barcode holds.
    barcodes: String,
    plu: Option<&'a str>,
}

impl<'a> From<&'a Product> for ProductRow<'a> {
    fn from(p: &'a Product) -> Self {
        ProductRow {
            sku: &p.sku,
            name: &p.name,
            price: p.price,
            tax: &p.tax_code,
            unit: p.unit,
            barcodes: p.barcodes.join(";"),
            plu: p.plu.as_deref(),
        }
    }
}

#[derive(Serialize, Default)]
struct StockRow<'a> {
    sku: &'a str,
    on_hand: Decimal,
    reorder_level: Decimal,
}

fn stock_rows(d: &Dump) -> impl Iterator<Item = StockRow<'_>> {
    d.stock.iter().map(|s| StockRow {
        sku: &s.key,
        on_hand: s.value.on_hand,
        reorder_level: s.value.reorder_level,
    })
}

/// An erased customer keeps its row: the contact's columns are empty.
#[derive(Serialize, Default)]
struct CustomerRow<'a> {
    id: CustomerId,
    created_at: String,
    name: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    address: Option<&'a str>,
    tax_number: Option<&'a str>,
    receipt_by_email: bool,
    marketing: bool,
    erased_at: Option<String>,
}

impl<'a> From<&'a Customer> for CustomerRow<'a> {
    fn from(c: &'a Customer) -> Self {
        let contact = c.contact.as_ref();
        let field = |f: fn(&Contact) -> &Option<String>| contact.and_then(|x| f(x).as_deref());
        CustomerRow {
            id: c.id,
            created_at: c.created_at.to_rfc3339(),
            name: contact.map(|x| x.name.as_str()).unwrap_or_default(),
            phone: field(|x| &x.phone),
            email: field(|x| &x.email),
            address: field(|x| &x.address),
            tax_number: field(|x| &x.tax_number),
            receipt_by_email: c.consent.receipt_by_email,
            marketing: c.consent.marketing,
            erased_at: c.erased_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// One changed field of a correction to a customer's contact.
#[derive(Serialize, Default)]
struct CorrectionRow<'a> {
    customer: CustomerId,
    at: String,
    field: &'static str,
    old: &'a str,
    new: &'a str,
}

fn correction_rows(d: &Dump) -> impl Iterator<Item = CorrectionRow<'_>> {
    d.customer_corrections.iter().flat_map(|c| {
        let (old, new) = (&c.value.old, &c.value.new);
        new.changed_fields(old)
            .into_iter()
            .map(move |field| CorrectionRow {
                customer: c.key,
                at: c.value.at.to_rfc3339(),
                field,
                old: contact_field(old, field),
                new: contact_field(new, field),
            })
    })
}

/// The value of the contact field `Contact::changed_fields` names `field`.
fn contact_field<'a>(x: &'a Contact, field: &str) -> &'a str {
    match field {
        "name" => &x.name,
        "phone" => x.phone.as_deref().unwrap_or_default(),
        "email" => x.email.as_deref().unwrap_or_default(),
        "address" => x.address.as_deref().unwrap_or_default(),
        _ => x.tax_number.as_deref().unwrap_or_default(),
    }
}

#[derive(Serialize, Default)]
struct SaleRow<'a> {
    receipt: u64,
    terminal: &'a str,
    lane: u16,
    cashier: &'a str,
    completed_at: String,
    /// "sale" or "refund".
    kind: &'static str,
    /// The receipt a refund gives back.
    original: Option<u64>,
    customer: Option<CustomerId>,
    subtotal: Money,
    discount: Money,
    tax: Money,
    total: Money,
    paid: Money,
    change: Money,
    cash_rounding: Money,
}

impl<'a> From<&'a CompletedSale> for SaleRow<'a> {
    fn from(s: &'a CompletedSale) -> Self {
        let (kind, original) = match s.sale.kind {
            SaleKind::Sale => ("sale", None),
            SaleKind::Refund { original } => ("refund", Some(original.0)),
        };
        SaleRow {
            receipt: s.receipt.0,
            terminal: &s.terminal,
            lane: s.lane,
            cashier: &s.cashier,
            completed_at: s.completed_at.to_rfc3339(),
            kind,
            original,
            customer: s.sale.customer,
            subtotal: s.totals.subtotal,
            discount: s.totals.discount,
            tax: s.totals.tax.total_tax(),
            total: s.totals.total,
            paid: s.totals.paid,
            change: s.sale.change,
            cash_rounding: s.sale.cash_rounding,
        }
    }
}

#[derive(Serialize, Default)]
struct SaleLineRow<'a> {
    receipt: u64,
    /// Numbered from 1, as the receipt prints them.
    line: usize,
    sku: &'a str,
    name: &'a str,
    quantity: Decimal,
    unit_price: Money,
    tax: &'a str,
    rate: Decimal,
    line_discount: Money,
    sale_discount: Money,
    amount: Money,
    net: Money,
    tax_amount: Money,
    voided: bool,
}

fn sale_line_rows(d: &Dump) -> impl Iterator<Item = SaleLineRow<'_>> {
    d.sales.iter().flat_map(|s| {
        s.totals.lines.iter().map(move |t| {
            let l = &s.sale.lines[t.line];
            SaleLineRow {
                receipt: s.receipt.0,
                line: t.line + 1,
                sku: &l.sku,
                name: &l.name,
                quantity: l.quantity,
                unit_price: l.unit_price,
                tax: &l.tax_code,
                rate: t.rate,
                line_discount: t.line_discount,
                sale_discount: t.sale_discount,
                amount: t.amount,
                net: t.split.net,
                tax_amount: t.split.tax,
                voided: l.voided,
            }
        })
    })
}

#[derive(Serialize, Default)]
struct TenderRow {
    receipt: u64,
    /// The tender's `Display` name: "cash", "card", "other".
    kind: String,
    amount: Money,
}

fn tender_rows(d: &Dump) -> impl Iterator<Item = TenderRow> + '_ {
    d.sales.iter().flat_map(|s| {
        s.sale.tenders.iter().map(|t| TenderRow {
            receipt: s.receipt.0,
            kind: t.kind.to_string(),
            amount: t.amount,
        })
    })
}

#[derive(Serialize, Default)]
struct TaxRow<'a> {
    receipt: u64,
    tax: &'a str,
    rate: Decimal,
    net: Money,
    tax_amount: Money,
    gross: Money,
}

fn tax_rows(d: &Dump) -> impl Iterator<Item = TaxRow<'_>> {
    d.sales.iter().flat_map(|s| {
        s.totals.tax.lines.iter().map(|t| TaxRow {
            receipt: s.receipt.0,
            tax: &t.code,
            rate: t.rate,
            net: t.net,
            tax_amount: t.tax,
            gross: t.gross,
        })
    })
}

/// Open and closed shifts alike: an open one's closing columns are empty.
#[derive(Serialize, Default)]
struct ShiftRow<'a> {
    number: u64,
    lane: u16,
    opened_by: &'a str,
    opened_at: String,
    float: Money,
    first_receipt: u64,
    closed_by: Option<&'a str>,
    closed_at: Option<String>,
    counted: Option<Money>,
    expected: Option<Money>,
    last_receipt: Option<u64>,
}

impl<'a> From<&'a Shift> for ShiftRow<'a> {
    fn from(s: &'a Shift) -> Self {
        let close = s.close.as_ref();
        ShiftRow {
            number: s.number,
            lane: s.lane,
            opened_by: &s.opened_by,
            opened_at: s.opened_at.to_rfc3339(),
            float: s.float,
            first_receipt: s.first_receipt,
            closed_by: close.map(|c| c.by.as_str()),
            closed_at: close.map(|c| c.at.to_rfc3339()),
            counted: close.map(|c| c.counted),
            expected: close.map(|c| c.expected),
            last_receipt: close.map(|c| c.last_receipt),
        }
    }
}

#[derive(Serialize, Default)]
struct ZReportRow<'a> {
    /// 0 for a report from before Z numbers were kept.
    number: u64,
    from_receipt: u64,
    to_receipt: u64,
    at: String,
    by: &'a str,
    sales: u64,
    refunds: u64,
    gross: Money,
    cash: Money,
    grand_total: Money,
}

impl<'a> From<&'a DayReport> for ZReportRow<'a> {
    fn from(z: &'a DayReport) -> Self {
        ZReportRow {
            number: z.z_number.unwrap_or_default(),
            from_receipt: z.from_receipt,
            to_receipt: z.to_receipt,
            at: z.at.to_rfc3339(),
            by: &z.by,
            sales: z.takings.sales,
            refunds: z.takings.refunds,
            gross: z.takings.gross,
            cash: z.takings.cash,
            grand_total: z.grand_total,
        }
    }
}

#[derive(Serialize, Default)]
struct UserRow<'a> {
    id: u32,
    name: &'a str,
    role: &'static str,
    disabled: bool,
}

fn user_rows(d: &Dump) -> impl Iterator<Item = UserRow<'_>> {
    d.users.iter().map(|u| UserRow {
        id: u.id,
        name: &u.name,
        role: u.role.name(),
        disabled: u.disabled,
    })
}

/// A journal entry: its event as JSON, its hashes in hex.
#[derive(Serialize, Default)]
struct JournalRow<'a> {
    seq: u64,
    at: String,
    actor: Option<&'a str>,
    event: String,
    prev_hash: String,
    hash: String,
}

impl<'a> From<&'a JournalRecord> for JournalRow<'a> {
    fn from(r: &'a JournalRecord) -> Self {
        JournalRow {
            seq: r.entry.seq,
            at: r.entry.at.to_rfc3339(),
            actor: r.entry.actor.as_deref(),
            event: serde_json::to_string(&r.entry.event).unwrap_or_default(),
            prev_hash: hex::encode(r.entry.prev_hash),
            hash: hex::encode(r.hash),
        }
    }
}
