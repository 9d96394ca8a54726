//! What a scanner or a cashier enters at the till, turned into something the
//! catalogue can look up.
//!
//! This module owns the GS1 check digits (the mod-10 one and the price/weight
//! one), the EAN-13, EAN-8, UPC-A and UPC-E symbologies, their normalisation to
//! lookup keys, the shop's layout of variable-measure (scale label) codes, and
//! short price-look-up codes typed by hand. It does no I/O: it neither knows the
//! catalogue nor the scanner, so every rule here can be tested on its own.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// GS1 mod-10 check digit over the given digits (without the check digit), each 0..=9.
///
/// Weighting from the right (3, 1, 3, ...) is what lets one function serve
/// EAN-8, UPC-A, EAN-13 and the expanded form of UPC-E alike.
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let sum = digits.iter().rev().enumerate().fold(0u32, |acc, (i, &d)| {
        let weight = if i % 2 == 0 { 3 } else { 1 };
        (acc + weight * u32::from(d % 10)) % 10
    });
    ((10 - sum) % 10) as u8
}

// GS1 General Specifications 7.9.2: "weighted products" of a digit.
const TWO_MINUS: [u8; 10] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const THREE: [u8; 10] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const FIVE_PLUS: [u8; 10] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const FIVE_MINUS: [u8; 10] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/// GS1 price/weight check digit over a 4- or 5-digit value; `None` for any other length.
///
/// The EAN check digit alone lets some misreads of the price through (two
/// compensating errors); a scale that prints this extra digit makes a
/// misread price fail at the till instead of being charged.
/// Four digits use weights 2-, 2-, 3, 5- (GS1 General Specifications 7.9.3,
/// whose worked example 2875 gives 9); five digits use 5+, 2-, 5-, 5+, 2- (7.9.4).
pub fn gs1_price_check_digit(value: &[u8]) -> Option<u8> {
    let weigh = |tables: &[[u8; 10]]| -> u32 {
        let weighted = value
            .iter()
            .zip(tables)
            .map(|(&d, t)| t[usize::from(d % 10)]);
        weighted.map(u32::from).sum()
    };
    match value.len() {
        4 => Some((weigh(&[TWO_MINUS, TWO_MINUS, THREE, FIVE_MINUS]) * 3 % 10) as u8),
        5 => {
            let sum = weigh(&[FIVE_PLUS, TWO_MINUS, FIVE_MINUS, FIVE_PLUS, TWO_MINUS]);
            let target = (10 - sum % 10) % 10;
            let found = FIVE_MINUS.iter().position(|&w| u32::from(w) == target)?;
            u8::try_from(found).ok()
        }
        _ => None,
    }
}

/// Kept with a scanned item because the same eight digits can be an EAN-8 and
/// a UPC-E of two different products, and whoever resolves the key may need to say which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
}

/// A scale label carries either the amount to charge or a weight still to be
/// priced per kilogram; the sale needs to know which before it can total the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Price,
    Weight,
}

/// One rule of a GS1 variable-measure (restricted circulation, prefix 20-29) EAN-13 layout.
/// Structure: 2-digit prefix, `item_digits` item reference, optional 1 price-check digit
/// (the 4- or 5-digit GS1 price check algorithm; verify it when present), `value_digits`
/// value, 1 EAN check digit; the lengths must add to 13.
///
/// These layouts are set per country or per shop (they are not global GS1
/// rules), so they are configuration, not code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableMeasureRule {
    /// Two digits, 20..=29, e.g. "21".
    pub prefix: String,
    pub item_digits: u8,
    pub value_check_digit: bool,
    pub value_digits: u8,
    pub kind: MeasureKind,
    /// Price: 2 means value 01234 = 12.34; weight: 3 means 01234 = 1.234 kg.
    pub decimals: u32,
}

