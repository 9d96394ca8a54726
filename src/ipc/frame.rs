//! One message on the socket: a 4-byte big-endian length, then the bincode
//! bytes. A frame larger than any message Till sends is refused before it is
//! read, so a confused or hostile peer cannot make the daemon allocate at will.

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

pub const MAX_FRAME: usize = 4 * 1024 * 1024;

/// Also bounds what decoding may allocate: without a limit, a 10-byte frame
/// claiming a 16 TiB string would make bincode try to allocate it and abort
/// the daemon.
fn config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_FRAME>,
> {
    bincode::config::standard().with_limit::<MAX_FRAME>()
}

pub fn write<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let body = bincode::serde::encode_to_vec(value, config()).map_err(io::Error::other)?;
    if body.len() > MAX_FRAME {
        return Err(io::Error::other(format!(
            "a message of {} bytes is larger than {MAX_FRAME}",
            body.len()
        )));
    }
    let len = u32::try_from(body.len()).map_err(io::Error::other)?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(&body)?;
    out.flush()
}

/// Reads one frame; `Ok(None)` when the peer closed the connection between frames.
pub fn read<T: DeserializeOwned>(input: &mut impl Read) -> io::Result<Option<T>> {
    read_within(input, MAX_FRAME)
}

/// Reads one frame of at most `limit` bytes. The body is read as it comes,
/// not allocated at the length the peer claims: memory follows the bytes a
/// peer actually sent, so a thousand half-sent frames cost little.
pub fn read_within<T: DeserializeOwned>(
    input: &mut impl Read,
    limit: usize,
) -> io::Result<Option<T>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > limit.min(MAX_FRAME) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes is too large"),
        ));
    }
    let mut body = Vec::new();
    input.take(len as u64).read_to_end(&mut body)?;
    if body.len() != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed inside a frame",
        ));
    }
    let (value, used) = bincode::serde::decode_from_slice(&body, config())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    if used != len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "trailing bytes in a frame",
        ));
    }
    Ok(Some(value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::discount::Discount;
    use crate::domain::limits::{
        MAX_CART_LINES, MAX_PRODUCT_NAME, MAX_SKU, MAX_TENDERS, MAX_USER_NAME,
    };
    use crate::domain::money::{Currency, Money};
    use crate::domain::pricing::PriceRules;
    use crate::domain::product::{Product, Unit};
    use crate::domain::receipt::CompletedSale;
    use crate::domain::sale::{Line, ReceiptNo, Sale, SaleKind};
    use crate::domain::tender::TenderKind;

    #[test]
    fn frames_round_trip_and_garbage_is_refused() {
        let mut buf = Vec::new();
        write(&mut buf, &("hello".to_string(), 7u64)).unwrap();
        let back: Option<(String, u64)> = read(&mut buf.as_slice()).unwrap();
        assert_eq!(back, Some(("hello".into(), 7)));
        assert_eq!(
            read::<u64>(&mut [].as_slice()).unwrap(),
            None,
            "a clean close"
        );
        let huge = (u32::MAX).to_be_bytes();
        assert!(read::<u64>(&mut huge.as_slice()).is_err());
        let mut short = 10u32.to_be_bytes().to_vec();
        short.extend_from_slice(&[1, 2]);
        assert!(read::<u64>(&mut short.as_slice()).is_err(), "a cut frame");
        let junk = [0u8, 0, 0, 3, 0xff, 0xff, 0xff];
        assert!(
            read::<String>(&mut junk.as_slice()).is_err(),
            "bytes that are not a message"
        );
    }

    /// The largest cart the engine can build: every line at its longest
    /// strings (4-byte characters), the largest quantity and price, a
    /// discount on each, and a sale of the most tenders. Encoded as the
    /// socket encodes it, sale and totals together, it fits a quarter of a
    /// frame: the screen can always be sent its cart. The bounds are
    /// `domain::limits`'; this is where they meet the frame.
    #[test]
    fn the_largest_cart_fits_a_frame_with_room_to_spare() {
        let rules = PriceRules {
            currency: Currency::new("EUR", 2).unwrap(),
            ..PriceRules::default()
        };
        let tax = rules.tax_categories[0].code.clone();
        let wide = |n: usize| "𝄞".repeat(n);
        let product = Product {
            sku: wide(MAX_SKU),
            name: wide(MAX_PRODUCT_NAME),
            price: Money::new(Decimal::from(999_999_999u64) + Decimal::new(99, 2)),
            tax_code: tax,
            unit: Unit::Each,
            barcodes: vec![],
            plu: None,
        };
        let mut sale = Sale::new(SaleKind::Sale);
        for _ in 0..MAX_CART_LINES {
            let i = sale
                .add_line(Line::from_product(&product, Decimal::from(99_999)))
                .unwrap();
            sale.set_line_discount(i, Some(Discount::Percent(Decimal::new(3333, 2))))
                .unwrap();
        }
        assert!(
            sale.add_line(Line::from_product(&product, Decimal::ONE))
                .is_err(),
            "a line past the bound is refused"
        );
        sale.approved_by = Some(wide(MAX_USER_NAME));
        sale.opened_by = Some(wide(MAX_USER_NAME));
        for _ in 0..MAX_TENDERS - 1 {
            sale.tender(TenderKind::Card, Money::new(Decimal::new(1, 2)), &rules)
                .unwrap();
        }
        let one_cent = Money::new(Decimal::new(1, 2));
        assert!(
            sale.tender(TenderKind::Card, one_cent, &rules).is_ok(),
            "the last tender is taken"
        );
        assert!(sale.tender(TenderKind::Card, one_cent, &rules).is_err());
        let totals = sale.totals(&rules).unwrap();
        let cart = bincode::serde::encode_to_vec((&sale, &totals), config()).unwrap();
        let completed = CompletedSale {
            receipt: ReceiptNo(u64::MAX),
            terminal: "T".repeat(32),
            lane: u16::MAX,
            cashier: wide(MAX_USER_NAME),
            completed_at: chrono::Utc::now(),
            sale,
            totals,
        };
        let done = bincode::serde::encode_to_vec(&completed, config()).unwrap();
        for (what, len) in [("cart", cart.len()), ("completed sale", done.len())] {
            assert!(len < MAX_FRAME / 4, "the largest {what} is {len} bytes");
        }
    }
}
