//! The engine's rules through its public API: selling, refusing bad input
//! without changing anything, permissions and manager approval, refunds.

use crate::common;

use common::sale::{pay, scan, scan_of};
use common::{demo_store, engine, login};
use rust_decimal::{Decimal, dec};
use till::domain::barcode::BarcodeError;
use till::domain::money::Money;
use till::domain::sale::SaleError;
use till::domain::tender::TenderKind;
use till::domain::user::Permission;
use till::engine::api::TillApi;
use till::engine::{Approval, Command, EngineError, Event};
use till::store::carts::CartRead;
use till::store::journal::JournalEvent;

#[test]
fn a_sale_completes_with_change_and_a_receipt_number() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("4006381333931")).expect("scan");
    e.execute(s, scan_of("5901234123457", dec!(2)))
        .expect("scan");
    let events = e
        .execute(s, pay(TenderKind::Cash, Some(dec!(10))))
        .expect("pay");
    let Event::Completed { sale, change } = &events[0] else {
        panic!("not completed: {events:?}")
    };
    assert_eq!(sale.receipt.0, 1);
    assert_eq!(sale.totals.total, Money::new(dec!(5.47)));
    assert_eq!(*change, Money::new(dec!(4.53)));
    assert!(
        e.cart(s).expect("cart").is_none(),
        "the lane is empty after the sale"
    );
    e.execute(s, scan("4006381333931")).expect("scan");
    let events = e
        .execute(s, pay(TenderKind::Card, None))
        .expect("exact card");
    let Event::Completed { sale, .. } = &events[0] else {
        panic!("not completed")
    };
    assert_eq!(sale.receipt.0, 2, "receipt numbers are consecutive");
}

#[test]
fn bad_codes_are_refused_and_change_nothing() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("4006381333931")).expect("scan");
    let before = e.cart(s).expect("cart");
    let err = e
        .execute(s, scan("4006381333932"))
        .expect_err("bad check digit");
    assert!(
        matches!(
            err,
            EngineError::Barcode(BarcodeError::BadCheckDigit {
                expected: 1,
                found: 2,
                ..
            })
        ),
        "{err}"
    );
    let err = e.execute(s, scan("4000000000006")).expect_err("unknown");
    assert!(matches!(err, EngineError::UnknownCode(_)), "{err}");
    assert!(err.to_string().contains("4000000000006"));
    let err = e.execute(s, scan("12ab")).expect_err("letters");
    assert!(matches!(err, EngineError::Barcode(_)));
    let err = e
        .execute(
            s,
            Command::SetQuantity {
                line: 0,
                quantity: dec!(1.5),
            },
        )
        .expect_err("half a pen");
    assert!(matches!(err, EngineError::Sale(SaleError::BadQuantity(..))));
    assert_eq!(e.cart(s).expect("cart"), before);
}

#[test]
fn weighed_goods_by_plu_and_by_scale_label() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    // Bananas at 1.99/kg, 1.25 kg.
    e.execute(s, scan_of("4011", dec!(1.25))).expect("plu");
    // Cheddar at 18.90/kg on a prefix-23 label with 0.500 kg.
    let label = till::demo::ean13("230010100500");
    let events = e.execute(s, scan(&label)).expect("label");
    let Event::Cart { totals, sale } = &events[0] else {
        panic!()
    };
    assert_eq!(sale.lines[1].quantity, dec!(0.500));
    assert_eq!(totals.lines[0].split.gross, Money::new(dec!(2.49)));
    assert_eq!(totals.lines[1].split.gross, Money::new(dec!(9.45)));
    let err = e
        .execute(
            s,
            Command::Scan {
                code: label,
                quantity: Some(dec!(2)),
            },
        )
        .expect_err("label has its weight");
    assert!(matches!(err, EngineError::QuantityOnLabel));
}

#[test]
fn underpaying_leaves_the_sale_open_and_card_cannot_overpay() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("9780306406157")).expect("book at 24.50");
    let events = e
        .execute(s, pay(TenderKind::Cash, Some(dec!(20))))
        .expect("partial cash");
    let Event::Cart { totals, .. } = &events[0] else {
        panic!("completed on too little money")
    };
    assert_eq!(totals.remaining, Money::new(dec!(4.50)));
    let err = e
        .execute(s, pay(TenderKind::Card, Some(dec!(5))))
        .expect_err("card over");
    assert!(
        err.to_string().contains("change is given only from cash"),
        "{err}"
    );
    let err = e.execute(s, scan("4006381333931")).expect_err("frozen");
    assert!(matches!(err, EngineError::Sale(SaleError::LinesFrozen)));
    assert!(
        e.store()
            .sale(till::domain::sale::ReceiptNo(1))
            .expect("read")
            .is_none(),
        "no receipt yet"
    );
    let events = e
        .execute(s, pay(TenderKind::Card, None))
        .expect("rest by card");
    assert!(matches!(events[0], Event::Completed { .. }));
}

