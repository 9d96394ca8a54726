//! `till init`: a new store with its key, settings and admin user; `--demo`
//! adds the demo catalog and users.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use rust_decimal::Decimal;

use super::args::{InitArgs, TaxModeArg};
use crate::demo;
use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::money::Currency;
use crate::domain::pricing::PriceRules;
use crate::domain::tax::TaxMode;
use crate::domain::user::{Role, User};
use crate::engine::auth::hash_pin;
use crate::store::Store;
use crate::store::journal::JournalEvent;
use crate::store::settings::StoreSettings;

pub fn run(data: &Path, args: &InitArgs) -> Result<Store> {
    let currency = Currency::new(&args.currency, args.minor_units)?;
    let cash_increment = match &args.cash_rounding {
        Some(text) => {
            // Parsed as money, so a step finer than the currency's cents is refused.
            let step = currency
                .parse(text)
                .with_context(|| format!("--cash-rounding '{text}'"))?
                .amount();
            if step <= Decimal::ZERO {
                bail!("--cash-rounding must be more than zero, such as 0.05");
            }
            Some(step)
        }
        None => None,
    };
    let admin_pin = match (&args.admin_pin, args.demo) {
        (Some(pin), _) => pin.clone(),
        (None, true) => demo::DEMO_USERS[0].2.to_string(),
        (None, false) => bail!("give the admin user's PIN with --admin-pin (or TILL_ADMIN_PIN)"),
    };
    let settings = StoreSettings {
        store_name: args.store_name.clone(),
        terminal: args.terminal.clone(),
        public_key: String::new(),
        rules: PriceRules {
            currency,
            cash_increment,
            tax_mode: match args.tax_mode {
                TaxModeArg::Inclusive => TaxMode::Inclusive,
                TaxModeArg::Exclusive => TaxMode::Exclusive,
            },
            ..PriceRules::default()
        },
        measure_layout: VariableMeasureLayout::default(),
        cashier_discount_limit: Decimal::TEN,
        created_at: Utc::now(),
    };
    let mut users = vec![("admin", Role::Admin, admin_pin.as_str())];
    if args.demo {
        users.extend(demo::DEMO_USERS.iter().skip(1).map(|&(n, r, p)| (n, r, p)));
    }
    // Hash first, so a bad PIN stops us before anything is on disk.
    let mut hashed = Vec::new();
    for (id, (name, role, pin)) in users.into_iter().enumerate() {
        let pin_hash = hash_pin(pin).with_context(|| format!("PIN for {name}"))?;
        hashed.push(User {
            id: id as u32 + 1,
            name: name.to_string(),
            role,
            pin_hash,
            failed_attempts: 0,
            locked_until: None,
            disabled: false,
        });
    }
    let store = Store::create(data, settings)?;
    for user in &hashed {
        store.put_user(user)?;
        store.append_journal(
            None,
            JournalEvent::UserCreated {
                user: user.name.clone(),
                role: format!("{:?}", user.role),
            },
        )?;
    }
    if args.demo {
        store.put_products(&demo::catalog(), None)?;
    }
    Ok(store)
}
