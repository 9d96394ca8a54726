//! The sale screen: scan or type codes, pick a line and change it, and reach
//! everything else a cashier does (payment, lookup, customers, held sales,
//! refunds, shifts, reports, the manager's screens). Each key sends the
//! engine a command made from the typed text; the engine prices and decides.

use rust_decimal::Decimal;

use super::customers::{CustomerList, Customers};
use super::lookup::{ProductList, Products};
use super::{day_report, held, manager, payment};
use crate::domain::discount::Discount;
use crate::domain::money::Currency;
use crate::domain::product::Unit;
use crate::domain::quantity::{self, QuantityError};
use crate::domain::receipt::parse_label;
use crate::engine::Command;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::overlay::confirm;
use crate::ui::widget::step;

pub const TITLE: &str = "SALE";
pub const INPUT: &str = " Code, 3*code, quantity, 10% or amount ";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::Pay,
    Action::Lookup,
    Action::Hold,
    Action::Recall,
    Action::Refund,
    Action::VoidLine,
    Action::Quantity,
    Action::LineDiscount,
    Action::SaleDiscount,
    Action::VoidSale,
    Action::Logout,
];

pub fn act(app: &mut App, action: Action) {
    let typed = app.input.trim().to_string();
    match action {
        Action::Submit if typed.is_empty() => payment::open(app),
        Action::Submit => add_typed(app, typed),
        Action::Pay => payment::open(app),
        Action::Erase => {
            app.input.pop();
        }
        Action::Back => app.input.clear(),
        Action::Up | Action::Down => {
            let len = app.cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
            app.selected = step(app.selected, len, action);
        }
        Action::Lookup => open_lookup(app, typed),
        Action::Customer => {
            app.input.clear();
            CustomerList::open(app, String::new(), Customers);
        }
        Action::Hold => {
            app.run(Command::Hold);
        }
        Action::Recall => held::open(app),
        Action::Refund => start_refund(app, &typed),
        Action::VoidLine => {
            if let Some(line) = selected_line(app) {
                app.run(Command::VoidLine { line });
            }
        }
        Action::Quantity => set_quantity(app, &typed),
        Action::LineDiscount | Action::SaleDiscount => discount(app, action, &typed),
        Action::VoidSale if app.cart.is_some() => confirm::void_sale(app),
        Action::Reprint => reprint(app, &typed),
        Action::NoSale => {
            app.run(Command::NoSale { approval: None });
        }
        Action::OpenShift | Action::CloseShift => shift(app, action, &typed),
        Action::Manager => manager::open(app),
        Action::XReport | Action::ZReport => day_report::run(app, action),
        Action::PriceOverride => override_price(app, &typed),
        _ => {}
    }
}

/// Enter on "CODE" or "3*CODE": the item, that many times (asked first
/// when that is a lot).
fn add_typed(app: &mut App, typed: String) {
    let (quantity, code) = match typed.split_once('*') {
        Some((q, code)) => match quantity::parse(q) {
            Ok(q) => (Some(q), code.to_string()),
            Err(e) => return app.error(format!("{e}; then * and the code (3*CODE)")),
        },
        None => (None, typed),
    };
    if code.is_empty() {
        return app.error("scan or type the code after the *");
    }
    add(app, code, quantity);
}

/// Adds `quantity` of `code` to the sale, typed or scanned; past the
/// confirmation size (the product's unit is not known before the engine
/// finds it) the till asks first.
pub fn add(app: &mut App, code: String, quantity: Option<Decimal>) {
    match quantity {
        Some(q) if quantity::needs_confirmation(q, None) => confirm::ask(
            app,
            format!("Add {q} of {code}? That is more than a sale usually holds."),
            "add them",
            Command::Scan {
                code,
                quantity: Some(q),
            },
            "nothing was added",
        ),
        _ => {
            app.run_typed(Command::Scan { code, quantity });
        }
    }
}

/// The lookup finds what was typed, or adds what it finds "3*" times.
fn open_lookup(app: &mut App, typed: String) {
    let quantity = match quantity_prefix(&app.input) {
        Some(Ok(q)) => Some(q),
        Some(Err(e)) => return app.error(e.to_string()),
        None => None,
    };
    let query = if quantity.is_some() {
        String::new()
    } else {
        typed
    };
    app.input.clear();
    ProductList::open(app, query, Products { quantity });
}

