//! `till sale --script FILE`: replays a plain-text script through the engine,
//! for support (reproduce what a till did) and for tests.
//!
//! One command a line; `#` starts a comment; line numbers are 1-based:
//!
//! ```text
//! login NAME PIN [LANE]
//! scan CODE            scan N*CODE    (N pieces, or N kg for weighed goods)
//! qty LINE N           void-line LINE
//! discount line LINE 10%|2.50        discount sale 10%|2.50
//! pay cash|card|other [AMOUNT]       (no amount: exactly what is due)
//! approve NAME PIN     (a manager's approval for the next void or refund)
//! void                 refund RECEIPT        refund-line LINE N
//! hold                 recall ID
//! reprint [RECEIPT]    no-sale
//! set-price SKU PRICE  price LINE PRICE     (shelf price / this line only)
//! open-shift FLOAT     cash-in AMOUNT REASON…   cash-out AMOUNT REASON…
//! close-shift COUNTED  x-report
//! z-report [despite-open-sales]  (with it, a Z leaves open sales to the next)
//! stock SKU ±N REASON…  receive REF SKU=N…    reorder SKU LEVEL
//! add-user NAME ROLE PIN  reset-pin USER PIN  disable USER   enable USER
//! customer ID|none     erase-customer ID
//! logout
//! ```
//! The first failing line stops the script with its line number and reason.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use rust_decimal::Decimal;

use super::receipt_text;
use crate::domain::daily::local_time;
use crate::domain::discount::Discount;
use crate::domain::money::Currency;
use crate::domain::receipt::parse_label;
use crate::domain::report_text::{SCREEN_WIDTH, report_lines};
use crate::domain::tender::TenderKind;
use crate::domain::user::Role;
use crate::engine::{Approval, Command, Engine, Event, SessionId};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Login {
        user: String,
        pin: String,
        lane: u16,
    },
    Approve(Approval),
    Run(Command),
}