#[test]
fn cashier_needs_a_manager_to_refund_or_void_after_payment() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan_of("5901234123457", dec!(3)))
        .expect("scan");
    e.execute(s, pay(TenderKind::Cash, None)).expect("pay");

    let refund = |approval| Command::StartRefund {
        receipt: 1,
        approval,
    };
    let err = e.execute(s, refund(None)).expect_err("cashier alone");
    assert!(matches!(
        err,
        EngineError::NeedsApproval(Permission::Refund, _)
    ));
    let wrong = Approval {
        user: "manager".into(),
        pin: "0000".into(),
    };
    assert!(matches!(
        e.execute(s, refund(Some(wrong))).expect_err("wrong pin"),
        EngineError::BadLogin
    ));
    let cashier_approves = Approval {
        user: "cashier".into(),
        pin: "1111".into(),
    };
    assert!(matches!(
        e.execute(s, refund(Some(cashier_approves)))
            .expect_err("cashier cannot approve"),
        EngineError::ApprovalRefused(Permission::Refund)
    ));
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    e.execute(s, refund(Some(ok))).expect("approved refund");
    e.execute(
        s,
        Command::RefundLine {
            line: 0,
            quantity: dec!(2),
        },
    )
    .expect("two of three");
    let err = e
        .execute(
            s,
            Command::RefundLine {
                line: 0,
                quantity: dec!(2),
            },
        )
        .expect_err("only one left");
    assert!(
        err.to_string().contains("only 1 of line #1 is left"),
        "{err}"
    );
    let events = e.execute(s, pay(TenderKind::Cash, None)).expect("pay out");
    let Event::Completed { sale, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(sale.totals.total, Money::new(dec!(3.98)));
    assert_eq!(sale.sale.approved_by.as_deref(), Some("manager"));

    // The last one, then nothing more.
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    e.execute(s, refund(Some(ok.clone())))
        .expect("refund again");
    e.execute(
        s,
        Command::RefundLine {
            line: 0,
            quantity: dec!(1),
        },
    )
    .expect("last one");
    e.execute(s, pay(TenderKind::Cash, None)).expect("pay out");
    e.execute(s, refund(Some(ok.clone())))
        .expect("refund again");
    assert!(
        e.execute(
            s,
            Command::RefundLine {
                line: 0,
                quantity: dec!(1)
            }
        )
        .is_err()
    );
    e.execute(s, Command::VoidSale { approval: None })
        .expect("an empty refund may be dropped");

    // Voiding once a payment was taken needs a manager too.
    e.execute(s, scan("9780306406157")).expect("scan");
    e.execute(s, pay(TenderKind::Card, Some(dec!(10))))
        .expect("part by card");
    let err = e
        .execute(s, Command::VoidSale { approval: None })
        .expect_err("void after tender");
    assert!(matches!(
        err,
        EngineError::NeedsApproval(Permission::VoidAfterTender, _)
    ));
    e.execute(s, Command::VoidSale { approval: Some(ok) })
        .expect("approved void");
    assert!(e.cart(s).expect("cart").is_none());
    e.store().verify_journal().expect("journal holds");
}

#[test]
fn repeated_wrong_pins_lock_the_user() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    for _ in 0..till::engine::MAX_FAILED_PINS {
        assert!(matches!(
            e.login("cashier", "0000", 1),
            Err(EngineError::BadLogin)
        ));
    }
    assert!(matches!(
        e.login("cashier", "1111", 1),
        Err(EngineError::LockedOut { .. })
    ));
    assert!(matches!(
        e.login("nobody", "1111", 1),
        Err(EngineError::BadLogin)
    ));
    let failed = e
        .store()
        .journal()
        .filter(|r| {
            matches!(
                r.as_ref().map(|r| &r.entry.event),
                Ok(till::store::journal::JournalEvent::LoginFailed { .. })
            )
        })
        .count();
    assert_eq!(failed, till::engine::MAX_FAILED_PINS as usize + 1);
}

#[test]
fn wrong_pins_lock_a_user_out_only_where_they_came_from() {
    use till::store::journal::JournalEvent;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    for _ in 0..till::engine::MAX_FAILED_PINS {
        assert!(matches!(
            e.login_from("admin", "1234", 0, "uid 4242"),
            Err(EngineError::BadLogin)
        ));
    }
    // The guesser is locked out, even with the right PIN...
    assert!(matches!(
        e.login_from("admin", "0000", 0, "uid 4242"),
        Err(EngineError::LockedOut { .. })
    ));
    // ...the real admin at the kiosk is not, and sees who is locked.
    let admin = e
        .login_from("admin", "0000", 0, "uid 1000")
        .expect("the kiosk's admin gets in");
    let users = e.users(admin).expect("users");
    assert!(users.iter().any(|u| u.name == "admin" && u.locked));
    let locks: Vec<_> = e
        .store()
        .journal()
        .filter_map(|r| match r.expect("entry").entry.event {
            JournalEvent::LockedOut { user, origin, .. } => Some((user, origin)),
            _ => None,
        })
        .collect();
    assert_eq!(locks, [("admin".to_string(), "uid 4242".to_string())]);
    // A PIN reset forgives everywhere.
    e.execute(
        admin,
        Command::ResetPin {
            user: "admin".into(),
            pin: "2468".into(),
        },
    )
    .expect("reset");
    e.login_from("admin", "2468", 0, "uid 4242")
        .expect("forgiven after a reset");
}

#[test]
fn discounts_beyond_the_cashier_limit_need_a_supervisor() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("9780306406157")).expect("book at 24.50");
    let pct = |p: Decimal| Some(till::domain::discount::Discount::Percent(p));
    e.execute(
        s,
        Command::LineDiscount {
            line: 0,
            discount: pct(dec!(10)),
            approval: None,
        },
    )
    .expect("10 % is allowed");
    let err = e
        .execute(
            s,
            Command::SaleDiscount {
                discount: pct(dec!(100)),
                approval: None,
            },
        )
        .expect_err("a free sale");
    assert!(
        matches!(
            err,
            EngineError::NeedsApproval(Permission::LargeDiscount, _)
        ),
        "{err}"
    );
    let amount = Some(till::domain::discount::Discount::Amount(Money::new(dec!(
        5
    ))));
    let err = e
        .execute(
            s,
            Command::SaleDiscount {
                discount: amount,
                approval: None,
            },
        )
        .expect_err("5 of 22.05");
    assert!(matches!(
        err,
        EngineError::NeedsApproval(Permission::LargeDiscount, _)
    ));
    let (sale, _) = e.cart(s).expect("cart").expect("open");
    assert_eq!(sale.discount, None, "the refused discount was not kept");
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    let events = e
        .execute(
            s,
            Command::SaleDiscount {
                discount: pct(dec!(50)),
                approval: Some(ok),
            },
        )
        .expect("approved");
    let Event::Cart { totals, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(totals.total, Money::new(dec!(11.03)));
    let overrides = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .filter(|r| matches!(&r.entry.event, JournalEvent::Override { approved_by, .. } if approved_by == "manager"))
        .count();
    assert_eq!(overrides, 1);
}

