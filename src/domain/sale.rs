//! A sale (or a refund) from the first line to the last tender.
//!
//! The sale is a small state machine: `Open` (lines can change) → `Tendering`
//! (a payment was taken, lines are frozen) → `Completed`; or `Voided` before
//! completion. All figures come from [`Sale::totals`], computed afresh from the
//! lines and the store's [`PriceRules`], so there is no stored total that can
//! disagree with its lines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::discount::{Discount, allocate};
use super::limits::{
    self, MAX_CART_LINES, MAX_PRODUCT_NAME, MAX_SKU, MAX_TAX_CODE, MAX_TENDERS, MAX_USER_NAME,
    TooLarge,
};
use super::money::{Money, round_to_increment};
use super::pricing::PriceRules;
use super::product::{Product, Unit};
use super::tax::{TaxBreakdown, TaxSplit, split};
use super::tender::{Tender, TenderKind};

/// No single payment is larger: it keeps every sum far from `Decimal`'s limits.
pub const MAX_TENDER: u64 = 1_000_000_000_000;

/// A per-terminal receipt number: gapless and increasing, given at completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReceiptNo(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    Open,
    Tendering,
    Completed,
    Voided,
}

/// A refund is a sale of its own, pointing at the receipt it gives money back for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleKind {
    Sale,
    Refund { original: ReceiptNo },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub unit_price: Money,
    pub quantity: Decimal,
    pub tax_code: String,
    pub discount: Option<Discount>,
    /// A voided line stays on the sale (and in the journal) but counts for nothing:
    /// loss prevention wants to see what was scanned and taken off.
    pub voided: bool,
    /// On refund lines: the original line refunded and the exact amount given back.
    pub refund_of: Option<RefundOf>,
}

/// What a refund line gives back: its share of the original line's gross and
/// tax, at the rate the line was sold at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundOf {
    pub line: usize,
    pub gross: Money,
    pub tax: Money,
    pub rate: Decimal,
}

impl RefundOf {
    pub fn split(&self) -> TaxSplit {
        TaxSplit {
            net: self.gross - self.tax,
            tax: self.tax,
            gross: self.gross,
        }
    }
}

impl Line {
    pub fn from_product(product: &Product, quantity: Decimal) -> Line {
        Line {
            sku: product.sku.clone(),
            name: product.name.clone(),
            unit: product.unit,
            unit_price: product.price,
            quantity,
            tax_code: product.tax_code.clone(),
            discount: None,
            voided: false,
            refund_of: None,
        }
    }
}

/// What one line comes to after its discounts and its share of the sale discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotal {
    pub line: usize,
    pub before_discount: Money,
    pub line_discount: Money,
    pub sale_discount: Money,
    /// After all discounts: the price paid with inclusive tax, the net with exclusive tax.
    pub amount: Money,
    /// The tax rate applied, kept so history never depends on today's rates.
    pub rate: Decimal,
    /// The line's tax split of `amount`.
    pub split: TaxSplit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub lines: Vec<LineTotal>,
    /// Sum of line amounts before any discount.
    pub subtotal: Money,
    pub discount: Money,
    pub tax: TaxBreakdown,
    pub total: Money,
    pub paid: Money,
    pub remaining: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub kind: SaleKind,
    pub state: SaleState,
    pub lines: Vec<Line>,
    pub discount: Option<Discount>,
    pub tenders: Vec<Tender>,
    /// Cash handed back; only ever from cash.
    pub change: Money,
    /// Difference between the total and what cash rounding made the customer pay.
    pub cash_rounding: Money,
    pub customer: Option<u64>,
    /// The manager who approved this sale's refund or override, if any.
    pub approved_by: Option<String>,
    /// Who opened a refund: only they, or a user who may refund, go on with it.
    pub opened_by: Option<String>,
}

