//! Each journal entry as a sentence a manager reads on the Journal tab: what
//! happened, with its figures, never the Rust names of its fields. One match
//! over every kind of entry, without a catch-all, so a new kind cannot be
//! added without its sentence. Digests and hashes are left out: they prove
//! the chain, `till journal verify` checks them, nobody reads them.

use rust_decimal::Decimal;

use super::journal::JournalEvent;
use crate::domain::money::Money;
use crate::domain::shift::over_short;
use crate::domain::tender::Tender;

/// "by NAME" after an approval, or nothing.
fn approved(by: &Option<String>) -> String {
    by.as_ref()
        .map(|name| format!(", approved by {name}"))
        .unwrap_or_default()
}

/// A quantity as typed: `2`, `0.5`, never `2.000`.
fn qty(q: &Decimal) -> String {
    q.normalize().to_string()
}

/// A change of stock with its sign shown: `+12`, `-2`.
fn signed(q: &Decimal) -> String {
    if q.is_sign_negative() {
        qty(q)
    } else {
        format!("+{}", qty(q))
    }
}

fn tenders(list: &[Tender]) -> String {
    list.iter()
        .map(|t| format!("{} {}", t.kind, t.amount))
        .collect::<Vec<_>>()
        .join(", ")
}

fn yes(flag: bool, with: &str, without: &str) -> String {
    (if flag { with } else { without }).to_string()
}