impl VariableMeasureRule {
    /// Checks this rule on its own, so that `parse` can refuse a broken rule
    /// instead of slicing a code at the wrong place and charging a wrong price.
    pub fn check(&self) -> Result<(), LayoutError> {
        let prefix = self.prefix.clone();
        let bytes = self.prefix.as_bytes();
        if bytes.len() != 2 || bytes[0] != b'2' || !bytes[1].is_ascii_digit() {
            return Err(LayoutError::BadPrefix { prefix });
        }
        if self.value_digits == 0 {
            return Err(LayoutError::NoValueDigits { prefix });
        }
        let parts = [
            self.item_digits,
            u8::from(self.value_check_digit),
            self.value_digits,
        ];
        let total = 3 + parts.into_iter().map(u32::from).sum::<u32>();
        if total != 13 {
            return Err(LayoutError::BadLength { prefix, total });
        }
        if self.value_check_digit && !matches!(self.value_digits, 4 | 5) {
            let value_digits = self.value_digits;
            return Err(LayoutError::ValueCheckNeeds4Or5 {
                prefix,
                value_digits,
            });
        }
        if self.decimals > u32::from(self.value_digits) {
            let (decimals, value_digits) = (self.decimals, self.value_digits);
            return Err(LayoutError::TooManyDecimals {
                prefix,
                decimals,
                value_digits,
            });
        }
        Ok(())
    }

    /// Reads a 13-digit code (EAN check digit already verified) that starts with this prefix.
    fn decode(&self, code: &str, digits: &[u8]) -> Result<Scanned, BarcodeError> {
        self.check()?;
        let start = 2 + usize::from(self.item_digits) + usize::from(self.value_check_digit);
        let value = &digits[start..start + usize::from(self.value_digits)];
        if self.value_check_digit && gs1_price_check_digit(value) != Some(digits[start - 1]) {
            let code = code.to_owned();
            return Err(BarcodeError::BadValueCheck { code });
        }
        let raw = value.iter().fold(0, |n, &d| n * 10 + i64::from(d));
        // check() keeps decimals within value_digits (at most 10), far below Decimal's 28.
        let value = Decimal::new(raw, self.decimals);
        let mut key = digits.to_vec();
        key[start - usize::from(self.value_check_digit)..12].fill(0);
        key[12] = gs1_check_digit(&key[..12]);
        let (key, kind) = (to_text(&key), self.kind);
        Ok(Scanned::Measured { key, kind, value })
    }
}

/// The whole prefix 20-29 plan of one shop; data rather than code because every
/// country (and sometimes every chain) assigns those prefixes differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableMeasureLayout {
    pub rules: Vec<VariableMeasureRule>,
}

impl VariableMeasureLayout {
    /// Checks each rule (prefix two digits in 20..=29, no prefix twice, lengths add to 13,
    /// value_check_digit only with value_digits 4 or 5) and says which rule is wrong and why.
    ///
    /// Meant for when the layout is saved, so that a mistake is shown to the
    /// person configuring the shop rather than to a cashier mid-sale.
    pub fn validate(&self) -> Result<(), LayoutError> {
        let mut seen = HashSet::new();
        for rule in &self.rules {
            rule.check()?;
            if !seen.insert(rule.prefix.as_str()) {
                let prefix = rule.prefix.clone();
                return Err(LayoutError::DuplicatePrefix { prefix });
            }
        }
        Ok(())
    }
}