#[test]
fn weighed_goods_need_a_weight_and_labels_must_fit_the_product() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    let err = e
        .execute(s, scan("4011"))
        .expect_err("bananas without a weight");
    assert!(
        matches!(err, EngineError::WeightNeeded(ref name) if name == "Bananas"),
        "{err}"
    );
    assert!(err.to_string().contains("0.5*4011"));
    // A weight label (prefix 23) whose item is registered as a piece product.
    let product = till::domain::product::Product {
        sku: "cake".into(),
        name: "Cake slice".into(),
        price: Money::new(dec!(2.50)),
        tax_code: "food".into(),
        unit: till::domain::product::Unit::Each,
        barcodes: vec![till::demo::ean13("230099900000")],
        plu: None,
    };
    e.store().put_products(&[product], None).expect("add");
    let err = e
        .execute(s, scan(&till::demo::ean13("230099901000")))
        .expect_err("weight label on a piece");
    assert!(matches!(err, EngineError::LabelMismatch(_)), "{err}");
    assert!(e.cart(s).expect("cart").is_none());
}

#[test]
fn voids_are_journaled_with_what_was_paid() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "manager", "9999");
    e.execute(s, scan("4006381333931")).expect("scan");
    e.execute(s, scan("9780306406157")).expect("scan");
    e.execute(s, Command::VoidLine { line: 0 })
        .expect("void a line");
    e.execute(s, pay(TenderKind::Card, Some(dec!(10))))
        .expect("part");
    e.execute(s, Command::VoidSale { approval: None })
        .expect("manager voids");
    let events: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    assert!(events.iter().any(|ev| matches!(ev, JournalEvent::LineVoided { sku, amount, .. } if sku == "pen" && *amount == Money::new(dec!(1.49)))));
    let voided = events.iter().find_map(|ev| match ev {
        JournalEvent::SaleVoided {
            tendered, total, ..
        } => Some((tendered.clone(), *total)),
        _ => None,
    });
    let (tendered, total) = voided.expect("void journaled");
    assert_eq!(total, Money::new(dec!(24.50)));
    assert_eq!(tendered.len(), 1);
    assert_eq!(tendered[0].kind, TenderKind::Card);
}

#[test]
fn cash_rounding_settles_the_last_cents() {
    let (_dir, path) = demo_store();
    {
        // Swiss-style: cash in steps of 0.05.
        let db = common::raw_sled(&path);
        let meta = db.open_tree("meta").expect("meta");
        let raw = meta.get("settings").expect("read").expect("settings");
        let mut settings: till::store::settings::StoreSettings =
            till::store::envelope::decode(&raw, "settings").expect("decode");
        settings.rules.cash_increment = Some(dec!(0.05));
        meta.insert(
            "settings",
            till::store::envelope::encode(&settings).expect("encode"),
        )
        .expect("write");
        db.flush().expect("flush");
    }
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan_of("4006381333931", dec!(2)))
        .expect("2.98");
    let err = e
        .execute(s, pay(TenderKind::Cash, Some(dec!(2.99))))
        .expect_err("no such coins");
    assert!(
        matches!(err, EngineError::Sale(SaleError::NotInCoins { .. })),
        "{err}"
    );
    e.execute(s, pay(TenderKind::Card, Some(dec!(2.95))))
        .expect("card part");
    // 0.03 is left; in cash that rounds to 0.05.
    let events = e
        .execute(s, pay(TenderKind::Cash, None))
        .expect("exact cash");
    let Event::Completed { sale, change } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(sale.sale.tenders[1].amount, Money::new(dec!(0.05)));
    assert_eq!(sale.sale.cash_rounding, Money::new(dec!(0.02)));
    assert_eq!(*change, Money::ZERO);
    // 0.02 left rounds to nothing in cash: a zero cash payment settles it.
    e.execute(s, scan_of("4006381333931", dec!(2)))
        .expect("2.98");
    e.execute(s, pay(TenderKind::Card, Some(dec!(2.96))))
        .expect("card part");
    let events = e
        .execute(s, pay(TenderKind::Cash, None))
        .expect("nothing to hand over");
    let Event::Completed { sale, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(sale.sale.cash_rounding, Money::new(dec!(-0.02)));
    assert_eq!(sale.totals.paid, sale.totals.total);
}

#[test]
fn the_lockout_grows_and_always_ends() {
    use till::engine::lockout;
    assert_eq!(lockout(4), None);
    assert_eq!(lockout(5), Some(chrono::Duration::seconds(30)));
    assert_eq!(lockout(6), Some(chrono::Duration::seconds(60)));
    assert_eq!(lockout(40), Some(chrono::Duration::seconds(3600)));
}

