//! What the engine's answers change on screen: the cart as the engine priced
//! it, the message after a sale, a shift or a report, the way back to the
//! login. Every figure shown is the engine's; nothing is worked out here.

use std::sync::Arc;

use super::action::Action;
use super::app::{App, Completion, Message, Screen, Tone};
use super::overlay::confirm;
use super::screen::{day_report, refund};
use crate::domain::money::Money;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{Sale, SaleKind, Totals};
use crate::domain::shift::{Shift, over_short};
use crate::domain::takings::DayReport;
use crate::engine::Event;

impl App<'_> {
    pub(super) fn apply(&mut self, events: Vec<Event>) {
        for event in events {
            self.apply_one(event);
        }
    }

    fn apply_one(&mut self, event: Event) {
        match event {
            Event::Cart { sale, totals } => self.cart_changed(Arc::unwrap_or_clone(sale), *totals),
            Event::Completed { sale, change } => self.completed(&sale, change),
            Event::Voided => {
                // Said before the cart goes: what had been paid must go back.
                let text = match confirm::give_back(self) {
                    Some(back) => format!("sale voided: {back}"),
                    None => "sale voided".to_string(),
                };
                self.cart = None;
                self.screen = Screen::Sale;
                self.info(text);
            }
            Event::Held { id } => {
                self.cart = None;
                self.info(format!(
                    "sale held as #{id}: recall it with {}",
                    self.keymap.label(Action::Recall)
                ));
            }
            Event::Reprinted { receipt } => {
                self.info(format!("duplicate of {receipt} sent to the printer"))
            }
            Event::DrawerOpened => self.info("drawer opened (no sale)"),
            Event::Shift(shift) => self.info(self.shift_text(&shift)),
            Event::Customer(customer) => {
                let name = customer.contact.map(|c| c.name).unwrap_or_default();
                self.info(format!("customer #{} {name} saved", customer.id));
            }
            Event::CustomerErased { id } => self.info(format!("customer #{id}'s details erased")),
            Event::Stock(rows) => {
                let text: Vec<String> = rows
                    .iter()
                    .map(|r| format!("{} now {}", r.name, r.level.on_hand))
                    .collect();
                self.info(text.join(", "));
            }
            Event::Report {
                report,
                shifts,
                to_printer,
            } => {
                let text = self.report_text(&report, to_printer);
                day_report::open(self, &report, &shifts);
                self.info(text);
            }
            Event::LoggedOut => {
                self.signed_out();
                self.last = None;
                self.input.clear();
                self.info("logged out");
            }
        }
    }

    /// A refund being built shows the receipt it refunds.
    fn cart_changed(&mut self, sale: Sale, totals: Totals) {
        let refund = match sale.kind {
            SaleKind::Refund { original } => Some(original),
            SaleKind::Sale => None,
        };
        self.show_cart(Some((sale, totals)));
        if let Some(original) = refund
            && !matches!(self.screen, Screen::Refund(_) | Screen::Payment)
        {
            refund::open(self, original.0);
        }
    }

    /// Shows the engine's cart. The selection follows a new line; otherwise it
    /// stays where the cashier put it.
    pub(super) fn show_cart(&mut self, cart: Option<(Sale, Totals)>) {
        let before = self.cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
        let lines = cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
        if lines > 0 {
            self.last = None;
        }
        if lines != before || self.selected >= lines {
            self.selected = lines.saturating_sub(1);
        }
        self.cart = cart;
    }

    fn completed(&mut self, sale: &CompletedSale, change: Money) {
        let completion = Completion {
            receipt: sale.receipt_label(),
            total: sale.totals.total,
            change,
            refund: sale.sale.is_refund(),
        };
        let c = self.currency();
        let text = if completion.refund {
            format!(
                "refund {} paid out: {}",
                completion.receipt,
                c.format(completion.total)
            )
        } else {
            format!(
                "sale {} complete: change {}",
                completion.receipt,
                c.format(change)
            )
        };
        self.message = Some(Message {
            text,
            tone: Tone::Success,
        });
        self.cart = None;
        self.selected = 0;
        self.last = Some(completion);
        self.screen = Screen::Sale;
    }

    fn shift_text(&self, shift: &Shift) -> String {
        let c = self.currency();
        match &shift.close {
            None => format!(
                "shift {} open, float {}",
                shift.number,
                c.format(shift.float)
            ),
            Some(close) => format!(
                "shift {} closed: counted {}, expected {}, {}",
                shift.number,
                c.format(close.counted),
                c.format(close.expected),
                over_short(close.over_short(), |x| c.format(*x))
            ),
        }
    }

    /// The report's main figures, and whether its paper is on the way.
    fn report_text(&self, report: &DayReport, to_printer: bool) -> String {
        let c = self.currency();
        let mut kind = report
            .z_number
            .map(|n| format!("Z report {n}"))
            .unwrap_or_else(|| "X report".into());
        if to_printer {
            kind.push_str(" sent to the printer");
        }
        let t = &report.takings;
        format!(
            "{kind}: {} sales, {} refunds, takings {}, cash {}, grand total {}",
            t.sales,
            t.refunds,
            c.format(t.gross),
            c.format(t.cash),
            c.format(report.grand_total)
        )
    }
}