/// A sale put aside on one lane, to be recalled on any lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldSale {
    pub id: u64,
    pub held_at: chrono::DateTime<chrono::Utc>,
    pub held_by: String,
    pub total: Money,
    pub sale: Sale,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    #[error("the sale is {0:?}: it can no longer be changed")]
    NotChangeable(SaleState),
    #[error("a payment has been taken: void the payments before changing lines")]
    LinesFrozen,
    // Held from 0, named from 1 as the screen's "#" column shows them.
    #[error("there is no line #{n}", n = .0 + 1)]
    NoSuchLine(usize),
    #[error("line #{n} is voided", n = .0 + 1)]
    LineVoided(usize),
    #[error("quantity {0} is not valid here: {1}")]
    BadQuantity(Decimal, &'static str),
    #[error("discount is not valid: {0}")]
    BadDiscount(&'static str),
    #[error("the sale has no lines to pay for")]
    Empty,
    #[error("a sale has at most {MAX_CART_LINES} lines: complete this one and start another")]
    TooManyLines,
    #[error("a sale takes at most {MAX_TENDERS} payments")]
    TooManyTenders,
    #[error("a payment must be more than zero")]
    NonPositiveTender,
    #[error(
        "{kind} payment of {amount} is more than the {remaining} due: change is given only from cash"
    )]
    OverTender {
        kind: TenderKind,
        amount: Money,
        remaining: Money,
    },
    #[error("refunds are paid out exactly: {amount} is more than the {remaining} due")]
    OverRefund { amount: Money, remaining: Money },
    #[error("{amount} has more decimals than the currency ({minor_units})")]
    TooPrecise { amount: Money, minor_units: u32 },
    #[error("cash is paid in steps of {step}: {amount} cannot be handed over")]
    NotInCoins { amount: Money, step: Decimal },
    #[error("{0} is more than any till takes in one payment")]
    TooLarge(Money),
    #[error("refund lines come only from the original receipt")]
    NotOnRefund,
    #[error("tax category '{0}' is not configured for this store")]
    UnknownTaxCategory(String),
}

impl Sale {
    pub fn new(kind: SaleKind) -> Sale {
        Sale {
            kind,
            state: SaleState::Open,
            lines: Vec::new(),
            discount: None,
            tenders: Vec::new(),
            change: Money::ZERO,
            cash_rounding: Money::ZERO,
            customer: None,
            approved_by: None,
            opened_by: None,
        }
    }

    pub fn is_refund(&self) -> bool {
        matches!(self.kind, SaleKind::Refund { .. })
    }

    fn editable(&self) -> Result<(), SaleError> {
        match self.state {
            SaleState::Open => Ok(()),
            SaleState::Tendering => Err(SaleError::LinesFrozen),
            s => Err(SaleError::NotChangeable(s)),
        }
    }

    fn active_line(&mut self, index: usize) -> Result<&mut Line, SaleError> {
        let line = self
            .lines
            .get_mut(index)
            .ok_or(SaleError::NoSuchLine(index))?;
        if line.voided {
            return Err(SaleError::LineVoided(index));
        }
        Ok(line)
    }

    /// Whether the sale is within `domain::limits`, so it fits a frame. A
    /// sale built by this code always is; one stored by an older till (before
    /// the bounds) may not be, and is then parked rather than sent.
    pub fn check_bounds(&self) -> Result<(), TooLarge> {
        limits::check_count("lines on a sale", self.lines.len(), MAX_CART_LINES)?;
        limits::check_count("payments on a sale", self.tenders.len(), MAX_TENDERS)?;
        for line in &self.lines {
            limits::check("a line's sku", &line.sku, MAX_SKU)?;
            limits::check("a line's name", &line.name, MAX_PRODUCT_NAME)?;
            limits::check("a line's tax category", &line.tax_code, MAX_TAX_CODE)?;
        }
        for user in self.approved_by.iter().chain(self.opened_by.iter()) {
            limits::check("a user name", user, MAX_USER_NAME)?;
        }
        Ok(())
    }

    pub fn add_line(&mut self, line: Line) -> Result<usize, SaleError> {
        self.editable()?;
        check_quantity(line.unit, line.quantity)?;
        if self.is_refund() != line.refund_of.is_some() {
            return Err(SaleError::NotOnRefund);
        }
        if self.lines.len() >= MAX_CART_LINES {
            return Err(SaleError::TooManyLines);
        }
        self.lines.push(line);
        Ok(self.lines.len() - 1)
    }

    pub fn set_quantity(&mut self, index: usize, quantity: Decimal) -> Result<(), SaleError> {
        self.editable()?;
        if self.is_refund() {
            return Err(SaleError::NotOnRefund);
        }
        let line = self.active_line(index)?;
        check_quantity(line.unit, quantity)?;
        line.quantity = quantity;
        Ok(())
    }

    /// Sells a line at `price` instead of the shelf's; returns the old price.
    pub fn override_price(&mut self, index: usize, price: Money) -> Result<Money, SaleError> {
        self.editable()?;
        if self.is_refund() {
            return Err(SaleError::NotOnRefund);
        }
        let line = self.active_line(index)?;
        Ok(std::mem::replace(&mut line.unit_price, price))
    }

    pub fn void_line(&mut self, index: usize) -> Result<(), SaleError> {
        self.editable()?;
        self.active_line(index)?.voided = true;
        Ok(())
    }