/// Parses one script line; `Ok(None)` for blank and comment lines.
pub fn parse_line(text: &str, currency: &Currency, terminal: &str) -> Result<Option<Step>, String> {
    let text = text.split('#').next().unwrap_or("").trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((&verb, args)) = words.split_first() else {
        return Ok(None);
    };
    let most = match verb {
        "void" | "hold" | "logout" | "no-sale" | "x-report" => 0,
        "z-report" | "scan" | "void-line" | "refund" | "recall" | "reprint" | "open-shift"
        | "close-shift" => 1,
        "cash-in" | "cash-out" | "stock" | "receive" => usize::MAX,
        "reorder" | "reset-pin" => 2,
        "disable" | "enable" | "customer" | "erase-customer" => 1,
        "qty" | "approve" | "pay" | "refund-line" | "set-price" | "price" => 2,
        _ => 3,
    };
    if most != usize::MAX && args.len() > most {
        return Err(format!(
            "'{verb}' takes at most {most} words after it; '{}' is extra",
            args[most..].join(" ")
        ));
    }
    let arg = |i: usize, what: &str| args.get(i).copied().ok_or(format!("'{verb}' needs {what}"));
    let number = |s: &str| {
        s.parse::<Decimal>()
            .map_err(|_| format!("'{s}' is not a number"))
    };
    // Scripts count lines from 1, as the screen and the receipt do.
    let line_no = |s: &str| match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n - 1),
        _ => Err(format!("'{s}' is not a line number (1, 2, …)")),
    };
    let discount = |s: &str| match s.strip_suffix('%') {
        Some(p) => number(p).map(Discount::Percent),
        None => currency
            .parse(s)
            .map(Discount::Amount)
            .map_err(|e| e.to_string()),
    };
    let step = match verb {
        "login" => Step::Login {
            user: arg(0, "a user name")?.to_string(),
            pin: arg(1, "a PIN")?.to_string(),
            lane: match args.get(2) {
                Some(l) => l
                    .parse()
                    .map_err(|_| format!("'{l}' is not a lane number"))?,
                None => 1,
            },
        },
        "approve" => Step::Approve(Approval {
            user: arg(0, "a user name")?.to_string(),
            pin: arg(1, "a PIN")?.to_string(),
        }),
        "scan" => {
            let code = arg(0, "a code")?;
            let (quantity, code) = match code.split_once('*') {
                Some((n, code)) => (Some(number(n)?), code),
                None => (None, code),
            };
            Step::Run(Command::Scan {
                code: code.to_string(),
                quantity,
            })
        }
        "qty" => Step::Run(Command::SetQuantity {
            line: line_no(arg(0, "a line")?)?,
            quantity: number(arg(1, "a quantity")?)?,
        }),
        "void-line" => Step::Run(Command::VoidLine {
            line: line_no(arg(0, "a line")?)?,
        }),
        "discount" => match arg(0, "'line' or 'sale'")? {
            "line" => Step::Run(Command::LineDiscount {
                line: line_no(arg(1, "a line")?)?,
                discount: Some(discount(arg(2, "an amount or a percentage")?)?),
                approval: None,
            }),
            "sale" => Step::Run(Command::SaleDiscount {
                discount: Some(discount(arg(1, "an amount or a percentage")?)?),
                approval: None,
            }),
            other => {
                return Err(format!(
                    "discount '{other}': say 'discount line N …' or 'discount sale …'"
                ));
            }
        },
        "pay" => {
            let kind = match arg(0, "cash, card or other")? {
                "cash" => TenderKind::Cash,
                "card" => TenderKind::Card,
                "other" => TenderKind::Other,
                k => return Err(format!("'{k}' is not a way to pay: cash, card or other")),
            };
            let amount = args
                .get(1)
                .map(|a| currency.parse(a))
                .transpose()
                .map_err(|e| e.to_string())?;
            Step::Run(Command::Tender { kind, amount })
        }
        "void" => Step::Run(Command::VoidSale { approval: None }),
        "refund" => {
            let receipt = parse_label(arg(0, "a receipt number")?, terminal)?;
            Step::Run(Command::StartRefund {
                receipt: receipt.0,
                approval: None,
            })
        }
        "refund-line" => Step::Run(Command::RefundLine {
            line: line_no(arg(0, "a line")?)?,
            quantity: number(arg(1, "a quantity")?)?,
        }),
        "hold" => Step::Run(Command::Hold),
        "reprint" => {
            let receipt = args
                .first()
                .map(|r| parse_label(r, terminal))
                .transpose()?
                .map(|r| r.0);
            Step::Run(Command::Reprint {
                receipt,
                approval: None,
            })
        }
        "no-sale" => Step::Run(Command::NoSale { approval: None }),
        "open-shift" => Step::Run(Command::OpenShift {
            float: currency
                .parse(arg(0, "the counted float")?)
                .map_err(|e| e.to_string())?,
        }),
        "cash-in" | "cash-out" => {
            let amount = currency
                .parse(arg(0, "an amount")?)
                .map_err(|e| e.to_string())?;
            let amount = if verb == "cash-out" { -amount } else { amount };
            Step::Run(Command::CashMovement {
                amount,
                reason: args[1..].join(" "),
                approval: None,
            })
        }
        "close-shift" => Step::Run(Command::CloseShift {
            counted: currency
                .parse(arg(0, "the counted cash")?)
                .map_err(|e| e.to_string())?,
        }),
        "x-report" => Step::Run(Command::XReport { approval: None }),
        "customer" => {
            let id = arg(0, "a customer number, or 'none'")?;
            Step::Run(Command::AttachCustomer {
                id: match id {
                    "none" => None,
                    n => Some(
                        n.parse()
                            .map_err(|_| format!("'{n}' is not a customer number"))?,
                    ),
                },
            })
        }
        "erase-customer" => {
            let id = arg(0, "a customer number")?;
            Step::Run(Command::EraseCustomer {
                id: id
                    .parse()
                    .map_err(|_| format!("'{id}' is not a customer number"))?,
                approval: None,
            })
        }
        "add-user" => {
            let role = arg(1, "a role")?;
            Step::Run(Command::AddUser {
                name: arg(0, "a name")?.to_string(),
                role: Role::parse(role).ok_or(format!("'{role}' is not a role"))?,
                pin: arg(2, "a PIN")?.to_string(),
            })
        }
        "reset-pin" => Step::Run(Command::ResetPin {
            user: arg(0, "a user")?.to_string(),
            pin: arg(1, "a PIN")?.to_string(),
        }),
        "disable" | "enable" => Step::Run(Command::SetUserDisabled {
            user: arg(0, "a user")?.to_string(),
            disabled: verb == "disable",
        }),
        "stock" => Step::Run(Command::AdjustStock {
            sku: arg(0, "a sku")?.to_string(),
            delta: number(arg(1, "a change such as -2")?)?,
            reason: args.get(2..).map(|r| r.join(" ")).unwrap_or_default(),
        }),
        "receive" => {
            let reference = arg(0, "a delivery reference")?.to_string();
            let mut lines = Vec::new();
            for pair in &args[1..] {
                let (sku, qty) = pair
                    .split_once('=')
                    .ok_or(format!("'{pair}': write SKU=QUANTITY"))?;
                lines.push((sku.to_string(), number(qty)?));
            }
            Step::Run(Command::ReceiveDelivery { reference, lines })
        }
        "reorder" => Step::Run(Command::SetReorderLevel {
            sku: arg(0, "a sku")?.to_string(),
            level: number(arg(1, "a level")?)?,
        }),
        "z-report" => Step::Run(Command::ZReport {
            approval: None,
            despite_open_sales: match args.first() {
                None => false,
                Some(&"despite-open-sales") => true,
                Some(other) => {
                    return Err(format!(
                        "'z-report' takes only 'despite-open-sales', not '{other}'"
                    ));
                }
            },
        }),
        "set-price" => Step::Run(Command::SetPrice {
            sku: arg(0, "a sku")?.to_string(),
            price: currency
                .parse(arg(1, "a price")?)
                .map_err(|e| e.to_string())?,
        }),
        "price" => Step::Run(Command::OverridePrice {
            line: line_no(arg(0, "a line")?)?,
            price: currency
                .parse(arg(1, "a price")?)
                .map_err(|e| e.to_string())?,
            approval: None,
        }),
        "recall" => {
            let id = arg(0, "a held sale id")?;
            Step::Run(Command::Recall {
                id: id
                    .parse()
                    .map_err(|_| format!("'{id}' is not a held sale id"))?,
            })
        }
        "logout" => Step::Run(Command::Logout),
        other => return Err(format!("unknown command '{other}'")),
    };
    Ok(Some(step))
}