fn start_refund(app: &mut App, typed: &str) {
    if typed.is_empty() {
        return app.info("type the receipt number, then the refund key");
    }
    match parse_label(typed, &app.settings().terminal) {
        Ok(receipt) => {
            app.run_typed(Command::StartRefund {
                receipt: receipt.0,
                approval: None,
            });
        }
        Err(e) => app.error(e),
    }
}

fn set_quantity(app: &mut App, typed: &str) {
    let Some(line) = selected_line(app) else {
        return app.info("nothing to change: scan an item first");
    };
    if typed.is_empty() {
        return app.info("type the new quantity, then the quantity key");
    }
    let quantity = match quantity::parse(typed) {
        Ok(q) => q,
        Err(e) => return app.error(e.to_string()),
    };
    let command = Command::SetQuantity { line, quantity };
    let unit = app.cart.as_ref().map(|(s, _)| s.lines[line].unit);
    if quantity::needs_confirmation(quantity, unit) {
        let what = match unit {
            Some(Unit::Kg) => "kg",
            _ => "pieces",
        };
        return confirm::ask(
            app,
            format!(
                "Set line #{} to {quantity} {what}? That is more than a sale usually holds.",
                line + 1
            ),
            "set it",
            command,
            "the quantity was not changed",
        );
    }
    app.run_typed(command);
}

fn discount(app: &mut App, action: Action, typed: &str) {
    let discount = match parse_discount(typed, app.currency()) {
        Ok(discount) => discount,
        Err(e) => return app.error(e),
    };
    let command = match (action, selected_line(app)) {
        (Action::LineDiscount, Some(line)) => Command::LineDiscount {
            line,
            discount,
            approval: None,
        },
        (Action::LineDiscount, None) => {
            return app.info("nothing to discount: scan an item first");
        }
        _ => Command::SaleDiscount {
            discount,
            approval: None,
        },
    };
    app.run_typed(command);
}

/// The last receipt again, or the one whose number was typed.
fn reprint(app: &mut App, typed: &str) {
    let receipt = if typed.is_empty() {
        None
    } else {
        match parse_label(typed, &app.settings().terminal) {
            Ok(r) => Some(r.0),
            Err(e) => return app.error(e),
        }
    };
    app.run_typed(Command::Reprint {
        receipt,
        approval: None,
    });
}

fn shift(app: &mut App, action: Action, typed: &str) {
    match app.currency().parse(typed) {
        Ok(amount) => {
            let command = if action == Action::OpenShift {
                Command::OpenShift { float: amount }
            } else {
                Command::CloseShift { counted: amount }
            };
            app.run_typed(command);
        }
        Err(_) => app.info("count the drawer, type the amount, then the key"),
    }
}

fn override_price(app: &mut App, typed: &str) {
    match (selected_line(app), app.currency().parse(typed)) {
        (Some(line), Ok(price)) => {
            app.run_typed(Command::OverridePrice {
                line,
                price,
                approval: None,
            });
        }
        (None, _) => app.info("nothing to price: scan an item first"),
        (_, Err(_)) => app.info("type the price, then the price override key"),
    }
}

/// The cart line the selection is on, if the cart has it.
fn selected_line(app: &App) -> Option<usize> {
    app.cart
        .as_ref()
        .filter(|(s, _)| app.selected < s.lines.len())
        .map(|_| app.selected)
}

/// "3*" (or "0.5*") on its own: the quantity for the next scan, if it is
/// one (see `quantity::parse`); `None` when nothing ends in '*'.
pub fn quantity_prefix(input: &str) -> Option<Result<Decimal, QuantityError>> {
    input.trim().strip_suffix('*').map(quantity::parse)
}

/// "10%" off, or an amount such as "0.50"; an empty line removes the discount.
fn parse_discount(text: &str, currency: &Currency) -> Result<Option<Discount>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.strip_suffix('%') {
        Some(p) => p
            .trim()
            .parse()
            .map(|p| Some(Discount::Percent(p)))
            .map_err(|_| {
                format!("'{text}' is not a percentage: type 10% or an amount such as 0.50")
            }),
        None => currency
            .parse(text)
            .map(|a| Some(Discount::Amount(a)))
            .map_err(|e| e.to_string()),
    }
}
