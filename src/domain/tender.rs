//! Ways a customer pays.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    Cash,
    Card,
    /// Vouchers, cheques, account: anything that is neither cash nor card.
    Other,
}

impl fmt::Display for TenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            TenderKind::Cash => "cash",
            TenderKind::Card => "card",
            TenderKind::Other => "other",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub kind: TenderKind,
    /// What was handed over; change is kept on the sale, not subtracted here.
    pub amount: Money,
}

/// Whether completing a sale paid with `tenders` opens the drawer: cash
/// went in or out, and a drawer hangs off the printer (`drawer`).
pub fn opens_drawer(tenders: &[Tender], drawer: bool) -> bool {
    drawer && tenders.iter().any(|t| t.kind == TenderKind::Cash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn paid(kind: TenderKind) -> Tender {
        Tender {
            kind,
            amount: Money(dec!(5)),
        }
    }

    #[test]
    fn cash_opens_the_drawer_only_where_there_is_one() {
        let mixed = [paid(TenderKind::Card), paid(TenderKind::Cash)];
        assert!(opens_drawer(&mixed, true));
        assert!(!opens_drawer(&mixed, false));
        assert!(!opens_drawer(&[paid(TenderKind::Card)], true));
        assert!(!opens_drawer(&[], true));
    }
}