/// Runs the script, printing what each command did. Stops at the first error.
pub fn run(data: &Path, script: &Path) -> Result<()> {
    let text = std::fs::read_to_string(script)
        .with_context(|| format!("cannot read {}", script.display()))?;
    let mut engine = Engine::new(Store::open(data)?)?;
    let currency = engine.settings().rules.currency.clone();
    let terminal = engine.settings().terminal.clone();
    let mut session: Option<SessionId> = None;
    let mut approval: Option<Approval> = None;
    for (index, line) in text.lines().enumerate() {
        let at = format!("{}:{}", script.display(), index + 1);
        let step = parse_line(line, &currency, &terminal).map_err(|e| anyhow!("{at}: {e}"))?;
        match step {
            None => {}
            Some(Step::Login { user, pin, lane }) => {
                // An approval belongs to the moment it was given, not to the next user.
                approval = None;
                session = Some(
                    engine
                        .login(&user, &pin, lane)
                        .map_err(|e| anyhow!("{at}: {e}"))?,
                );
                println!("logged in as {user} on lane {lane}");
            }
            Some(Step::Approve(a)) => approval = Some(a),
            Some(Step::Run(mut command)) => {
                let Some(id) = session else {
                    bail!("{at}: log in first (login NAME PIN)")
                };
                match &mut command {
                    Command::VoidSale { approval: slot }
                    | Command::StartRefund { approval: slot, .. }
                    | Command::LineDiscount { approval: slot, .. }
                    | Command::SaleDiscount { approval: slot, .. }
                    | Command::Reprint { approval: slot, .. }
                    | Command::NoSale { approval: slot }
                    | Command::OverridePrice { approval: slot, .. }
                    | Command::CashMovement { approval: slot, .. }
                    | Command::ZReport { approval: slot, .. } => *slot = approval.take(),
                    _ => {}
                }
                let events = engine
                    .execute(id, command)
                    .map_err(|e| anyhow!("{at}: {e}"))?;
                for event in events {
                    print_event(&event, &currency);
                }
            }
        }
    }
    Ok(())
}