#[test]
fn held_sales_come_back_on_any_lane() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let a = e.login("cashier", "1111", 1).expect("lane 1");
    let b = e.login("manager", "9999", 2).expect("lane 2");
    e.execute(a, scan("4006381333931")).expect("scan");
    let events = e.execute(a, Command::Hold).expect("hold");
    let Event::Held { id } = events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(id, 1);
    assert!(e.cart(a).expect("cart").is_none());
    e.execute(b, Command::Recall { id })
        .expect("recall on lane 2");
    assert_eq!(e.cart(b).expect("cart").expect("recalled").0.lines.len(), 1);
    assert!(matches!(
        e.execute(a, Command::Recall { id }),
        Err(EngineError::NoSuchHeld(1))
    ));
    assert!(e.held().expect("held").is_empty());
}

#[test]
fn an_approved_refund_is_not_inherited_by_the_next_user() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("4006381333931")).expect("scan");
    e.execute(s, pay(TenderKind::Cash, None)).expect("sale");
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    e.execute(
        s,
        Command::StartRefund {
            receipt: 1,
            approval: Some(ok),
        },
    )
    .expect("approved");
    e.execute(
        s,
        Command::RefundLine {
            line: 0,
            quantity: dec!(1),
        },
    )
    .expect("the approved cashier goes on");
    // The cashier walks away without logging out; another cashier takes the lane.
    let other = e.login("cashier", "1111", 1).expect("same lane");
    let _ = other;
    let admin = e.login("admin", "0000", 1).expect("admin");
    e.execute(admin, pay(TenderKind::Cash, None))
        .expect("an admin may refund");
    let store = e.store();
    assert_eq!(store.sales().count(), 2);

    // A cashier who did not open the refund needs approval to go on with it.
    let s2 = login(&mut e, "cashier", "1111");
    e.execute(s2, scan("9780306406157")).expect("scan");
    e.execute(s2, pay(TenderKind::Card, None)).expect("sale 3");
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    let m = e.login("manager", "9999", 3).expect("manager on lane 3");
    e.execute(
        m,
        Command::StartRefund {
            receipt: 3,
            approval: Some(ok),
        },
    )
    .expect("manager opens");
    let c3 = e.login("cashier", "1111", 3).expect("cashier on lane 3");
    let err = e
        .execute(
            c3,
            Command::RefundLine {
                line: 0,
                quantity: dec!(1),
            },
        )
        .expect_err("not theirs");
    assert!(
        matches!(err, EngineError::NeedsApproval(Permission::Refund, _)),
        "{err}"
    );
}

#[test]
fn reprints_are_duplicates_and_no_sales_need_a_manager() {
    use till::store::print_queue::JobKind;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let m = login(&mut e, "manager", "9999");
    let err = e.execute(
        m,
        Command::Reprint {
            receipt: None,
            approval: None,
        },
    );
    assert!(
        matches!(err, Err(EngineError::NoPrinter)),
        "no printer, no reprint"
    );
    let (wake, _sleep) = std::sync::mpsc::channel();
    e.attach_printer(wake, true);
    let s = login(&mut e, "cashier", "1111");
    for _ in 0..2 {
        e.execute(s, scan("4006381333931")).expect("scan");
        e.execute(s, pay(TenderKind::Card, None)).expect("sale");
    }
    let events = e
        .execute(
            s,
            Command::Reprint {
                receipt: None,
                approval: None,
            },
        )
        .expect("the last one");
    assert!(matches!(&events[0], Event::Reprinted { receipt } if receipt == "T01-000002"));
    let err = e
        .execute(
            s,
            Command::Reprint {
                receipt: Some(1),
                approval: None,
            },
        )
        .expect_err("an older one");
    assert!(matches!(
        err,
        EngineError::NeedsApproval(Permission::Reprint, _)
    ));
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    e.execute(
        s,
        Command::Reprint {
            receipt: Some(1),
            approval: Some(ok.clone()),
        },
    )
    .expect("approved");
    assert!(matches!(
        e.execute(s, Command::NoSale { approval: None })
            .expect_err("cashier"),
        EngineError::NeedsApproval(Permission::NoSale, _)
    ));
    e.execute(s, Command::NoSale { approval: Some(ok) })
        .expect("approved no-sale");

    let queue = e.store().print_queue();
    let mut jobs = Vec::new();
    while let Some((id, job)) = queue.next().expect("queue") {
        jobs.push(job);
        queue.done(id).expect("done");
    }
    let kinds: Vec<String> = jobs
        .iter()
        .map(|j| match &j.kind {
            JobKind::Receipt {
                receipt, duplicate, ..
            } => format!("{}{}", receipt.0, if *duplicate { "d" } else { "" }),
            JobKind::DrawerOnly => format!("drawer{}", if j.kick { "+kick" } else { "" }),
            JobKind::Report { .. } => "report".into(),
        })
        .collect();
    assert_eq!(kinds, ["1", "2", "2d", "1d", "drawer+kick"]);
    let journal: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    let reprints = journal
        .iter()
        .filter(|ev| matches!(ev, JournalEvent::Reprinted { .. }))
        .count();
    assert_eq!(reprints, 2);
    assert!(journal.iter().any(|ev| matches!(ev,
        JournalEvent::DrawerOpened { receipt: None, approved_by: Some(m) } if m == "manager")));
}