impl JournalEvent {
    /// What happened, in a sentence.
    pub fn describe(&self) -> String {
        use JournalEvent as E;
        match self {
            E::StoreCreated { terminal } => format!("store created, terminal {terminal}"),
            E::Login { user } => format!("{user} logged in"),
            E::LoginFailed { user } => format!("wrong PIN for {user}"),
            E::Logout { user } => format!("{user} logged out"),
            E::SessionLocked { user } => format!("{user}'s session locked after idling"),
            E::UserCreated { user, role } => format!("user {user} added as {role}"),
            E::SaleCompleted { receipt, total, .. } => {
                format!("sale, receipt {}: {total}", receipt.0)
            }
            E::RefundCompleted {
                receipt,
                original,
                total,
                ..
            } => format!(
                "refund, receipt {} of receipt {}: {total} paid out",
                receipt.0, original.0
            ),
            E::SaleVoided {
                lines,
                total,
                tendered,
                approved_by,
            } => {
                let paid = if tendered.is_empty() {
                    String::new()
                } else {
                    format!(" (paid back: {})", tenders(tendered))
                };
                format!(
                    "sale voided: {lines} lines, {total}{paid}{}",
                    approved(approved_by)
                )
            }
            E::Override {
                permission,
                approved_by,
            } => format!("{permission} approved by {approved_by}"),
            E::LineVoided {
                sku,
                quantity,
                amount,
            } => format!("line voided: {} x {sku}, {amount}", qty(quantity)),
            E::DrawerOpened {
                receipt,
                approved_by,
            } => match receipt {
                Some(r) => format!("drawer opened for receipt {}", r.0),
                None => format!("drawer opened, no sale{}", approved(approved_by)),
            },
            E::Reprinted {
                receipt,
                approved_by,
            } => format!(
                "receipt {} reprinted as a duplicate{}",
                receipt.0,
                approved(approved_by)
            ),
            E::PriceChanged { sku, old, new } => format!("price of {sku}: {old} -> {new}"),
            E::PriceOverridden {
                sku,
                old,
                new,
                approved_by,
            } => format!(
                "{sku} sold at {new} instead of {old}{}",
                approved(approved_by)
            ),
            E::ShiftOpened {
                number,
                lane,
                float,
            } => format!("shift {number} opened on lane {lane}, float {float}"),
            E::CashMoved {
                shift,
                amount,
                reason,
                approved_by,
            } => {
                let way = if amount.amount().is_sign_negative() {
                    "out"
                } else {
                    "in"
                };
                format!(
                    "cash {way} {}, shift {shift}: {reason}{}",
                    Money::new(amount.amount().abs()),
                    approved(approved_by)
                )
            }
            E::ShiftClosed {
                number,
                counted,
                expected,
            } => format!(
                "shift {number} closed: counted {counted}, expected {expected}, {}",
                over_short(*counted - *expected, Money::to_string)
            ),
            E::ZReport {
                number,
                to_receipt,
                gross,
                grand_total,
            } => format!(
                "Z report {number} to receipt {to_receipt}: takings {gross}, grand total {grand_total}"
            ),
            E::StockAdjusted { sku, delta, reason } => {
                format!("stock of {sku} {}: {reason}", signed(delta))
            }
            E::StockReceived { reference, lines } => {
                let what: Vec<String> = lines
                    .iter()
                    .map(|(sku, q)| format!("{} {sku}", signed(q)))
                    .collect();
                format!("delivery {reference}: {}", what.join(", "))
            }
            E::ReorderLevelSet { sku, level } => {
                format!("reorder level of {sku} set to {}", qty(level))
            }
            E::PinReset { user } => format!("{user}'s PIN reset"),
            E::UserDisabled { user, disabled } => {
                format!("{user} {}", yes(*disabled, "disabled", "enabled again"))
            }
            E::ProductChanged { sku, old, new } => format!("{sku} changed: {old} -> {new}"),
            E::ProductsImported { count, .. } => format!("{count} products imported"),
            E::HqJoined { url } => format!("joined head office at {url}"),
            E::CatalogApplied { version, count, .. } => {
                format!("head office catalog {version} applied: {count} products")
            }
            E::CatalogRefused { version, reason } => {
                format!("head office catalog {version} refused: {reason}")
            }
            E::CustomerAdded { id } => format!("customer #{id} added"),
            E::CustomerCorrected { id, fields, .. } => {
                format!("customer #{id} corrected: {}", fields.join(", "))
            }
            E::CustomerErased { id } => format!("customer #{id}'s details erased"),
            E::BackupTaken { with_keys } => format!(
                "backup taken, {}",
                yes(*with_keys, "keys included", "without the keys")
            ),
            E::RetentionApplied {
                first_seq,
                receipts_kept_from,
                ..
            } => format!(
                "retention: journal kept from entry {first_seq}, receipts from {receipts_kept_from}"
            ),
            E::Exported { format, customers } => {
                format!("everything exported as {format}, {customers} customers' details")
            }
            E::Restored { from } => format!("store restored from {from}"),
            E::RequestRefused { peer, asked } => {
                format!("refused '{asked}' for a session {peer} did not log in")
            }
            E::LockedOut {
                user,
                origin,
                until,
            } => format!(
                "{user} locked out from {origin} until {}",
                until.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_decimal::dec;
    use strum::IntoEnumIterator;

    use super::*;
    use crate::domain::sale::ReceiptNo;
    use crate::domain::tender::TenderKind;
    use crate::domain::user::Permission;
    use crate::store::journal::JournalEventKind;
    use crate::store::journal::JournalEventKind as K;

    /// One entry of each kind; the match has no catch-all, so a new kind
    /// fails to compile here until it has a sample (and so a sentence).
    fn sample(kind: K) -> JournalEvent {
        use JournalEvent as E;
        let s = |t: &str| t.to_string();
        let m = |d: Decimal| Money::new(d);
        let r = ReceiptNo(7);
        let h = [0u8; 32];
        match kind {
            K::StoreCreated => E::StoreCreated { terminal: s("T01") },
            K::Login => E::Login { user: s("ann") },
            K::LoginFailed => E::LoginFailed { user: s("ann") },
            K::Logout => E::Logout { user: s("ann") },
            K::SessionLocked => E::SessionLocked { user: s("ann") },
            K::UserCreated => E::UserCreated {
                user: s("sam"),
                role: s("cashier"),
            },
            K::SaleCompleted => E::SaleCompleted {
                receipt: r,
                total: m(dec!(8.46)),
                digest: h,
            },
            K::RefundCompleted => E::RefundCompleted {
                receipt: ReceiptNo(8),
                original: r,
                total: m(dec!(1.29)),
                digest: h,
            },
            K::SaleVoided => E::SaleVoided {
                lines: 2,
                total: m(dec!(3.00)),
                tendered: vec![Tender {
                    kind: TenderKind::Card,
                    amount: m(dec!(1.00)),
                }],
                approved_by: Some(s("manager")),
            },
            K::Override => E::Override {
                permission: Permission::Refund,
                approved_by: s("manager"),
            },
            K::LineVoided => E::LineVoided {
                sku: s("pen"),
                quantity: dec!(2),
                amount: m(dec!(2.58)),
            },
            K::DrawerOpened => E::DrawerOpened {
                receipt: None,
                approved_by: None,
            },
            K::Reprinted => E::Reprinted {
                receipt: r,
                approved_by: None,
            },
            K::PriceChanged => E::PriceChanged {
                sku: s("tissue"),
                old: m(dec!(0.89)),
                new: m(dec!(0.99)),
            },
            K::PriceOverridden => E::PriceOverridden {
                sku: s("pen"),
                old: m(dec!(1.29)),
                new: m(dec!(1.00)),
                approved_by: None,
            },
            K::ShiftOpened => E::ShiftOpened {
                number: 3,
                lane: 1,
                float: m(dec!(100.00)),
            },
            K::CashMoved => E::CashMoved {
                shift: 3,
                amount: m(dec!(-20.00)),
                reason: s("bank"),
                approved_by: None,
            },
            K::ShiftClosed => E::ShiftClosed {
                number: 3,
                counted: m(dec!(83.49)),
                expected: m(dec!(100.00)),
            },
            K::ZReport => E::ZReport {
                number: 1,
                to_receipt: 7,
                gross: m(dec!(8.46)),
                grand_total: m(dec!(8.46)),
            },
            K::StockAdjusted => E::StockAdjusted {
                sku: s("pen"),
                delta: dec!(-2),
                reason: s("broken"),
            },
            K::StockReceived => E::StockReceived {
                reference: s("DN-7"),
                lines: vec![(s("pen"), dec!(12))],
            },
            K::ReorderLevelSet => E::ReorderLevelSet {
                sku: s("pen"),
                level: dec!(20),
            },
            K::PinReset => E::PinReset { user: s("sam") },
            K::UserDisabled => E::UserDisabled {
                user: s("sam"),
                disabled: true,
            },
            K::ProductChanged => E::ProductChanged {
                sku: s("pen"),
                old: s("tax std"),
                new: s("tax red"),
            },
            K::ProductsImported => E::ProductsImported {
                count: 323,
                digest: h,
            },
            K::HqJoined => E::HqJoined {
                url: s("https://hq.example:8443"),
            },
            K::CatalogApplied => E::CatalogApplied {
                version: 4,
                count: 2,
                digest: h,
            },
            K::CatalogRefused => E::CatalogRefused {
                version: 5,
                reason: s("bad price"),
            },
            K::CustomerAdded => E::CustomerAdded { id: 1 },
            K::CustomerCorrected => E::CustomerCorrected {
                id: 1,
                fields: vec![s("email")],
                record: h,
            },
            K::CustomerErased => E::CustomerErased { id: 1 },
            K::BackupTaken => E::BackupTaken { with_keys: false },
            K::RetentionApplied => E::RetentionApplied {
                first_seq: 100,
                prev_hash: h,
                receipts_kept_from: 40,
            },
            K::Exported => E::Exported {
                format: s("json"),
                customers: 3,
            },
            K::Restored => E::Restored { from: s("backup") },
            K::RequestRefused => E::RequestRefused {
                peer: s("pid 4 uid 1000"),
                asked: s("users"),
            },
            K::LockedOut => E::LockedOut {
                user: s("ann"),
                origin: s("uid 1000"),
                until: chrono::DateTime::<chrono::Utc>::MIN_UTC,
            },
        }
    }

    #[test]
    fn every_kind_of_entry_reads_as_a_sentence_without_rust_in_it() {
        for kind in K::iter() {
            let event = sample(kind);
            assert_eq!(JournalEventKind::from(&event), kind);
            let text = event.describe();
            assert!(!text.is_empty(), "{kind:?}");
            for rust in ["{", "}", "Money(", "Some(", "None", "\"", "_"] {
                assert!(!text.contains(rust), "{kind:?} reads {text:?}");
            }
        }
    }

    #[test]
    fn a_price_change_and_a_count_read_as_a_manager_says_them() {
        assert_eq!(
            sample(K::PriceChanged).describe(),
            "price of tissue: 0.89 -> 0.99"
        );
        assert_eq!(
            sample(K::ShiftClosed).describe(),
            "shift 3 closed: counted 83.49, expected 100.00, short -16.51"
        );
    }
}