fn print_event(event: &Event, currency: &Currency) {
    match event {
        Event::Cart { sale, totals } => {
            let last = totals.lines.last().map(|t| {
                let l = &sale.lines[t.line];
                format!(
                    "{} x {} = {}",
                    l.quantity.normalize(),
                    l.name,
                    currency.format(t.split.gross)
                )
            });
            println!(
                "  {} | lines {} | total {} | due {}",
                last.unwrap_or_default(),
                totals.lines.len(),
                currency.format(totals.total),
                currency.format(totals.remaining)
            );
        }
        Event::Completed { sale, .. } => print!("{}", receipt_text::render(sale, currency)),
        Event::Voided => println!("  sale voided"),
        Event::Held { id } => println!("  sale held as {id}"),
        Event::LoggedOut => println!("logged out"),
        Event::Reprinted { receipt } => println!("  duplicate of {receipt} queued for the printer"),
        Event::DrawerOpened => println!("  drawer opened"),
        Event::Customer(c) => println!(
            "  customer {} {}",
            c.id,
            c.contact
                .as_ref()
                .map(|c| c.name.as_str())
                .unwrap_or("(erased)")
        ),
        Event::CustomerErased { id } => println!("  customer {id} erased"),
        Event::Shift(shift) => print!("{}", receipt_text::render_shift(shift, currency)),
        Event::Stock(rows) => {
            for r in rows {
                println!(
                    "  stock {} {}: {} on hand, reorder at {}",
                    r.sku, r.name, r.level.on_hand, r.level.reorder_level
                );
            }
        }
        // A script runs with no printer attached: the report is its output.
        Event::Report { report, shifts, .. } => {
            for line in report_lines(report, shifts, currency, SCREEN_WIDTH, local_time) {
                println!("{line}");
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn parses_quantities_discounts_and_payments() {
        let eur = Currency::default();
        let p = |s| parse_line(s, &eur, "T01").unwrap().unwrap();
        assert_eq!(
            p("scan 3*4006381333931"),
            Step::Run(Command::Scan {
                code: "4006381333931".into(),
                quantity: Some(dec!(3))
            })
        );
        assert_eq!(
            p("discount line 2 10%"),
            Step::Run(Command::LineDiscount {
                line: 1,
                discount: Some(Discount::Percent(dec!(10))),
                approval: None,
            })
        );
        assert_eq!(
            p("pay cash"),
            Step::Run(Command::Tender {
                kind: TenderKind::Cash,
                amount: None
            })
        );
        assert_eq!(
            p("refund T01-000007"),
            Step::Run(Command::StartRefund {
                receipt: 7,
                approval: None
            })
        );
        assert_eq!(parse_line("  # only a comment", &eur, "T01").unwrap(), None);
        assert!(
            parse_line("pay bitcoin 3", &eur, "T01")
                .unwrap_err()
                .contains("bitcoin")
        );
        assert!(parse_line("qty 0 2", &eur, "T01").is_err());
        assert!(parse_line("pay cash 1.999", &eur, "T01").is_err());
        assert!(
            parse_line("refund T02-000007", &eur, "T01")
                .unwrap_err()
                .contains("terminal T02")
        );
        assert!(
            parse_line("scan 123 456", &eur, "T01")
                .unwrap_err()
                .contains("'456' is extra")
        );
    }
}
