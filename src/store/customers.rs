//! The customers tree and its correction history, personal data sealed (see
//! `sealing`). Adding, correcting and erasing each land with a journal entry
//! that names the customer by id only, so the hashed journal never holds a
//! person's data and erasing it never breaks the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::envelope::{decode, encode};
use super::error::StoreError;
use super::journal::{self, JournalEvent};
use super::sealing::Sealer;
use super::table::Table;
use super::{Put, Store, keys};
use crate::domain::customer::{Consent, Contact, Customer, CustomerId};

pub(super) const NEXT_CUSTOMER_KEY: &[u8] = b"next_customer";

/// A customer as stored: the contact sealed, the rest in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct StoredCustomer {
    id: CustomerId,
    created_at: DateTime<Utc>,
    consent: Consent,
    sealed: Option<Vec<u8>>,
    erased_at: Option<DateTime<Utc>>,
}

/// One correction, old and new, as kept (sealed) in the history tree; the
/// journal entry holds its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub at: DateTime<Utc>,
    pub old: Contact,
    pub new: Contact,
    pub old_consent: Consent,
    pub new_consent: Consent,
}

fn record_key(id: CustomerId) -> Vec<u8> {
    format!("customer:{id}").into_bytes()
}

/// History entries of one customer sit together, numbered from 1.
fn history_key(id: CustomerId, seq: u64) -> Vec<u8> {
    let mut k = keys::seq(id).to_vec();
    k.extend_from_slice(&keys::seq(seq));
    k
}

fn unseal_contact(sealer: &Sealer, stored: &StoredCustomer) -> Result<Option<Contact>, StoreError> {
    match &stored.sealed {
        Some(sealed) => {
            let plain = sealer.open(&record_key(stored.id), sealed)?;
            Ok(Some(decode(&plain, "customer details")?))
        }
        None => Ok(None),
    }
}

/// A customer's details (none once erased), for a reader beside the store.
pub(super) fn contact(
    customers: &Table<u64, StoredCustomer>,
    sealer: &Sealer,
    id: CustomerId,
) -> Result<Option<Contact>, StoreError> {
    match customers.get(&id)? {
        Some(stored) => unseal_contact(sealer, &stored),
        None => Ok(None),
    }
}

impl Store {
    fn unseal(&self, stored: StoredCustomer) -> Result<Customer, StoreError> {
        let contact = unseal_contact(&self.sealer, &stored)?;
        Ok(Customer {
            id: stored.id,
            created_at: stored.created_at,
            consent: stored.consent,
            contact,
            erased_at: stored.erased_at,
        })
    }

    fn stored_customer(&self, id: CustomerId) -> Result<Option<StoredCustomer>, StoreError> {
        self.customers.get(&id)
    }

    pub fn customer(&self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        self.stored_customer(id)?
            .map(|s| self.unseal(s))
            .transpose()
    }