    pub fn set_line_discount(
        &mut self,
        index: usize,
        discount: Option<Discount>,
    ) -> Result<(), SaleError> {
        self.editable()?;
        if self.is_refund() {
            return Err(SaleError::NotOnRefund);
        }
        if let Some(d) = discount {
            d.validate().map_err(SaleError::BadDiscount)?;
        }
        self.active_line(index)?.discount = discount;
        Ok(())
    }

    pub fn set_sale_discount(&mut self, discount: Option<Discount>) -> Result<(), SaleError> {
        self.editable()?;
        if self.is_refund() {
            return Err(SaleError::NotOnRefund);
        }
        if let Some(d) = discount {
            d.validate().map_err(SaleError::BadDiscount)?;
        }
        self.discount = discount;
        Ok(())
    }

    /// Voids the whole sale. Whether the user may do so is the engine's decision.
    pub fn void(&mut self) -> Result<(), SaleError> {
        match self.state {
            SaleState::Open | SaleState::Tendering => {
                self.state = SaleState::Voided;
                Ok(())
            }
            s => Err(SaleError::NotChangeable(s)),
        }
    }

    /// What a payment of `kind` must be to settle the sale: the remaining amount,
    /// rounded to the smallest coin for cash where the store rounds cash.
    pub fn due(&self, kind: TenderKind, rules: &PriceRules) -> Result<Money, SaleError> {
        Ok(self.totals(rules)?.due(kind, rules))
    }

    /// Takes a payment (or, on a refund, a pay-out). Completes the sale once
    /// it is paid. Returns the sale's figures with the payment counted.
    pub fn tender(
        &mut self,
        kind: TenderKind,
        amount: Money,
        rules: &PriceRules,
    ) -> Result<Totals, SaleError> {
        self.payable()?;
        let totals = self.totals(rules)?;
        self.tender_on(totals, kind, amount, rules)
    }

    /// [`Sale::tender`] given the figures `totals` already worked out for
    /// this sale as it stands: the tender is the slowest step a cashier
    /// waits on, and working the figures out is most of its CPU.
    pub(crate) fn tender_on(
        &mut self,
        mut totals: Totals,
        kind: TenderKind,
        amount: Money,
        rules: &PriceRules,
    ) -> Result<Totals, SaleError> {
        self.payable()?;
        if totals.lines.is_empty() {
            return Err(SaleError::Empty);
        }
        if self.tenders.len() >= MAX_TENDERS {
            return Err(SaleError::TooManyTenders);
        }
        let remaining = totals.remaining;
        let cash_due = totals.due(kind, rules);
        // Zero is a payment only when nothing is due in this form: a sale whose
        // last cents round away in cash, or a sale discounted to nothing.
        if amount.is_negative() || (amount.is_zero() && !cash_due.is_zero()) {
            return Err(SaleError::NonPositiveTender);
        }
        if amount.amount() > Decimal::from(MAX_TENDER) {
            return Err(SaleError::TooLarge(amount));
        }
        if amount.amount().normalize().scale() > rules.currency.minor_units {
            return Err(SaleError::TooPrecise {
                amount,
                minor_units: rules.currency.minor_units,
            });
        }
        if let (TenderKind::Cash, Some(step)) = (kind, rules.cash_increment)
            && !(amount.amount() % step).is_zero()
        {
            return Err(SaleError::NotInCoins { amount, step });
        }
        if self.is_refund() {
            if amount > cash_due {
                return Err(SaleError::OverRefund {
                    amount,
                    remaining: cash_due,
                });
            }
        } else if kind != TenderKind::Cash && amount > remaining {
            return Err(SaleError::OverTender {
                kind,
                amount,
                remaining,
            });
        }
        self.tenders.push(Tender { kind, amount });
        self.state = SaleState::Tendering;
        if amount >= cash_due {
            self.cash_rounding = cash_due - remaining;
            self.change = amount - cash_due;
            self.state = SaleState::Completed;
        }
        self.settle(&mut totals);
        Ok(totals)
    }