#[test]
fn idle_sessions_lock_and_permissions_follow_the_policy() {
    use till::domain::permissions::PermissionTable;
    use till::domain::user::Role;
    use till::engine::Policy;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let mut permissions = PermissionTable::default();
    permissions
        .set(Permission::Refund, Role::Cashier)
        .expect("set");
    e.set_policy(Policy {
        permissions,
        idle_lock: Some(chrono::TimeDelta::milliseconds(300)),
    });
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("4006381333931")).expect("scan");
    e.execute(s, pay(TenderKind::Card, None)).expect("sale");
    e.execute(
        s,
        Command::StartRefund {
            receipt: 1,
            approval: None,
        },
    )
    .expect("this shop lets cashiers refund");
    e.execute(s, Command::VoidSale { approval: None })
        .expect("drop the refund");
    e.execute(s, scan("4006381333931")).expect("scan");
    std::thread::sleep(std::time::Duration::from_millis(400));
    let err = e
        .execute(s, scan("4006381333931"))
        .expect_err("idle too long");
    assert!(matches!(err, EngineError::SessionLocked { .. }), "{err}");
    assert!(matches!(
        e.execute(s, scan("4006381333931")),
        Err(EngineError::NoSession)
    ));
    let s = login(&mut e, "cashier", "1111");
    assert_eq!(
        e.cart(s).expect("cart").expect("kept").0.lines.len(),
        1,
        "the sale waited"
    );
    let locked = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .any(|r| matches!(r.entry.event, JournalEvent::SessionLocked { .. }));
    assert!(locked);
}

#[test]
fn shifts_count_the_drawer_and_z_reports_keep_a_grand_total() {
    use till::domain::money::Money as M;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let c = login(&mut e, "cashier", "1111");
    let m = e.login("manager", "9999", 2).expect("manager elsewhere");
    let money = |d: Decimal| M::new(d);
    e.execute(
        c,
        Command::OpenShift {
            float: money(dec!(100)),
        },
    )
    .expect("open");
    assert!(matches!(
        e.execute(
            c,
            Command::OpenShift {
                float: money(dec!(1))
            }
        ),
        Err(EngineError::ShiftOpen(1))
    ));
    // Cash sale 2.98 paid with 5.00: 2.98 stays in the drawer.
    e.execute(c, scan_of("4006381333931", dec!(2)))
        .expect("scan");
    e.execute(c, pay(TenderKind::Cash, Some(dec!(5))))
        .expect("cash");
    // Card sale: nothing in the drawer.
    e.execute(c, scan("9780306406157")).expect("scan");
    e.execute(c, pay(TenderKind::Card, None)).expect("card");
    // A sale on the manager's lane is not this drawer's.
    e.execute(m, scan("4006381333931")).expect("scan");
    e.execute(m, pay(TenderKind::Cash, None))
        .expect("cash on lane 2");
    let cash_out = Command::CashMovement {
        amount: money(dec!(-5)),
        reason: "window cleaner".into(),
        approval: None,
    };
    assert!(matches!(
        e.execute(c, cash_out.clone()),
        Err(EngineError::NeedsApproval(
            Permission::CashMovement,
            till::domain::user::Role::Supervisor
        ))
    ));
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    let with = Command::CashMovement {
        amount: money(dec!(-5)),
        reason: "window cleaner".into(),
        approval: Some(ok.clone()),
    };
    e.execute(c, with).expect("approved paid-out");
    let events = e
        .execute(
            c,
            Command::CloseShift {
                counted: money(dec!(97.50)),
            },
        )
        .expect("close");
    let Event::Shift(shift) = &events[0] else {
        panic!("{events:?}")
    };
    let close = shift.close.as_ref().expect("closed");
    assert_eq!(
        close.expected,
        money(dec!(97.98)),
        "100 float + 2.98 cash - 5 paid out"
    );
    assert_eq!(close.over_short(), money(dec!(-0.48)));
    assert!(matches!(
        e.execute(
            c,
            Command::CloseShift {
                counted: money(dec!(1))
            }
        ),
        Err(EngineError::NoShift)
    ));

    // The X report would tell the cashier what the blind count should find.
    assert!(matches!(
        e.execute(c, Command::XReport { approval: None }),
        Err(EngineError::NeedsApproval(Permission::ViewReports, _))
    ));
    let events = e
        .execute(m, Command::XReport { approval: None })
        .expect("x");
    let Event::Report { report: x, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        (x.z_number, x.takings.sales, x.takings.gross),
        (None, 3, money(dec!(28.97)))
    );
    assert_eq!(x.takings.tenders[&TenderKind::Card], money(dec!(24.50)));
    assert!(matches!(
        e.execute(
            c,
            Command::ZReport {
                approval: None,
                despite_open_sales: false
            }
        ),
        Err(EngineError::NeedsApproval(Permission::CloseDay, _))
    ));
    let events = e
        .execute(
            c,
            Command::ZReport {
                approval: Some(ok.clone()),
                despite_open_sales: false,
            },
        )
        .expect("z");
    let Event::Report { report: z1, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        (z1.z_number, z1.to_receipt, z1.grand_total),
        (Some(1), 3, money(dec!(28.97)))
    );
    // The next day: the Z counts only new sales; the grand total never resets.
    e.execute(c, scan("4006381333931")).expect("scan");
    e.execute(c, pay(TenderKind::Card, None)).expect("card");
    let events = e
        .execute(
            m,
            Command::ZReport {
                approval: None,
                despite_open_sales: false,
            },
        )
        .expect("manager's z");
    let Event::Report { report: z2, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        (z2.z_number, z2.from_receipt, z2.takings.sales),
        (Some(2), 4, 1)
    );
    assert_eq!(z2.grand_total, money(dec!(30.46)));
    let journal: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    let zs: Vec<u64> = journal
        .iter()
        .filter_map(|ev| match ev {
            JournalEvent::ZReport { number, .. } => Some(*number),
            _ => None,
        })
        .collect();
    assert_eq!(zs, [1, 2]);
    assert!(journal.iter().any(|ev| matches!(ev, JournalEvent::CashMoved { reason, approved_by: Some(a), .. } if reason == "window cleaner" && a == "manager")));
    assert!(
        journal
            .iter()
            .any(|ev| matches!(ev, JournalEvent::ShiftClosed { number: 1, .. }))
    );
    e.store().verify_journal().expect("chain holds");
}

