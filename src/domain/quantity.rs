//! A quantity as a person types it at the till, and how large one may be.
//!
//! Typed quantities are plain decimals: digits with at most one '.' ("3",
//! "0.5", "12.345"). No sign, no exponent, no spaces: `Decimal`'s own parser
//! would take "1e3" for 1000 pieces and "+3" for 3, which no cashier means.
//! Past [`MAX_QUANTITY`] nothing is taken; past the confirmation sizes the
//! till asks first, since a quantity that large is more often a mistyped
//! code ("40063813339310*…") or a slip of the hand than a real sale.

use rust_decimal::Decimal;

use super::product::Unit;

/// The most of anything one line of a sale holds; the sale refuses more.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// Past this many pieces the till asks before taking them: a shop sells a
/// few dozen of one thing at most in one sale (a box of 100 pens is sold
/// as one box, with its own code), so three digits is rarely meant.
pub const CONFIRM_PIECES_ABOVE: Decimal = Decimal::from_parts(99, 0, 0, false, 0);

/// Past this weight (kg) the till asks first: more than a sack of potatoes
/// is rarely weighed at a till, and a scale never sends that much for one
/// item.
pub const CONFIRM_KG_ABOVE: Decimal = Decimal::from_parts(50, 0, 0, false, 0);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("'{0}' is not a quantity: type digits, and a '.' for a weight (3, 0.5)")]
    NotPlain(String),
    #[error("{0} is more than one line of a sale holds (at most {MAX_QUANTITY})")]
    TooLarge(String),
}

/// Reads a typed quantity (see the module: plain decimals only, at most
/// [`MAX_QUANTITY`]). Zero and the unit's own rule (whole pieces, grams)
/// are the sale's to refuse, with the product in hand.
pub fn parse(text: &str) -> Result<Decimal, QuantityError> {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let dots = text.chars().filter(|c| *c == '.').count();
    if digits == 0 || dots > 1 || digits + dots != text.chars().count() {
        return Err(QuantityError::NotPlain(text.chars().take(20).collect()));
    }
    let too_large = || QuantityError::TooLarge(text.chars().take(20).collect());
    let quantity: Decimal = text.parse().map_err(|_| too_large())?;
    if quantity > MAX_QUANTITY {
        return Err(too_large());
    }
    Ok(quantity)
}

/// Whether the till asks before taking `quantity` of a product counted by
/// `unit`. Before a scan the unit is not known yet (`None`): then the
/// smaller of the two sizes applies, so no large weight slips through; the
/// price is a question for 51 to 99 pieces typed before a code.
pub fn needs_confirmation(quantity: Decimal, unit: Option<Unit>) -> bool {
    let above = match unit {
        Some(Unit::Each) => CONFIRM_PIECES_ABOVE,
        Some(Unit::Kg) | None => CONFIRM_KG_ABOVE.min(CONFIRM_PIECES_ABOVE),
    };
    quantity > above
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    #[test]
    fn only_plain_decimals_are_quantities() {
        assert_eq!(parse("3"), Ok(dec!(3)));
        assert_eq!(parse(" 0.5 "), Ok(dec!(0.5)));
        assert_eq!(parse(".5"), Ok(dec!(0.5)));
        assert_eq!(parse("100000"), Ok(MAX_QUANTITY));
        for bad in [
            "1e3", "+3", "-3", "1.2.3", "", ".", "3 4", "1_000", "0x10", "３",
        ] {
            assert!(
                matches!(parse(bad), Err(QuantityError::NotPlain(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            parse("100000.001"),
            Err(QuantityError::TooLarge(_))
        ));
        assert!(matches!(
            parse(&"9".repeat(40)),
            Err(QuantityError::TooLarge(_))
        ));
    }

    #[test]
    fn large_quantities_are_asked_about() {
        assert!(!needs_confirmation(dec!(99), Some(Unit::Each)));
        assert!(needs_confirmation(dec!(100), Some(Unit::Each)));
        assert!(!needs_confirmation(dec!(50), Some(Unit::Kg)));
        assert!(needs_confirmation(dec!(50.001), Some(Unit::Kg)));
        assert!(needs_confirmation(dec!(51), None));
    }
}
