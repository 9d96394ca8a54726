//! Customer commands: adding, correcting, erasing, finding, putting one on
//! the sale. Cashiers find, add, correct and attach (`manage_customers`);
//! erasing is a manager's call (`erase_customer`), approvable at the till
//! like any other. The gate checks both (see `facts`).

use super::{Engine, EngineError, Event, Session};
use crate::domain::customer::{Consent, Contact, Customer, CustomerId};
use crate::domain::sale::Sale;

/// The fewest characters a customer search needs.
pub const MIN_QUERY: usize = 3;

impl Engine {
    pub(super) fn add_customer(
        &mut self,
        session: &Session,
        contact: Contact,
        consent: Consent,
    ) -> Result<Vec<Event>, EngineError> {
        let contact = contact.cleaned()?;
        let customer = self.store.add_customer(&contact, consent, &session.user)?;
        Ok(vec![Event::Customer(Box::new(customer))])
    }

    pub(super) fn correct_customer(
        &mut self,
        session: &Session,
        id: CustomerId,
        contact: Contact,
        consent: Consent,
    ) -> Result<Vec<Event>, EngineError> {
        self.live_customer(id)?;
        let contact = contact.cleaned()?;
        let customer = self
            .store
            .correct_customer(id, &contact, consent, &session.user)?;
        Ok(vec![Event::Customer(Box::new(customer))])
    }

    pub(super) fn erase_customer(
        &mut self,
        session: &Session,
        id: CustomerId,
        approver: Option<String>,
    ) -> Result<Vec<Event>, EngineError> {
        self.live_customer(id)?;
        // The journal names who erased: the approver when there was one.
        let actor = approver.unwrap_or_else(|| session.user.clone());
        self.store.erase_customer(id, &actor)?;
        Ok(vec![Event::CustomerErased { id }])
    }

    /// Puts a customer on the lane's sale (`None` takes them off).
    pub(super) fn attach_customer(
        &self,
        session: &Session,
        mut sale: Sale,
        id: Option<CustomerId>,
    ) -> Result<Vec<Event>, EngineError> {
        if let Some(id) = id {
            self.live_customer(id)?;
        }
        sale.customer = id;
        self.save(session, sale)
    }

    /// A customer whose details are still there.
    pub(super) fn live_customer(&self, id: CustomerId) -> Result<Customer, EngineError> {
        let customer = self
            .store
            .customer(id)?
            .ok_or(EngineError::NoSuchCustomer(id))?;
        if customer.contact.is_none() {
            return Err(EngineError::CustomerErased(id));
        }
        Ok(customer)
    }

    /// Customers whose name, phone, email or tax number has every word of
    /// `query` (at least `MIN_QUERY` characters), or the one numbered `#ID`;
    /// erased ones left out. At most `limit`.
    pub(super) fn find_customers(
        &mut self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Customer>, EngineError> {
        // "#12": customer 12, as on a receipt or the cart.
        if let Some(id) = query.trim().strip_prefix('#').and_then(|n| n.parse().ok()) {
            return Ok(self.live_customer(id).map(|c| vec![c]).unwrap_or_default());
        }
        // Nobody browses the whole list at the till: a search needs a few
        // letters of the person sought.
        if query.trim().chars().count() < MIN_QUERY {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for customer in self.store.customers() {
            let customer = customer?;
            if customer.contact.as_ref().is_some_and(|c| c.matches(query)) {
                out.push(customer);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}
