//! The CSV form of an export: the same records as the JSON one, flattened
//! into tables a spreadsheet opens. Amounts are plain decimals in the
//! store's currency; times are RFC 3339 in UTC.

use anyhow::Result;

use super::export::Writer;
use crate::domain::money::Money;
use crate::store::dump::Dump;

fn m(x: Money) -> String {
    x.amount().to_string()
}

fn opt(x: &Option<String>) -> String {
    x.clone().unwrap_or_default()
}

pub(super) fn files(out: &mut Writer<'_>, d: &Dump) -> Result<()> {
    out.csv(
        "products.csv",
        &["sku", "name", "price", "tax", "unit", "barcodes", "plu"],
        d.products
            .iter()
            .map(|p| {
                vec![
                    p.sku.clone(),
                    p.name.clone(),
                    m(p.price),
                    p.tax_code.clone(),
                    format!("{:?}", p.unit).to_lowercase(),
                    p.barcodes.join(";"),
                    opt(&p.plu),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "stock.csv",
        &["sku", "on_hand", "reorder_level"],
        d.stock
            .iter()
            .map(|s| {
                vec![
                    s.key.clone(),
                    s.value.on_hand.to_string(),
                    s.value.reorder_level.to_string(),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "customers.csv",
        &[
            "id",
            "created_at",
            "name",
            "phone",
            "email",
            "address",
            "tax_number",
            "receipt_by_email",
            "marketing",
            "erased_at",
        ],
        d.customers
            .iter()
            .map(|c| {
                let contact = c.contact.clone().unwrap_or_default();
                vec![
                    c.id.to_string(),
                    c.created_at.to_rfc3339(),
                    contact.name,
                    opt(&contact.phone),
                    opt(&contact.email),
                    opt(&contact.address),
                    opt(&contact.tax_number),
                    c.consent.receipt_by_email.to_string(),
                    c.consent.marketing.to_string(),
                    c.erased_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "customer_corrections.csv",
        &["customer", "at", "field", "old", "new"],
        d.customer_corrections
            .iter()
            .flat_map(|c| {
                let (old, new) = (&c.value.old, &c.value.new);
                new.changed_fields(old)
                    .into_iter()
                    .map(|field| {
                        let get = |x: &crate::domain::customer::Contact| match field {
                            "name" => x.name.clone(),
                            "phone" => opt(&x.phone),
                            "email" => opt(&x.email),
                            "address" => opt(&x.address),
                            _ => opt(&x.tax_number),
                        };
                        vec![
                            c.key.to_string(),
                            c.value.at.to_rfc3339(),
                            field.to_string(),
                            get(old),
                            get(new),
                        ]
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
    )?;
    out.csv(
        "sales.csv",
        &[
            "receipt",
            "terminal",
            "lane",
            "cashier",
            "completed_at",
            "kind",
            "original",
            "customer",
            "subtotal",
            "discount",
            "tax",
            "total",
            "paid",
            "change",
            "cash_rounding",
        ],
        d.sales
            .iter()
            .map(|s| {
                let original = match s.sale.kind {
                    crate::domain::sale::SaleKind::Refund { original } => original.0.to_string(),
                    crate::domain::sale::SaleKind::Sale => String::new(),
                };
                vec![
                    s.receipt.0.to_string(),
                    s.terminal.clone(),
                    s.lane.to_string(),
                    s.cashier.clone(),
                    s.completed_at.to_rfc3339(),
                    if s.sale.is_refund() { "refund" } else { "sale" }.into(),
                    original,
                    s.sale.customer.map(|c| c.to_string()).unwrap_or_default(),
                    m(s.totals.subtotal),
                    m(s.totals.discount),
                    m(s.totals.tax.total_tax()),
                    m(s.totals.total),
                    m(s.totals.paid),
                    m(s.sale.change),
                    m(s.sale.cash_rounding),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "sale_lines.csv",
        &[
            "receipt",
            "line",
            "sku",
            "name",
            "quantity",
            "unit_price",
            "tax",
            "rate",
            "line_discount",
            "sale_discount",
            "amount",
            "net",
            "tax_amount",
            "voided",
        ],
        d.sales
            .iter()
            .flat_map(|s| {
                s.totals.lines.iter().map(move |t| {
                    let l = &s.sale.lines[t.line];
                    vec![
                        s.receipt.0.to_string(),
                        (t.line + 1).to_string(),
                        l.sku.clone(),
                        l.name.clone(),
                        l.quantity.to_string(),
                        m(l.unit_price),
                        l.tax_code.clone(),
                        t.rate.to_string(),
                        m(t.line_discount),
                        m(t.sale_discount),
                        m(t.amount),
                        m(t.split.net),
                        m(t.split.tax),
                        l.voided.to_string(),
                    ]
                })
            })
            .collect(),
    )?;
    out.csv(
        "sale_tenders.csv",
        &["receipt", "kind", "amount"],
        d.sales
            .iter()
            .flat_map(|s| {
                s.sale.tenders.iter().map(move |t| {
                    vec![
                        s.receipt.0.to_string(),
                        format!("{:?}", t.kind).to_lowercase(),
                        m(t.amount),
                    ]
                })
            })
            .collect(),
    )?;
    out.csv(
        "sale_taxes.csv",
        &["receipt", "tax", "rate", "net", "tax_amount", "gross"],
        d.sales
            .iter()
            .flat_map(|s| {
                s.totals.tax.lines.iter().map(move |t| {
                    vec![
                        s.receipt.0.to_string(),
                        t.code.clone(),
                        t.rate.to_string(),
                        m(t.net),
                        m(t.tax),
                        m(t.gross),
                    ]
                })
            })
            .collect(),
    )?;
    let shifts = d.shifts.iter().chain(&d.shift_history);
    out.csv(
        "shifts.csv",
        &[
            "number",
            "lane",
            "opened_by",
            "opened_at",
            "float",
            "first_receipt",
            "closed_by",
            "closed_at",
            "counted",
            "expected",
            "last_receipt",
        ],
        shifts
            .map(|s| {
                let close = s.close.as_ref();
                vec![
                    s.number.to_string(),
                    s.lane.to_string(),
                    s.opened_by.clone(),
                    s.opened_at.to_rfc3339(),
                    m(s.float),
                    s.first_receipt.to_string(),
                    close.map(|c| c.by.clone()).unwrap_or_default(),
                    close.map(|c| c.at.to_rfc3339()).unwrap_or_default(),
                    close.map(|c| m(c.counted)).unwrap_or_default(),
                    close.map(|c| m(c.expected)).unwrap_or_default(),
                    close
                        .map(|c| c.last_receipt.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "z_reports.csv",
        &[
            "number",
            "from_receipt",
            "to_receipt",
            "at",
            "by",
            "sales",
            "refunds",
            "gross",
            "cash",
            "grand_total",
        ],
        d.z_reports
            .iter()
            .map(|z| {
                vec![
                    z.z_number.unwrap_or_default().to_string(),
                    z.from_receipt.to_string(),
                    z.to_receipt.to_string(),
                    z.at.to_rfc3339(),
                    z.by.clone(),
                    z.takings.sales.to_string(),
                    z.takings.refunds.to_string(),
                    m(z.takings.gross),
                    m(z.takings.cash),
                    m(z.grand_total),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "users.csv",
        &["id", "name", "role", "disabled"],
        d.users
            .iter()
            .map(|u| {
                vec![
                    u.id.to_string(),
                    u.name.clone(),
                    u.role.name().to_string(),
                    u.disabled.to_string(),
                ]
            })
            .collect(),
    )?;
    out.csv(
        "journal.csv",
        &["seq", "at", "actor", "event", "prev_hash", "hash"],
        d.journal
            .iter()
            .map(|r| {
                vec![
                    r.entry.seq.to_string(),
                    r.entry.at.to_rfc3339(),
                    opt(&r.entry.actor),
                    serde_json::to_string(&r.entry.event).unwrap_or_default(),
                    hex::encode(r.entry.prev_hash),
                    hex::encode(r.hash),
                ]
            })
            .collect(),
    )?;
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