    /// Works out every figure of the sale. Each line is rounded on its own,
    /// the sale discount is shared out so that the shares add up exactly, and the
    /// tax breakdown is the sum of the lines: the parts always make the total.
    pub fn totals(&self, rules: &PriceRules) -> Result<Totals, SaleError> {
        let currency = &rules.currency;
        let round = |m: Money| currency.round(m, rules.rounding);
        // Worked out in place, in three passes over one list (this runs on
        // every scan; malloc was a tenth of a scan's CPU, a fifth of that
        // here): each line's own price and discount, then its share of the
        // sale discount, then what is left and its tax.
        let mut line_totals = Vec::with_capacity(self.lines.len());
        for (index, line) in self.lines.iter().enumerate().filter(|(_, l)| !l.voided) {
            // A refund line gives back its share of the original line's figures,
            // at the rate it was sold at; it is never priced or taxed again.
            let (before, line_discount) = match line.refund_of {
                Some(r) => (r.gross, Money::ZERO),
                None => {
                    let before = round(line.unit_price.times(line.quantity));
                    let discount = match line.discount {
                        Some(d) => round(d.of(before)).min(before),
                        None => Money::ZERO,
                    };
                    (before, discount)
                }
            };
            line_totals.push(LineTotal {
                line: index,
                before_discount: before,
                line_discount,
                sale_discount: Money::ZERO,
                amount: Money::ZERO,
                rate: Decimal::ZERO,
                split: TaxSplit::default(),
            });
        }
        let after_line = |t: &LineTotal| t.before_discount - t.line_discount;
        let base: Money = line_totals.iter().map(after_line).sum();
        let sale_discount = match self.discount {
            Some(d) => round(d.of(base)).min(base),
            None => Money::ZERO,
        };
        if !sale_discount.is_zero() {
            let weights: Vec<Money> = line_totals.iter().map(after_line).collect();
            let shares = allocate(sale_discount, &weights, currency.minor_units);
            for (t, share) in line_totals.iter_mut().zip(shares) {
                t.sale_discount = share;
            }
        }
        for t in &mut line_totals {
            // One expression whether or not there is a share: a decimal's
            // scale follows its arithmetic (0.00 - 0 is 0), and the amount's
            // text is what the store keeps and the journal hashes.
            t.amount = t.before_discount - t.line_discount - t.sale_discount;
            let line = &self.lines[t.line];
            (t.rate, t.split) = match line.refund_of {
                Some(r) => (r.rate, r.split()),
                None => {
                    let rate = rules
                        .tax_category(&line.tax_code)
                        .ok_or_else(|| SaleError::UnknownTaxCategory(line.tax_code.clone()))?
                        .rate;
                    (
                        rate,
                        split(t.amount, rate, rules.tax_mode, currency, rules.rounding),
                    )
                }
            };
        }
        let tax = TaxBreakdown::from_lines(
            line_totals
                .iter()
                .map(|t| (self.lines[t.line].tax_code.as_str(), t.rate, t.split)),
        );
        let total = tax.total_gross();
        let mut totals = Totals {
            subtotal: line_totals.iter().map(|t| t.before_discount).sum(),
            discount: line_totals
                .iter()
                .map(|t| t.line_discount + t.sale_discount)
                .sum(),
            tax,
            total,
            paid: Money::ZERO,
            remaining: total,
            lines: line_totals,
        };
        self.settle(&mut totals);
        Ok(totals)
    }

    /// A completed or voided sale takes no more payments.
    fn payable(&self) -> Result<(), SaleError> {
        match self.state {
            SaleState::Completed | SaleState::Voided => Err(SaleError::NotChangeable(self.state)),
            _ => Ok(()),
        }
    }

    /// Counts the tenders so far into `totals`: what is paid and what is left.
    fn settle(&self, totals: &mut Totals) {
        let tendered: Money = self.tenders.iter().map(|t| t.amount).sum();
        totals.paid = tendered - self.change - self.cash_rounding;
        totals.remaining = (totals.total - totals.paid).max(Money::ZERO);
    }
}

impl Totals {
    /// What a payment of `kind` must be to settle these figures (see `Sale::due`).
    pub fn due(&self, kind: TenderKind, rules: &PriceRules) -> Money {
        match (kind, rules.cash_increment) {
            (TenderKind::Cash, Some(step)) => {
                round_to_increment(self.remaining, step, rules.rounding)
            }
            _ => self.remaining,
        }
    }
}

fn check_quantity(unit: Unit, quantity: Decimal) -> Result<(), SaleError> {
    if quantity <= Decimal::ZERO {
        return Err(SaleError::BadQuantity(
            quantity,
            "it must be more than zero",
        ));
    }
    if quantity > super::quantity::MAX_QUANTITY {
        return Err(SaleError::BadQuantity(
            quantity,
            "it is larger than any till sale",
        ));
    }
    if !unit.accepts(quantity) {
        let why = match unit {
            Unit::Each => "this item is sold by the piece",
            Unit::Kg => "weights are kept to the gram (3 decimals)",
        };
        return Err(SaleError::BadQuantity(quantity, why));
    }
    Ok(())
}
