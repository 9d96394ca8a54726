//! `till init`: a new store with its key, settings and admin user; `--demo`
//! adds the demo catalog and users. At a terminal with no `--admin-pin`, it
//! asks for what a new shop must decide, the flags' values as its defaults.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use rust_decimal::Decimal;

use super::args::{InitArgs, TaxModeArg};
use super::prompt;
use crate::demo;
use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::limits::{self, MAX_STORE_NAME};
use crate::domain::money::Currency;
use crate::domain::pricing::PriceRules;
use crate::domain::tax::{TaxCategory, TaxMode};
use crate::domain::terminal;
use crate::domain::user::{Role, User};
use crate::engine::auth::hash_pin;
use crate::store::journal::JournalEvent;
use crate::store::settings::StoreSettings;
use crate::store::{PRODUCT_BATCH, Store};

pub fn run(data: &Path, args: &InitArgs) -> Result<Store> {
    terminal::check_id(&args.terminal)?;
    limits::check("the store name", &args.store_name, MAX_STORE_NAME)?;
    let currency = currency(args)?;
    let tax_categories = match &args.tax_rates {
        Some(text) => tax_rates(text).with_context(|| format!("--tax-rates '{text}'"))?,
        None => PriceRules::default().tax_categories,
    };
    let cash_increment = match &args.cash_rounding {
        Some(text) => {
            cash_step(&currency, text).with_context(|| format!("--cash-rounding '{text}'"))?
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
            tax_categories,
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
        // In transactions of a bounded size, so a million products need
        // no more memory than ten thousand.
        let mut generated = demo::generated(args.products).peekable();
        while generated.peek().is_some() {
            let chunk: Vec<_> = generated.by_ref().take(PRODUCT_BATCH).collect();
            store.put_products(&chunk, None)?;
        }
    }
    Ok(store)
}

/// Asks for the shop's name, terminal, currency, tax regime, cash rounding
/// and the admin's PIN; each answer is checked as the flag would be, and
/// asked again until it is right.
pub fn ask(args: &InitArgs) -> Result<InitArgs> {
    println!("A new till store. Enter takes the value in brackets.");
    let mut answers = args.clone();
    answers.store_name = prompt::ask("Shop name, as receipts print it", &args.store_name, |s| {
        Ok(limits::check("the store name", s, MAX_STORE_NAME).map(|()| s.to_string())?)
    })?;
    answers.terminal = prompt::ask(
        "Terminal id (receipt numbers are a series per terminal)",
        &args.terminal,
        |s| Ok(terminal::check_id(s).map(|()| s.to_string())?),
    )?;
    answers.currency = prompt::ask("Currency (ISO 4217 code)", &args.currency, |s| {
        let code = s.to_ascii_uppercase();
        Currency::new(&code, 0)?;
        Ok(code)
    })?;
    let usual = Currency::usual_minor_units(&answers.currency);
    let units = prompt::ask(
        "Digits after the decimal point (2 for EUR, 0 for JPY)",
        &args.minor_units.unwrap_or(usual).to_string(),
        |s| {
            let units: u32 = s.parse().context("a number such as 2")?;
            Currency::new(&answers.currency, units)?;
            Ok(units)
        },
    )?;
    answers.minor_units = Some(units);
    answers.tax_mode = prompt::ask(
        "Shelf prices include tax (inclusive) or have it added (exclusive)",
        match args.tax_mode {
            TaxModeArg::Inclusive => "inclusive",
            TaxModeArg::Exclusive => "exclusive",
        },
        |s| match s {
            "inclusive" | "i" => Ok(TaxModeArg::Inclusive),
            "exclusive" | "e" => Ok(TaxModeArg::Exclusive),
            _ => bail!("inclusive or exclusive"),
        },
    )?;
    let rates_default = match &args.tax_rates {
        Some(text) => text.clone(),
        None => rates_text(&PriceRules::default().tax_categories),
    };
    answers.tax_rates = Some(prompt::ask(
        "Tax rates, as code=percent (products name the code)",
        &rates_default,
        |s| tax_rates(s).map(|_| s.to_string()),
    )?);
    let chosen = currency(&answers)?;
    answers.cash_rounding = prompt::ask(
        "Smallest coin for cash payments, or none",
        args.cash_rounding.as_deref().unwrap_or("none"),
        |s| Ok(cash_step(&chosen, s)?.map(|_| s.to_string())),
    )?;
    answers.admin_pin = Some(prompt::new_pin("The admin user", |pin| {
        Ok(crate::engine::auth::check_shape(pin)?)
    })?);
    Ok(answers)
}

fn currency(args: &InitArgs) -> Result<Currency> {
    let units = args
        .minor_units
        .unwrap_or_else(|| Currency::usual_minor_units(&args.currency));
    Ok(Currency::new(&args.currency, units)?)
}

/// The smallest coin cash is rounded to, `none` for the cent. Read as money,
/// so a step finer than the currency's cents is refused.
fn cash_step(currency: &Currency, text: &str) -> Result<Option<Decimal>> {
    if text == "none" {
        return Ok(None);
    }
    let step = currency.parse(text)?.amount();
    if step <= Decimal::ZERO {
        bail!("more than zero, such as 0.05");
    }
    Ok(Some(step))
}

/// `std=20, red=10, food=5.5`: a tax regime's categories, rates in percent.
/// A code the default regime knows keeps its name; others are named by code.
fn tax_rates(text: &str) -> Result<Vec<TaxCategory>> {
    let known = PriceRules::default().tax_categories;
    let mut categories: Vec<TaxCategory> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((code, percent)) = part.split_once('=') else {
            bail!("'{part}': write code=percent, such as std=20");
        };
        let code = code.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            bail!("'{code}': a tax code is letters and digits");
        }
        if categories.iter().any(|c| c.code == code) {
            bail!("'{code}' is given twice");
        }
        let percent: Decimal = percent
            .trim()
            .parse()
            .with_context(|| format!("'{part}': the rate is a percentage such as 20 or 5.5"))?;
        if percent < Decimal::ZERO || percent >= Decimal::ONE_HUNDRED {
            bail!("'{part}': a rate from 0 to under 100 percent");
        }
        let name = known
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_string(), |c| c.name.clone());
        categories.push(TaxCategory {
            code: code.to_string(),
            name,
            rate: (percent / Decimal::ONE_HUNDRED).normalize(),
        });
    }
    if categories.is_empty() {
        bail!("give at least one rate, such as std=20");
    }
    Ok(categories)
}

fn rates_text(categories: &[TaxCategory]) -> String {
    categories
        .iter()
        .map(|c| format!("{}={}", c.code, (c.rate * Decimal::ONE_HUNDRED).normalize()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_regime_reads_back_as_written_and_bad_rates_are_named() {
        let cats = tax_rates("std=19, red=7,zero=0").unwrap();
        assert_eq!(rates_text(&cats), "std=19, red=7, zero=0");
        assert_eq!(cats[0].name, "Standard");
        assert_eq!(cats[0].rate, Decimal::new(19, 2));
        let default = rates_text(&PriceRules::default().tax_categories);
        assert_eq!(default, "std=20, red=10, food=5.5, zero=0");
        assert_eq!(
            tax_rates(&default).unwrap(),
            PriceRules::default().tax_categories
        );
        for (bad, says) in [
            ("std", "code=percent"),
            ("std=abc", "percentage"),
            ("std=100", "under 100"),
            ("std=20,std=10", "twice"),
            ("", "at least one"),
            ("s d=5", "letters and digits"),
        ] {
            let e = format!("{:#}", tax_rates(bad).unwrap_err());
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
