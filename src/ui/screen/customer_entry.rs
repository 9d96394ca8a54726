//! What the cashier types on the customers screen. It is a search, unless it
//! starts with:
//! - `+` a new customer, fields by position, `;` between them:
//!   `+Name; phone; email; tax number; address` (only the name is needed);
//! - `=` a correction of the selected customer: `=email ada@example.org`
//!   (fields: name, phone, email, tax, address; nothing after it clears it);
//! - `-` alone: take the customer off the sale.

use crate::domain::customer::Contact;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Search(String),
    Add(Contact),
    Correct { field: Field, value: Option<String> },
    Detach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Phone,
    Email,
    Tax,
    Address,
}

impl Field {
    fn parse(word: &str) -> Option<Field> {
        Some(match word {
            "name" => Field::Name,
            "phone" => Field::Phone,
            "email" => Field::Email,
            "tax" => Field::Tax,
            "address" => Field::Address,
            _ => return None,
        })
    }

    /// `contact` with this field set to `value`.
    pub fn set(self, mut contact: Contact, value: Option<String>) -> Contact {
        match self {
            Field::Name => contact.name = value.unwrap_or_default(),
            Field::Phone => contact.phone = value,
            Field::Email => contact.email = value,
            Field::Tax => contact.tax_number = value,
            Field::Address => contact.address = value,
        }
        contact
    }
}

pub fn parse(text: &str) -> Result<Typed, String> {
    let text = text.trim();
    if text == "-" {
        return Ok(Typed::Detach);
    }
    if let Some(fields) = text.strip_prefix('+') {
        let mut parts = fields.split(';').map(|p| {
            let p = p.trim();
            (!p.is_empty()).then(|| p.to_string())
        });
        let mut next = || parts.next().flatten();
        let contact = Contact {
            name: next().unwrap_or_default(),
            phone: next(),
            email: next(),
            tax_number: next(),
            address: next(),
        };
        return Ok(Typed::Add(contact));
    }
    if let Some(change) = text.strip_prefix('=') {
        let (word, value) = change.trim().split_once(' ').unwrap_or((change.trim(), ""));
        let field = Field::parse(word).ok_or(format!(
            "'{word}' is not a field: name, phone, email, tax or address"
        ))?;
        let value = value.trim();
        return Ok(Typed::Correct {
            field,
            value: (!value.is_empty()).then(|| value.to_string()),
        });
    }
    Ok(Typed::Search(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_cashier_typed() {
        assert_eq!(parse("ada 7946"), Ok(Typed::Search("ada 7946".into())));
        assert_eq!(parse(" - "), Ok(Typed::Detach));
        let Ok(Typed::Add(c)) = parse("+Acme Ltd; ; sales@acme.example; GB987654321") else {
            panic!("not an add");
        };
        assert_eq!(
            (
                c.name.as_str(),
                c.phone,
                c.email.as_deref(),
                c.tax_number.as_deref()
            ),
            (
                "Acme Ltd",
                None,
                Some("sales@acme.example"),
                Some("GB987654321")
            )
        );
        assert_eq!(
            parse("=email ada@example.org"),
            Ok(Typed::Correct {
                field: Field::Email,
                value: Some("ada@example.org".into())
            })
        );
        assert_eq!(
            parse("=phone"),
            Ok(Typed::Correct {
                field: Field::Phone,
                value: None
            })
        );
        assert!(parse("=shoe 42").is_err());
    }
}
