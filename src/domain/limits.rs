//! How large anything a person or a file gives the till may be.
//!
//! Every string the till stores has a bound, checked where it comes in
//! (import, `till init`, the engine's commands, the config), so no record can
//! grow past what the screen's socket carries in one frame (4 MiB, see
//! `ipc::frame`) and no cart can leave its lane unusable. The bounds are in
//! characters, as people count them; a character is at most 4 bytes of UTF-8,
//! which is what the size arithmetic below uses.
//!
//! The largest cart: [`MAX_CART_LINES`] lines, each at most
//! `MAX_SKU + MAX_PRODUCT_NAME + MAX_TAX_CODE` = 64 + 120 + 16 = 200
//! characters = 800 bytes of strings, plus about 150 bytes of numbers
//! (prices, quantity, discount, refund figures; a `Decimal` is at most 30
//! characters as text): under 1 KiB a line. Its [`Totals`](super::sale::Totals)
//! add under 200 bytes a line. 500 lines x 1.2 KiB = 600 KiB, plus at most
//! [`MAX_TENDERS`] tenders of under 50 bytes and two user names: well under
//! 1 MiB, a quarter of a frame. A completed sale adds its receipt data
//! (terminal id, cashier name, time: under 200 bytes). The test below builds
//! the largest and checks it.

/// A shop's own product code: barcodes are at most 14 digits and GS1 keys
/// a little more; 64 leaves room for any scheme a shop uses.
pub const MAX_SKU: usize = 64;
/// What the screen shows and the receipt prints: two lines of the widest
/// (48-column) paper and a little more. Longer is a description, not a name.
pub const MAX_PRODUCT_NAME: usize = 120;
/// A tax category's code ("std", "zero", "gst18").
pub const MAX_TAX_CODE: usize = 16;
/// Barcodes one product answers to: a few pack sizes and old labels.
pub const MAX_BARCODES: usize = 32;
/// A user's name, typed at the login screen and printed on receipts.
pub const MAX_USER_NAME: usize = 32;
/// The shop's name, printed at the top of every receipt.
pub const MAX_STORE_NAME: usize = 64;
/// A reason or note (stock adjustment, cash movement, delivery reference):
/// a sentence, kept in the journal for ever.
pub const MAX_REASON: usize = 200;
/// Lines on one cart. A big trolley is 150 items; a line can carry a
/// quantity, so 500 lines is more than any real sale and keeps the cart
/// within a quarter of a frame (see the module's arithmetic).
pub const MAX_CART_LINES: usize = 500;
/// Payments on one sale: split tenders are a handful; this stops a
/// penny-by-penny loop from growing the sale without end.
pub const MAX_TENDERS: usize = 50;
/// Lines on one delivery note (`ReceiveDelivery`): as many as a cart.
pub const MAX_DELIVERY_LINES: usize = MAX_CART_LINES;
/// A search typed at the till (products or customers): a few words, never
/// longer than the longest field it could match; a longer one would only
/// hold the engine while it is compared with every record.
pub const MAX_QUERY: usize = 200;
/// The bytes of one list the engine answers with (the held sales): half a
/// 4 MiB frame. Each sale within the bounds is under a quarter frame, but a
/// list of many of the largest would not fit one answer.
pub const MAX_ANSWER: usize = 2 * 1024 * 1024;
/// Lines above or below the receipt (`[receipt]` header and footer).
pub const MAX_RECEIPT_LINES: usize = 10;
/// One header or footer line: the widest paper prints 48 columns.
pub const MAX_RECEIPT_LINE: usize = 48;

/// A string or a list past its bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooLarge {
    #[error("{what} is longer than {max} characters ({len})")]
    Chars {
        what: &'static str,
        max: usize,
        len: usize,
    },
    #[error("{what}: at most {max}, not {len}")]
    Count {
        what: &'static str,
        max: usize,
        len: usize,
    },
}

/// Refuses a list of more than `max` items.
pub fn check_count(what: &'static str, len: usize, max: usize) -> Result<(), TooLarge> {
    if len > max {
        Err(TooLarge::Count { what, max, len })
    } else {
        Ok(())
    }
}

/// Refuses `value` if it has more than `max` characters. Counting stops past
/// the bound, so a megabyte string costs no more than a short one.
pub fn check(what: &'static str, value: &str, max: usize) -> Result<(), TooLarge> {
    // More than 4 * max bytes cannot be max characters: no need to count.
    let len = if value.len() > 4 * max {
        value.len() / 4
    } else {
        value.chars().count()
    };
    if len > max {
        Err(TooLarge::Chars { what, max, len })
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bounds_count_characters_and_refuse_past_them() {
        assert!(check("the name", &"é".repeat(MAX_PRODUCT_NAME), MAX_PRODUCT_NAME).is_ok());
        let e = check("the name", &"x".repeat(5 << 20), MAX_PRODUCT_NAME).unwrap_err();
        assert!(e.to_string().contains("longer than 120 characters"), "{e}");
    }
}
