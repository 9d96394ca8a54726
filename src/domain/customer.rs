//! Customers: who bought, for tax invoices, receipts by email and loyalty.
//!
//! A customer is two parts. The id, the consent flags and the dates are
//! business records and stay. The person's own data, [`Contact`], is kept
//! encrypted and is erased on request, leaving a tombstone under the same id,
//! so sales that name the id keep their amounts, taxes and dates. Sales and
//! journal entries only ever hold the id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub type CustomerId = u64;

/// The person's own data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// VAT number, TRN, GSTIN …: printed on a tax invoice for a business buyer.
    pub tax_number: Option<String>,
}

/// What the customer agreed to; each is off until they say yes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub receipt_by_email: bool,
    pub marketing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub created_at: DateTime<Utc>,
    pub consent: Consent,
    /// `None` once erased.
    pub contact: Option<Contact>,
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("a customer needs a name")]
    NoName,
    #[error("'{0}' is not an email address")]
    BadEmail(String),
    #[error("'{0}' is not a phone number (digits, spaces, + - ( ) only)")]
    BadPhone(String),
    #[error("tax number '{0}': letters, digits, spaces, - and / only, 4 to 20 of them")]
    BadTaxNumber(String),
    #[error("{0} is longer than 200 characters")]
    TooLong(&'static str),
}

impl Contact {
    /// Trims every field, drops empty optional ones, and checks what can be checked.
    pub fn cleaned(self) -> Result<Contact, ContactError> {
        let opt = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let c = Contact {
            name: self.name.trim().to_string(),
            phone: opt(self.phone),
            email: opt(self.email),
            address: opt(self.address),
            tax_number: opt(self.tax_number),
        };
        if c.name.is_empty() {
            return Err(ContactError::NoName);
        }
        for (what, value) in [
            ("the name", Some(&c.name)),
            ("the phone", c.phone.as_ref()),
            ("the email", c.email.as_ref()),
            ("the address", c.address.as_ref()),
            ("the tax number", c.tax_number.as_ref()),
        ] {
            if value.is_some_and(|v| v.chars().count() > 200) {
                return Err(ContactError::TooLong(what));
            }
        }
        if let Some(email) = &c.email {
            let ok = email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !email.contains(char::is_whitespace);
            if !ok {
                return Err(ContactError::BadEmail(email.clone()));
            }
        }
        if let Some(phone) = &c.phone
            && (!phone.chars().any(|ch| ch.is_ascii_digit())
                || !phone
                    .chars()
                    .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch)))
        {
            return Err(ContactError::BadPhone(phone.clone()));
        }
        if let Some(tax) = &c.tax_number {
            let len = tax.chars().filter(|ch| ch.is_ascii_alphanumeric()).count();
            if !(4..=20).contains(&len)
                || !tax
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || " -/".contains(ch))
            {
                return Err(ContactError::BadTaxNumber(tax.clone()));
            }
        }
        Ok(c)
    }

    /// The names of the fields that differ from `other`, for the journal:
    /// which fields a correction changed, never their values.
    pub fn changed_fields(&self, other: &Contact) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.name != other.name {
            out.push("name");
        }
        if self.phone != other.phone {
            out.push("phone");
        }
        if self.email != other.email {
            out.push("email");
        }
        if self.address != other.address {
            out.push("address");
        }
        if self.tax_number != other.tax_number {
            out.push("tax_number");
        }
        out
    }

    /// Whether every word of `query` is in the name, phone, email or tax number.
    pub fn matches(&self, query: &str) -> bool {
        let hay = [
            Some(&self.name),
            self.phone.as_ref(),
            self.email.as_ref(),
            self.tax_number.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|s| s.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
        query
            .to_lowercase()
            .split_whitespace()
            .all(|w| hay.contains(w))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn contact(name: &str) -> Contact {
        Contact {
            name: name.into(),
            ..Contact::default()
        }
    }

    #[test]
    fn cleaning_trims_and_checks() {
        let c = Contact {
            name: "  Ada Lovelace ".into(),
            email: Some(" ada@example.org ".into()),
            phone: Some("".into()),
            tax_number: Some("GB 123 4567 89".into()),
            ..Contact::default()
        }
        .cleaned()
        .unwrap();
        assert_eq!(c.name, "Ada Lovelace");
        assert_eq!(c.email.as_deref(), Some("ada@example.org"));
        assert_eq!(c.phone, None);
        assert_eq!(contact(" ").cleaned(), Err(ContactError::NoName));
        let bad = Contact {
            email: Some("ada.example.org".into()),
            ..contact("Ada")
        };
        assert!(matches!(bad.cleaned(), Err(ContactError::BadEmail(_))));
        let bad = Contact {
            phone: Some("call me".into()),
            ..contact("Ada")
        };
        assert!(matches!(bad.cleaned(), Err(ContactError::BadPhone(_))));
        let bad = Contact {
            tax_number: Some("<script>".into()),
            ..contact("Ada")
        };
        assert!(matches!(bad.cleaned(), Err(ContactError::BadTaxNumber(_))));
    }

    #[test]
    fn finds_by_any_word_and_names_changes() {
        let c = Contact {
            phone: Some("+44 20 7946 0000".into()),
            ..contact("Ada Lovelace")
        };
        assert!(c.matches("ada 7946"));
        assert!(!c.matches("babbage"));
        let moved = Contact {
            address: Some("12 St James's Square".into()),
            ..c.clone()
        };
        assert_eq!(moved.changed_fields(&c), vec!["address"]);
    }
}