#[test]
fn stock_moves_with_sales_refunds_counts_and_deliveries() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let c = login(&mut e, "cashier", "1111");
    let m = e.login("manager", "9999", 2).expect("manager");
    let level = |e: &till::engine::Engine| e.store().stock("pen").expect("stock");
    let deliver = Command::ReceiveDelivery {
        reference: "DN-1001".into(),
        lines: vec![("pen".into(), dec!(10))],
    };
    assert!(matches!(
        e.execute(c, deliver.clone()),
        Err(EngineError::NeedsApproval(Permission::ManageStock, _))
    ));
    e.execute(m, deliver).expect("delivery");
    e.execute(
        m,
        Command::SetReorderLevel {
            sku: "pen".into(),
            level: dec!(7),
        },
    )
    .expect("reorder level");
    e.execute(c, scan_of("4006381333931", dec!(4)))
        .expect("scan");
    e.execute(c, pay(TenderKind::Card, None)).expect("sale");
    assert_eq!(level(&e).on_hand, dec!(6));
    assert_eq!(
        e.stock(m, true)
            .expect("low")
            .iter()
            .map(|r| r.sku.as_str())
            .collect::<Vec<_>>(),
        ["pen"]
    );
    e.execute(
        m,
        Command::StartRefund {
            receipt: 1,
            approval: None,
        },
    )
    .expect("refund");
    e.execute(
        m,
        Command::RefundLine {
            line: 0,
            quantity: dec!(1),
        },
    )
    .expect("one back");
    e.execute(m, pay(TenderKind::Card, None))
        .expect("paid back");
    assert_eq!(level(&e).on_hand, dec!(7));
    let err = e.execute(
        m,
        Command::AdjustStock {
            sku: "pen".into(),
            delta: dec!(-2),
            reason: " ".into(),
        },
    );
    assert!(matches!(err, Err(EngineError::NoReason)));
    e.execute(
        m,
        Command::AdjustStock {
            sku: "pen".into(),
            delta: dec!(-2),
            reason: "broken".into(),
        },
    )
    .expect("adjust");
    assert_eq!(level(&e).on_hand, dec!(5));
    let journal: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    assert!(journal.iter().any(
        |ev| matches!(ev, JournalEvent::StockReceived { reference, .. } if reference == "DN-1001")
    ));
    assert!(
        journal.iter().any(
            |ev| matches!(ev, JournalEvent::StockAdjusted { reason, .. } if reason == "broken")
        )
    );
}

#[test]
fn an_admin_adds_users_resets_pins_and_disables_them() {
    use till::domain::user::Role;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let m = login(&mut e, "manager", "9999");
    let add = Command::AddUser {
        name: "sam".into(),
        role: Role::Cashier,
        pin: "2468".into(),
    };
    assert!(matches!(
        e.execute(m, add.clone()),
        Err(EngineError::NeedsApproval(
            Permission::ManageUsers,
            Role::Admin
        ))
    ));
    let a = login(&mut e, "admin", "0000");
    e.execute(a, add.clone()).expect("admin adds");
    assert!(
        matches!(e.execute(a, add), Err(EngineError::BadUser(_))),
        "no two users of one name"
    );
    let bad = Command::AddUser {
        name: "kim".into(),
        role: Role::Cashier,
        pin: "12".into(),
    };
    assert!(matches!(e.execute(a, bad), Err(EngineError::BadPin(_))));
    e.login("sam", "2468", 3).expect("sam sells");
    e.execute(
        a,
        Command::ResetPin {
            user: "sam".into(),
            pin: "1357".into(),
        },
    )
    .expect("reset");
    assert!(matches!(
        e.login("sam", "2468", 3),
        Err(EngineError::BadLogin)
    ));
    let sam = e.login("sam", "1357", 3).expect("the new PIN");
    e.execute(
        a,
        Command::SetUserDisabled {
            user: "sam".into(),
            disabled: true,
        },
    )
    .expect("disable");
    assert!(
        matches!(
            e.execute(sam, scan("4006381333931")),
            Err(EngineError::NoSession)
        ),
        "their session ends"
    );
    assert!(matches!(
        e.login("sam", "1357", 3),
        Err(EngineError::BadLogin)
    ));
    assert!(matches!(
        e.execute(
            a,
            Command::SetUserDisabled {
                user: "admin".into(),
                disabled: true
            }
        ),
        Err(EngineError::BadUser(_))
    ));
    let users = e.users(a).expect("users");
    assert!(users.iter().any(|u| u.name == "sam" && u.disabled));
    let journal: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    assert!(
        journal
            .iter()
            .any(|ev| matches!(ev, JournalEvent::PinReset { user } if user == "sam"))
    );
    assert!(journal.iter().any(
        |ev| matches!(ev, JournalEvent::UserDisabled { user, disabled: true } if user == "sam")
    ));
}

