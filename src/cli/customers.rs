//! `till customers …`: find, add, correct and erase customers, as a user
//! with a PIN, through the engine: in this process, or through the daemon
//! when it holds the store. Nothing here bypasses a permission.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use super::args::{ContactArgs, CustomersCommand};
use super::backoffice::{Reach, reach};
use super::prompt::pin;
use crate::domain::customer::{Consent, Contact, Customer};
use crate::engine::api::TillApi;
use crate::engine::{BACK_OFFICE, Command, Engine, Event, SessionId};

pub fn run(data: &Path, socket: &Path, user: &str, command: &CustomersCommand) -> Result<String> {
    match reach(data, socket, Some(user), "user who may manage customers")? {
        Reach::Store(store) => {
            let mut engine = Engine::new(store)?;
            let session = engine.login(user, &pin()?, BACK_OFFICE)?;
            let outcome = act(&mut engine, session, command);
            let _ = engine.execute(session, Command::Logout);
            outcome
        }
        Reach::Daemon(mut daemon) => {
            let session = daemon.session;
            act(&mut daemon.client, session, command)
        }
    }
}

fn act(api: &mut dyn TillApi, session: SessionId, command: &CustomersCommand) -> Result<String> {
    match command {
        CustomersCommand::Find { query } => {
            let found = api.customers(session, &query.join(" "), 1000)?;
            Ok(found.iter().map(line).collect())
        }
        CustomersCommand::Add { contact } => {
            let (contact, consent) = contact.fill(Contact::default(), Consent::default());
            saved(api.execute(session, Command::AddCustomer { contact, consent })?)
        }
        CustomersCommand::Edit { id, contact } => {
            let current = api
                .customers(session, &format!("#{id}"), 1)?
                .into_iter()
                .next()
                .ok_or_else(|| anyhow!("no customer {id} (or their details were erased)"))?;
            let (contact, consent) =
                contact.fill(current.contact.unwrap_or_default(), current.consent);
            saved(api.execute(
                session,
                Command::CorrectCustomer {
                    id: *id,
                    contact,
                    consent,
                },
            )?)
        }
        CustomersCommand::Erase { id, yes } => {
            if !yes {
                bail!("erasing customer {id}'s details cannot be undone: add --yes to go ahead");
            }
            api.execute(
                session,
                Command::EraseCustomer {
                    id: *id,
                    approval: None,
                },
            )?;
            Ok(format!(
                "customer {id}'s details are erased; their sales keep the number {id}\n"
            ))
        }
    }
}

fn saved(events: Vec<Event>) -> Result<String> {
    events
        .into_iter()
        .find_map(|e| match e {
            Event::Customer(c) => Some(line(&c)),
            _ => None,
        })
        .ok_or_else(|| anyhow!("the engine did not say what it saved"))
}

fn line(c: &Customer) -> String {
    let Some(contact) = &c.contact else {
        return format!("{:>5}  (erased)\n", c.id);
    };
    let extra: Vec<&str> = [&contact.phone, &contact.email, &contact.tax_number]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    format!("{:>5}  {}  {}\n", c.id, contact.name, extra.join("  "))
}

impl ContactArgs {
    /// The details given on the command line laid over `contact`: a flag
    /// given empty clears that field.
    pub fn fill(&self, mut contact: Contact, mut consent: Consent) -> (Contact, Consent) {
        if let Some(name) = &self.name {
            contact.name = name.clone();
        }
        for (given, field) in [
            (&self.phone, &mut contact.phone),
            (&self.email, &mut contact.email),
            (&self.address, &mut contact.address),
            (&self.tax_number, &mut contact.tax_number),
        ] {
            if let Some(value) = given {
                *field = Some(value.clone());
            }
        }
        if let Some(yes) = self.receipt_by_email {
            consent.receipt_by_email = yes;
        }
        if let Some(yes) = self.marketing {
            consent.marketing = yes;
        }
        (contact, consent)
    }
}