impl Default for VariableMeasureLayout {
    /// Prices on 20-22 and kilograms on 23-25 are the most common national
    /// choice; 26-29 stay plain EAN-13 so a shop can use them for its own
    /// fixed items without the value being cut out of the code.
    fn default() -> Self {
        let rule = |prefix: &str, kind, decimals| VariableMeasureRule {
            prefix: prefix.to_owned(),
            item_digits: 5,
            value_check_digit: false,
            value_digits: 5,
            kind,
            decimals,
        };
        let price = ["20", "21", "22"].map(|p| rule(p, MeasureKind::Price, 2));
        let weight = ["23", "24", "25"].map(|p| rule(p, MeasureKind::Weight, 3));
        let rules = price.into_iter().chain(weight).collect();
        Self { rules }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    /// A fixed trade item. `keys` are the normalised lookup keys to try in order: EAN-13,
    /// UPC-A and UPC-E all normalise to their 13-digit GTIN form (UPC-A gets a leading 0;
    /// UPC-E is expanded to UPC-A first). EAN-8 stays 8 digits. An 8-digit input whose check
    /// digit is valid both as EAN-8 and as UPC-E yields both keys, EAN-8 first (and
    /// `symbology` Ean8); one valid yields only that one.
    ///
    /// The same product reaches the till as UPC-A, UPC-E or EAN-13 depending on
    /// the pack, so one normal form lets the catalogue hold it once.
    Item {
        symbology: Symbology,
        keys: Vec<String>,
    },
    /// A variable-measure code: `key` is the 13-digit code with the value digits (and the
    /// value check digit, if any) set to zero and the EAN check digit recomputed — the form
    /// under which the shop registers such an item.
    Measured {
        key: String,
        kind: MeasureKind,
        value: Decimal,
    },
    /// 1 to 6 digits: a price-look-up code typed by the cashier (no check digit).
    Plu(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("no code was entered")]
    Empty,
    /// `position` counts from 1, as a cashier would.
    #[error("{found:?} at position {position} is not a digit: codes are digits only")]
    NotDigits { found: char, position: usize },
    #[error(
        "{0} digits is not a valid code: type 1-6 digits for a PLU, or scan a barcode of 8, 12 or 13 digits"
    )]
    BadLength(usize),
    #[error("check digit of {code} should be {expected}, not {found}: rescan or type it again")]
    BadCheckDigit {
        code: String,
        expected: u8,
        found: u8,
    },
    #[error(
        "the price or weight in {code} does not match its check digit: rescan or reprint the label"
    )]
    BadValueCheck { code: String },
    #[error("the scale label settings are wrong ({0}): ask a supervisor")]
    Layout(#[from] LayoutError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("rule {prefix:?}: the prefix must be two digits from 20 to 29")]
    BadPrefix { prefix: String },
    #[error("rule {prefix}: the prefix is used by more than one rule")]
    DuplicatePrefix { prefix: String },
    #[error("rule {prefix}: the value needs at least one digit")]
    NoValueDigits { prefix: String },
    #[error("rule {prefix}: its parts add up to {total} digits, not 13")]
    BadLength { prefix: String, total: u32 },
    #[error("rule {prefix}: a value check digit needs a 4- or 5-digit value, not {value_digits}")]
    ValueCheckNeeds4Or5 { prefix: String, value_digits: u8 },
    #[error("rule {prefix}: {decimals} decimals do not fit in {value_digits} value digits")]
    TooManyDecimals {
        prefix: String,
        decimals: u32,
        value_digits: u8,
    },
}

/// Parses what a scanner or a cashier entered. Surrounding ASCII whitespace is trimmed;
/// nothing else is tolerated.
///
/// Scanners append CR/LF or tabs, so trimming those is safe; anything inside
/// the code is refused, because guessing at a mangled code risks selling the
/// wrong item.
pub fn parse(input: &str, layout: &VariableMeasureLayout) -> Result<Scanned, BarcodeError> {
    let code = input.trim_matches(|c: char| c.is_ascii_whitespace());
    if code.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some((i, found)) = code.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        let position = i + 1;
        return Err(BarcodeError::NotDigits { found, position });
    }
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    match digits.len() {
        1..=6 => Ok(Scanned::Plu(code.to_owned())),
        8 => parse_eight(code, &digits),
        12 => verify(code, &digits).map(|()| item(Symbology::UpcA, format!("0{code}"))),
        13 => {
            verify(code, &digits)?;
            match layout.rules.iter().find(|r| code.starts_with(&r.prefix)) {
                Some(rule) => rule.decode(code, &digits),
                None => Ok(item(Symbology::Ean13, code.to_owned())),
            }
        }
        n => Err(BarcodeError::BadLength(n)),
    }
}

fn item(symbology: Symbology, key: String) -> Scanned {
    Scanned::Item {
        symbology,
        keys: vec![key],
    }
}

fn to_text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d % 10)).collect()
}

fn verify(code: &str, digits: &[u8]) -> Result<(), BarcodeError> {
    let (&found, body) = digits.split_last().ok_or(BarcodeError::Empty)?;
    let expected = gs1_check_digit(body);
    if expected == found {
        Ok(())
    } else {
        Err(BarcodeError::BadCheckDigit {
            code: code.to_owned(),
            expected,
            found,
        })
    }
}

/// Expands UPC-E (number system, six digits, check) to the 12 UPC-A digits it
/// stands for, keeping its check digit; `None` if it cannot be UPC-E.
fn expand_upc_e(digits: &[u8]) -> Option<[u8; 12]> {
    let &[ns @ 0..=1, a, b, c, d, e, last, check] = digits else {
        return None;
    };
    Some(match last {
        0..=2 => [ns, a, b, last, 0, 0, 0, 0, c, d, e, check],
        3 => [ns, a, b, c, 0, 0, 0, 0, 0, d, e, check],
        4 => [ns, a, b, c, d, 0, 0, 0, 0, 0, e, check],
        _ => [ns, a, b, c, d, e, 0, 0, 0, 0, last, check],
    })
}