#[test]
fn a_manager_edits_a_products_tax_and_codes() {
    use till::engine::ProductChange;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let m = login(&mut e, "manager", "9999");
    let edit = |change| Command::EditProduct {
        sku: "pen".into(),
        change,
    };
    let new_code = till::demo::ean13("401239999999");
    let last_line = |events: Vec<Event>| {
        let Event::Cart { sale, .. } = &events[0] else {
            panic!("{events:?}")
        };
        let line = sale.lines.last().expect("a line");
        (line.sku.clone(), line.tax_code.clone())
    };
    // Scanned before every edit: what a scan finds is kept until the
    // catalog changes, and each answer below must be the edit's.
    let before = e.execute(m, scan("4006381333931")).expect("the pen");
    assert_eq!(last_line(before), ("pen".into(), "std".into()));
    e.execute(m, edit(ProductChange::TaxCategory("red".into())))
        .expect("tax");
    let after = e.execute(m, scan("4006381333931")).expect("the pen");
    assert_eq!(last_line(after), ("pen".into(), "red".into()));
    assert!(
        e.execute(m, edit(ProductChange::TaxCategory("luxury".into())))
            .is_err()
    );
    e.execute(m, edit(ProductChange::AddBarcode(new_code.clone())))
        .expect("code");
    let taken = e.execute(m, edit(ProductChange::AddBarcode("96385074".into())));
    assert!(
        matches!(taken, Err(EngineError::CodeTaken { .. })),
        "{taken:?}"
    );
    assert!(
        e.execute(m, edit(ProductChange::AddBarcode("4006381333932".into())))
            .is_err(),
        "bad check digit"
    );
    let events = e
        .execute(m, scan(&new_code))
        .expect("the new code sells the pen");
    assert_eq!(last_line(events), ("pen".into(), "red".into()));
    e.execute(
        m,
        edit(ProductChange::RemoveBarcode("4006381333931".into())),
    )
    .expect("remove");
    assert!(matches!(
        e.execute(m, scan("4006381333931")),
        Err(EngineError::UnknownCode(_))
    ));
    let changed = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .filter(|r| matches!(r.entry.event, JournalEvent::ProductChanged { .. }))
        .count();
    assert_eq!(changed, 3);
}

#[test]
fn nobody_manages_a_user_above_themself_and_deliveries_add_up() {
    use till::domain::permissions::PermissionTable;
    use till::domain::user::Role;
    use till::engine::Policy;
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let mut permissions = PermissionTable::default();
    permissions
        .set(Permission::ManageUsers, Role::Manager)
        .expect("set");
    e.set_policy(Policy {
        permissions,
        idle_lock: None,
    });
    let m = login(&mut e, "manager", "9999");
    let admin = Command::AddUser {
        name: "boss".into(),
        role: Role::Admin,
        pin: "8642".into(),
    };
    assert!(matches!(
        e.execute(m, admin),
        Err(EngineError::ApprovalRefused(_))
    ));
    let reset = Command::ResetPin {
        user: "admin".into(),
        pin: "1234".into(),
    };
    assert!(
        matches!(e.execute(m, reset), Err(EngineError::ApprovalRefused(_))),
        "the admin's PIN is safe"
    );
    e.execute(
        m,
        Command::AddUser {
            name: "sam".into(),
            role: Role::Cashier,
            pin: "2468".into(),
        },
    )
    .expect("a cashier");
    let lines = vec![("pen".to_string(), dec!(5)), ("pen".to_string(), dec!(3))];
    e.execute(
        m,
        Command::ReceiveDelivery {
            reference: "DN-2".into(),
            lines,
        },
    )
    .expect("delivery");
    assert_eq!(e.store().stock("pen").expect("stock").on_hand, dec!(8));
    let huge = Command::AdjustStock {
        sku: "pen".into(),
        delta: Decimal::MAX,
        reason: "typo".into(),
    };
    assert!(e.execute(m, huge).is_err(), "no overflow, no panic");
}

/// A cart at the bounds (the longest names, the most lines) still reaches
/// the screen in one frame; one past them, as an older till could have
/// stored, is parked as a held sale with a clear refusal instead of making
/// every answer for the lane too large to send.
#[test]
fn a_cart_at_the_limits_reaches_the_screen_and_an_oversized_one_is_parked() {
    use till::domain::limits::{MAX_CART_LINES, MAX_PRODUCT_NAME, MAX_SKU};
    use till::domain::product::{Product, Unit};
    use till::ipc::frame;
    use till::store::Store;

    let (_dir, path) = demo_store();
    let wide = |n: usize| "𝄞".repeat(n);
    let product = Product {
        sku: wide(MAX_SKU),
        name: wide(MAX_PRODUCT_NAME),
        price: Money::new(dec!(999999.99)),
        tax_code: till::domain::pricing::PriceRules::default().tax_categories[0]
            .code
            .clone(),
        unit: Unit::Each,
        barcodes: vec![],
        plu: None,
    };
    Store::open(&path)
        .expect("store")
        .put_products(std::slice::from_ref(&product), None)
        .expect("product");
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    let add = Command::AddSku {
        sku: product.sku.clone(),
        quantity: Some(dec!(99999)),
    };
    for _ in 0..MAX_CART_LINES {
        e.execute(s, add.clone()).expect("a line within the bound");
    }
    assert!(matches!(
        e.execute(s, add.clone()),
        Err(EngineError::Sale(SaleError::TooManyLines))
    ));
    let cart = e.cart(s).expect("cart").expect("a cart");
    let mut wire = Vec::new();
    frame::write(&mut wire, &cart).expect("the largest cart fits a frame");
    assert!(wire.len() < frame::MAX_FRAME / 4, "{} bytes", wire.len());
    let back: Option<(till::domain::sale::Sale, till::domain::sale::Totals)> =
        frame::read(&mut wire.as_slice()).expect("read");
    assert_eq!(back.as_ref(), Some(&cart));
    drop(e);

    // What an older till could have stored: more lines, and a 5 MiB name.
    let store = Store::open(&path).expect("store");
    let mut sale = store
        .cart(1, CartRead::Show)
        .expect("cart")
        .expect("a cart");
    let mut huge = sale.lines[0].clone();
    huge.name = "n".repeat(5 << 20);
    sale.lines.push(huge);
    store
        .save_cart(1, &std::sync::Arc::new(sale))
        .expect("save");
    drop(store);
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    let Err(EngineError::CartTooLarge { held, why }) = e.cart(s) else {
        panic!("the oversized cart is refused")
    };
    assert!(
        why.to_string().contains("lines on a sale: at most 500"),
        "{why}"
    );
    assert!(e.cart(s).expect("cart").is_none(), "the lane is free");
    assert!(
        e.store()
            .held_sales()
            .any(|h| h.is_ok_and(|h| h.id == held && h.sale.lines.len() == MAX_CART_LINES + 1)),
        "nothing of it is lost"
    );
    assert!(
        e.held().expect("held").is_empty(),
        "but it is not listed: it would not fit an answer"
    );
    // Recalling it parks it again, and the lane stays free to sell.
    assert!(matches!(
        e.execute(s, Command::Recall { id: held }),
        Err(EngineError::CartTooLarge { .. })
    ));
    assert!(e.cart(s).expect("cart").is_none());
    e.execute(s, scan("4006381333931")).expect("the lane sells");
    e.execute(s, Command::VoidSale { approval: None })
        .expect("void");

    // Held sales at the limits: the list stops where one answer is full.
    let (largest, totals) = cart;
    for _ in 0..6 {
        let held = till::domain::sale::HeldSale {
            id: 0,
            held_at: chrono::Utc::now(),
            held_by: "cashier".into(),
            total: totals.total,
            sale: largest.clone(),
        };
        e.store().hold_cart(1, &held).expect("hold");
    }
    let listed = e.held().expect("held");
    assert!((2..6).contains(&listed.len()), "{} listed", listed.len());
    let mut wire = Vec::new();
    frame::write(&mut wire, &listed).expect("the held list fits a frame");
}