    pub fn customers(&self) -> impl Iterator<Item = Result<Customer, StoreError>> + '_ {
        self.customers.values().map(move |s| self.unseal(s?))
    }

    fn seal_contact(&self, id: CustomerId, contact: &Contact) -> Result<Vec<u8>, StoreError> {
        self.sealer.seal(&record_key(id), &encode(contact)?)
    }

    /// Adds a customer, journaled by id.
    pub fn add_customer(
        &self,
        contact: &Contact,
        consent: Consent,
        actor: &str,
    ) -> Result<Customer, StoreError> {
        // Read outside the transaction: the engine applies one command at a
        // time, and it is the only writer of customers.
        let id = self.meta.seq_at(NEXT_CUSTOMER_KEY)?.unwrap_or(1);
        let stored = StoredCustomer {
            id,
            created_at: Utc::now(),
            consent,
            sealed: Some(self.seal_contact(id, contact)?),
            erased_at: None,
        };
        let puts = [
            self.customers.put(&id, &stored)?,
            Put::bytes(&self.meta, NEXT_CUSTOMER_KEY, keys::seq(id + 1)),
        ];
        self.write_journaled(&puts, actor, JournalEvent::CustomerAdded { id })?;
        self.unseal(stored)
    }

    /// Corrects a customer: the new details replace the old, and the old and
    /// new are kept (sealed) in the history, which the journal entry points
    /// at by digest and names the changed fields of.
    pub fn correct_customer(
        &self,
        id: CustomerId,
        contact: &Contact,
        consent: Consent,
        actor: &str,
    ) -> Result<Customer, StoreError> {
        let stored = self
            .stored_customer(id)?
            .ok_or_else(|| StoreError::corrupt("customer", format!("no customer {id}")))?;
        let before = self.unseal(stored.clone())?;
        let Some(old) = before.contact else {
            return Err(StoreError::corrupt(
                "customer",
                format!("customer {id} was erased"),
            ));
        };
        let correction = Correction {
            at: Utc::now(),
            old: old.clone(),
            new: contact.clone(),
            old_consent: stored.consent,
            new_consent: consent,
        };
        let seq = self.customer_history.scan_prefix(keys::seq(id)).count() as u64 + 1;
        let sealed_history = self
            .sealer
            .seal(&history_key(id, seq), &encode(&correction)?)?;
        let updated = StoredCustomer {
            consent,
            sealed: Some(self.seal_contact(id, contact)?),
            ..stored
        };
        let mut fields: Vec<String> = contact
            .changed_fields(&old)
            .into_iter()
            .map(String::from)
            .collect();
        if consent != correction.old_consent {
            fields.push("consent".into());
        }
        let puts = [
            self.customers.put(&id, &updated)?,
            Put::bytes(
                &self.customer_history,
                history_key(id, seq),
                sealed_history.clone(),
            ),
        ];
        let event = JournalEvent::CustomerCorrected {
            id,
            fields,
            record: journal::digest(&sealed_history)?,
        };
        self.write_journaled(&puts, actor, event)?;
        self.unseal(updated)
    }

    /// A customer's corrections, oldest first (empty once erased).
    pub fn customer_history(&self, id: CustomerId) -> Result<Vec<Correction>, StoreError> {
        let mut out = Vec::new();
        for item in self.customer_history.scan_prefix(keys::seq(id)) {
            let (key, sealed) = item?;
            let plain = self.sealer.open(&key, &sealed)?;
            out.push(decode(&plain, "customer correction")?);
        }
        Ok(out)
    }

    /// Puts back an exported customer, sealing their details with this store's key.
    pub(super) fn restore_customer(&self, c: &Customer) -> Result<(), StoreError> {
        let stored = StoredCustomer {
            id: c.id,
            created_at: c.created_at,
            consent: c.consent,
            sealed: c
                .contact
                .as_ref()
                .map(|contact| self.seal_contact(c.id, contact))
                .transpose()?,
            erased_at: c.erased_at,
        };
        self.customers.insert(&c.id, &stored)
    }

    /// Puts back an exported correction, after those already there.
    pub(super) fn restore_correction(
        &self,
        id: CustomerId,
        correction: &Correction,
    ) -> Result<(), StoreError> {
        let n = self.customer_history.scan_prefix(keys::seq(id)).count() as u64 + 1;
        let key = history_key(id, n);
        let sealed = self.sealer.seal(&key, &encode(correction)?)?;
        self.customer_history.insert(key, sealed)
    }

    /// Erases the person: contact and correction history go, consent is
    /// cleared, and a tombstone keeps the id (which sales still name) and
    /// when it was erased. Journaled by id only.
    pub fn erase_customer(&self, id: CustomerId, actor: &str) -> Result<(), StoreError> {
        let stored = self
            .stored_customer(id)?
            .ok_or_else(|| StoreError::corrupt("customer", format!("no customer {id}")))?;
        let tombstone = StoredCustomer {
            consent: Consent::default(),
            sealed: None,
            erased_at: Some(Utc::now()),
            ..stored
        };
        let mut puts = vec![self.customers.put(&id, &tombstone)?];
        for entry in self.customer_history.scan_prefix(keys::seq(id)) {
            puts.push(Put::remove(&self.customer_history, entry?.0));
        }
        self.write_journaled(&puts, actor, JournalEvent::CustomerErased { id })?;
        Ok(())
    }
}