/// EAN-8 and UPC-E share a length and nothing in the digits tells them apart,
/// so both readings are offered when both check digits hold.
fn parse_eight(code: &str, digits: &[u8]) -> Result<Scanned, BarcodeError> {
    let ean8 = verify(code, digits);
    let mut keys = Vec::new();
    if ean8.is_ok() {
        keys.push(code.to_owned());
    }
    if let Some(upc_a) = expand_upc_e(digits)
        && verify(code, &upc_a).is_ok()
    {
        keys.push(format!("0{}", to_text(&upc_a)));
    }
    let symbology = ean8.as_ref().map_or(Symbology::UpcE, |()| Symbology::Ean8);
    match ean8 {
        Err(error) if keys.is_empty() => Err(error),
        _ => Ok(Scanned::Item { symbology, keys }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use MeasureKind::{Price, Weight};
    use Symbology::{Ean8, Ean13, UpcA, UpcE};
    use proptest::prelude::*;

    type Parsed = Result<Scanned, BarcodeError>;

    fn digits_of(code: &str) -> Vec<u8> {
        code.bytes().map(|b| b - b'0').collect()
    }

    fn scan(code: &str) -> Parsed {
        parse(code, &VariableMeasureLayout::default())
    }

    fn item(symbology: Symbology, keys: &[&str]) -> Parsed {
        let keys = keys.iter().map(|k| k.to_string()).collect();
        Ok(Scanned::Item { symbology, keys })
    }

    fn bad_check(code: &str, expected: u8, found: u8) -> Parsed {
        let code = code.to_owned();
        Err(BarcodeError::BadCheckDigit {
            code,
            expected,
            found,
        })
    }

    fn measured(key: &str, kind: MeasureKind, value: &str) -> Parsed {
        let (key, value) = (key.to_owned(), value.parse().unwrap());
        Ok(Scanned::Measured { key, kind, value })
    }

    /// Decimals 3 means kilograms, anything else a price.
    fn rule(prefix: &str, item: u8, check: bool, value: u8, decimals: u32) -> VariableMeasureRule {
        let mut rule = VariableMeasureLayout::default().rules.remove(0);
        (rule.prefix, rule.item_digits, rule.value_check_digit) = (prefix.to_owned(), item, check);
        (rule.value_digits, rule.decimals) = (value, decimals);
        rule.kind = if decimals == 3 { Weight } else { Price };
        rule
    }

    fn layout(rules: Vec<VariableMeasureRule>) -> VariableMeasureLayout {
        VariableMeasureLayout { rules }
    }

    #[test]
    fn published_codes_normalise_and_fail_with_a_wrong_check_digit() {
        for (code, symbology, wrong, expected) in [
            ("4006381333931", Ean13, "4006381333932", 1), // Stabilo
            ("5901234123457", Ean13, "5901234123450", 7), // GS1 example
            ("9780306406157", Ean13, "9780306406158", 7), // ISBN-13 example
            ("96385074", Ean8, "96385075", 4),
            ("73513537", Ean8, "73513530", 7),
            ("036000291452", UpcA, "036000291453", 2), // Wrigley's
            ("012345678905", UpcA, "012345678900", 5),
        ] {
            let digits = digits_of(code);
            let (check, body) = digits.split_last().unwrap();
            assert_eq!(gs1_check_digit(body), *check, "{code}");
            let key = format!("{}{code}", if symbology == UpcA { "0" } else { "" });
            assert_eq!(scan(code), item(symbology, &[&key]));
            let found = digits_of(wrong).last().copied().unwrap();
            assert_eq!(scan(wrong), bad_check(wrong, expected, found));
        }
        let message = scan("4006381333932").unwrap_err().to_string();
        let text = "check digit of 4006381333932 should be 1, not 2: rescan or type it again";
        assert_eq!(message, text);
    }

    #[test]
    fn upc_e_expands_by_last_digit_class() {
        for (upc_e, upc_a) in [
            ("04252614", "042100005264"), // last digit 0-2
            ("14252611", "142100005261"), // 0-2, number system 1
            ("01259814", "012100005984"), // 0-2
            ("01565839", "015600000589"), // 3
            ("01589845", "015890000085"), // 4
            ("01234565", "012345000065"), // 5-9
        ] {
            assert_eq!(to_text(&expand_upc_e(&digits_of(upc_e)).unwrap()), upc_a);
            let gtin = format!("0{upc_a}");
            let Ok(Scanned::Item { keys, .. }) = scan(upc_e) else {
                panic!("{upc_e}")
            };
            assert_eq!(keys.last(), Some(&gtin));
            assert_eq!(scan(upc_a), item(UpcA, &[&gtin]));
        }
    }

    #[test]
    fn eight_digits_take_whichever_check_digit_holds() {
        assert_eq!(scan("04252614"), item(UpcE, &["0042100005264"]));
        // Last digit 5-9: the UPC-E and EAN-8 sums coincide, so both readings hold.
        assert_eq!(scan("01234565"), item(Ean8, &["01234565", "0012345000065"]));
        assert_eq!(scan("12345670"), item(Ean8, &["12345670", "0123456000070"]));
        assert_eq!(scan("04252610"), item(Ean8, &["04252610"]));
        // Neither holds: the error quotes the EAN-8 expectation.
        assert_eq!(scan("04252613"), bad_check("04252613", 0, 3));
    }

    #[test]
    fn default_layout_decodes_price_and_weight() {
        assert_eq!(VariableMeasureLayout::default().validate(), Ok(()));
        let price = scan("2112345012346");
        assert_eq!(price, measured("2112345000008", Price, "12.34"));
        let weight = scan("2300042015009");
        assert_eq!(weight, measured("2300042000005", Weight, "1.500"));
        let Ok(Scanned::Measured { value, .. }) = weight else {
            panic!()
        };
        assert_eq!(value.to_string(), "1.500");
        // The EAN check digit is verified before the value is read.
        assert_eq!(scan("2112345012347"), bad_check("2112345012347", 6, 7));
        // 26-29 are left to the shop as plain EAN-13.
        assert_eq!(scan("2911111111111"), item(Ean13, &["2911111111111"]));
    }

    #[test]
    fn price_check_and_national_layouts_follow_published_examples() {
        assert_eq!(gs1_price_check_digit(&[2, 8, 7, 5]), Some(9));
        assert_eq!(gs1_price_check_digit(&[1, 4, 6, 8, 5]), Some(6));
        assert_eq!(gs1_price_check_digit(&[1, 2, 3]), None);
        // UK: 20, 5-digit item, check, 4-digit price in pence.
        let uk = layout(vec![rule("20", 5, true, 4, 2)]);
        assert_eq!(uk.validate(), Ok(()));
        let gb = parse("2011122912346", &uk);
        assert_eq!(gb, measured("2011122000005", Price, "12.34"));
        let bad = parse("2011122812349", &uk).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "the price or weight in 2011122812349 does not match its check digit: rescan or reprint the label"
        );
        // Germany: 28, 4-digit item, check, 5-digit weight in grams.
        let de = layout(vec![rule("28", 4, true, 5, 3)]);
        let kg = parse("2811111068708", &de);
        assert_eq!(kg, measured("2811110000006", Weight, "6.870"));
        let bad = parse("2811112068707", &de);
        assert!(matches!(bad, Err(BarcodeError::BadValueCheck { .. })));
        // Norway: 23, 6-digit item, 4-digit weight, no check (real cheese and chicken labels).
        let no = layout(vec![rule("23", 6, false, 4, 3)]);
        let cheese = parse("2302148210869", &no);
        assert_eq!(cheese, measured("2302148200006", Weight, "1.086"));
        let chicken = parse("2368091402263", &no);
        assert_eq!(chicken, measured("2368091400009", Weight, "0.226"));
    }

    #[test]
    fn plus_whitespace_and_malformed_input() {
        let not_digit = |found, position| Err(BarcodeError::NotDigits { found, position });
        assert_eq!(scan(" 004011\r\n"), Ok(Scanned::Plu("004011".to_owned())));
        assert_eq!(scan("7"), Ok(Scanned::Plu("7".to_owned())));
        assert_eq!(scan("\t4006381333931\n"), item(Ean13, &["4006381333931"]));
        assert_eq!(scan(""), Err(BarcodeError::Empty));
        assert_eq!(scan(" \t\r\n"), Err(BarcodeError::Empty));
        assert_eq!(scan("40063813339O1"), not_digit('O', 12));
        assert_eq!(scan("4006381 333931"), not_digit(' ', 8));
        assert_eq!(scan("\u{a0}4006381333931"), not_digit('\u{a0}', 1));
        assert_eq!(scan("\u{ff11}\u{ff12}"), not_digit('\u{ff11}', 1));
        for n in [7, 9, 10, 11, 14] {
            assert_eq!(scan(&"1".repeat(n)), Err(BarcodeError::BadLength(n)));
        }
        let message = scan("1234567").unwrap_err().to_string();
        assert!(message.starts_with("7 digits is not a valid code: type 1-6 digits for a PLU"));
    }

    #[test]
    fn bad_layouts_name_the_rule_and_the_problem() {
        let fails = |rules, debug: &str| {
            let error = layout(rules).validate().unwrap_err();
            assert_eq!(format!("{error:?}"), debug);
            error.to_string()
        };
        let price = |prefix| rule(prefix, 5, false, 5, 2);
        let message = fails(vec![price("30")], r#"BadPrefix { prefix: "30" }"#);
        assert_eq!(
            message,
            r#"rule "30": the prefix must be two digits from 20 to 29"#
        );
        fails(vec![price("2")], r#"BadPrefix { prefix: "2" }"#);
        let twice = vec![price("21"), price("21")];
        let message = fails(twice, r#"DuplicatePrefix { prefix: "21" }"#);
        assert_eq!(message, "rule 21: the prefix is used by more than one rule");
        let long = rule("22", 5, true, 5, 2);
        fails(vec![long], r#"BadLength { prefix: "22", total: 14 }"#);
        let six = rule("22", 3, true, 6, 2);
        fails(
            vec![six],
            r#"ValueCheckNeeds4Or5 { prefix: "22", value_digits: 6 }"#,
        );
        fails(
            vec![rule("22", 9, true, 0, 0)],
            r#"NoValueDigits { prefix: "22" }"#,
        );
        // A broken rule is refused at the till too, rather than mispricing.
        let wide = layout(vec![rule("24", 5, false, 5, 9)]);
        let too_many = wide.validate().unwrap_err();
        let debug = r#"TooManyDecimals { prefix: "24", decimals: 9, value_digits: 5 }"#;
        assert_eq!(format!("{too_many:?}"), debug);
        let refused = parse("2412345012347", &wide);
        assert_eq!(refused, Err(BarcodeError::Layout(too_many)));
    }

    fn with_check(body: &[u8]) -> Vec<u8> {
        let mut code = body.to_vec();
        code.push(gs1_check_digit(body));
        code
    }

    proptest! {
        #[test]
        fn any_twelve_digits_with_check_digit_parse(body in prop::collection::vec(0u8..10, 12)) {
            let code = to_text(&with_check(&body));
            let parsed = scan(&code).unwrap();
            if (20..=25).contains(&(body[0] * 10 + body[1])) {
                let Scanned::Measured { key, .. } = parsed else { panic!("{code}") };
                prop_assert!(verify(&key, &digits_of(&key)).is_ok());
                prop_assert_eq!(&key[..7], &code[..7]);
            } else {
                prop_assert_eq!(Ok(parsed), item(Ean13, &[&code]));
            }
        }

        #[test]
        fn any_single_digit_change_fails_the_check(
            body in prop::collection::vec(0u8..10, 12),
            position in 0usize..13,
            shift in 1u8..10,
        ) {
            let mut code = with_check(&body);
            code[position] = (code[position] + shift) % 10;
            let parsed = scan(&to_text(&code));
            let refused = matches!(parsed, Err(BarcodeError::BadCheckDigit { .. }));
            prop_assert!(refused);
        }

        #[test]
        fn upc_e_and_its_upc_a_share_a_key(ns in 0u8..2, six in prop::collection::vec(0u8..10, 6)) {
            let mut upc_e = [&[ns], six.as_slice(), &[0]].concat();
            let mut upc_a = expand_upc_e(&upc_e).unwrap();
            upc_a[11] = gs1_check_digit(&upc_a[..11]);
            upc_e[7] = upc_a[11];
            let Ok(Scanned::Item { keys, .. }) = scan(&to_text(&upc_e)) else { panic!() };
            prop_assert_eq!(keys.last(), Some(&format!("0{}", to_text(&upc_a))));
        }
    }
}