/// A report prints only when there is a printer: a Z queues exactly one job,
/// carrying the Z as stored, in the Z's own write; an X queues one too (a
/// cashier's with the approval's journal entry). No printer: the report is
/// shown, nothing is queued, nothing fails. A report job survives export.
#[test]
fn reports_queue_their_printout_only_when_there_is_a_printer() {
    use till::store::dump::Keyed;
    use till::store::print_queue::{JobKind, PrintJob};
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let m = login(&mut e, "manager", "9999");
    let z = Command::ZReport {
        approval: None,
        despite_open_sales: false,
    };
    e.execute(m, scan("4006381333931")).expect("scan");
    e.execute(m, pay(TenderKind::Card, None)).expect("sale");
    for command in [Command::XReport { approval: None }, z.clone()] {
        let events = e.execute(m, command).expect("a report without a printer");
        assert!(
            matches!(
                &events[0],
                Event::Report {
                    to_printer: false,
                    ..
                }
            ),
            "{events:?}"
        );
    }
    assert!(e.store().print_queue().is_empty(), "no printer, no job");

    let (wake, sleep) = std::sync::mpsc::channel();
    e.attach_printer(wake, true);
    e.execute(m, scan("4006381333931")).expect("scan");
    e.execute(m, pay(TenderKind::Card, None)).expect("sale");
    let queue = e.store().print_queue();
    let (receipt, _) = queue.next().expect("queue").expect("the sale's receipt");
    queue.done(receipt).expect("printed");
    while sleep.try_recv().is_ok() {}

    let events = e.execute(m, z).expect("z");
    let Event::Report {
        report,
        shifts,
        to_printer: true,
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(report.z_number, Some(2));
    assert_eq!(queue.len(), 1, "exactly one job for the Z");
    let (_, job) = queue.next().expect("queue").expect("the Z's job");
    let printed = JobKind::Report {
        report: report.clone(),
        shifts: shifts.clone(),
    };
    assert_eq!(job.kind, printed);
    assert!(!job.kick, "a report never opens the drawer");
    assert!(sleep.try_recv().is_ok(), "the printer is woken");
    let dump = e.store().dump().expect("dump");
    assert_eq!(
        dump.z_reports.last(),
        Some(&**report),
        "the Z printed is the Z stored"
    );

    // An X from a manager, then a cashier's on the manager's PIN.
    let events = e
        .execute(m, Command::XReport { approval: None })
        .expect("x");
    assert!(
        matches!(&events[0], Event::Report { to_printer: true, report, .. } if report.z_number.is_none())
    );
    let c = login(&mut e, "cashier", "1111");
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    e.execute(c, Command::XReport { approval: Some(ok) })
        .expect("approved x");
    assert_eq!(queue.len(), 3, "the Z's paper and two X reports'");
    let journal: Vec<JournalEvent> = e
        .store()
        .journal()
        .filter_map(Result::ok)
        .map(|r| r.entry.event)
        .collect();
    assert!(matches!(
        journal.last(),
        Some(JournalEvent::Override {
            permission: Permission::ViewReports,
            approved_by,
        }) if approved_by == "manager"
    ));
    e.store().verify_journal().expect("chain holds");

    let dump = e.store().dump().expect("dump");
    let json = serde_json::to_string(&dump.print_jobs).expect("export");
    let back: Vec<Keyed<u64, PrintJob>> = serde_json::from_str(&json).expect("import");
    assert_eq!(back, dump.print_jobs);
    assert!(
        matches!(&back[0].value.kind, JobKind::Report { report, .. } if report.z_number == Some(2))
    );
}
