//! Head office's own commands (enroll, publish, report, terminals), run on
//! its store whether or not `till hq serve` holds it.
//!
//! sled lets one process open a store. Without a server running, a command
//! opens the store itself; with one, it asks the server over its own TLS
//! port, from this machine only, with the token the server wrote to
//! `serve.toml` (mode 0600) in head office's directory: whoever may read
//! that directory may run these, and nobody else.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::store::{RefusalNote, TerminalRecord};
use super::{CA_CERT, Hq};
use crate::domain::daily::DayRow;
use crate::domain::product::Product;
use crate::proto::client::HqClient;
use crate::proto::enroll::{Bundle, EnrollRequest};
use crate::store::StoreError;
use crate::store::envelope::{decode, encode};
use crate::store::outbox::HqLink;

pub const SERVE_FILE: &str = "serve.toml";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum AdminRequest {
    Enroll {
        request: EnrollRequest,
        client_cert: bool,
    },
    Publish {
        products: Vec<Product>,
    },
    Terminals,
    Report {
        from: NaiveDate,
        to: NaiveDate,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum AdminResponse {
    Enrolled(Box<Bundle>),
    Published(u64),
    /// Each terminal with the last refusal of its batches, if any.
    Terminals(Vec<(TerminalRecord, Option<RefusalNote>)>),
    Report(Vec<DayRow>),
    Error(String),
}

#[derive(Serialize, Deserialize)]
pub(super) struct AdminCall {
    pub token: String,
    pub request: AdminRequest,
}

/// Where a running server listens, and the token its admin calls carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServeFile {
    pub port: u16,
    pub token: String,
}

impl Hq {
    pub fn admin(&self, request: AdminRequest) -> AdminResponse {
        let outcome = match request {
            AdminRequest::Enroll {
                request,
                client_cert,
            } => self
                .enroll(&request, client_cert)
                .map(|b| AdminResponse::Enrolled(Box::new(b))),
            AdminRequest::Publish { products } => {
                self.publish(products).map(AdminResponse::Published)
            }
            AdminRequest::Terminals => self.terminals().map(AdminResponse::Terminals),
            AdminRequest::Report { from, to } => self.report(from, to).map(AdminResponse::Report),
        };
        outcome.unwrap_or_else(|e| AdminResponse::Error(format!("{e:#}")))
    }

    /// Answers a call that came over the network, if its token is this server's.
    pub(super) fn admin_call(&self, token: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let call: AdminCall = match decode(body, "admin call") {
            Ok(call) => call,
            Err(e) => return (400, e.to_string().into_bytes()),
        };
        if !constant_time_eq(call.token.as_bytes(), token.as_bytes()) {
            return (403, b"wrong admin token".to_vec());
        }
        match encode(&self.admin(call.request)) {
            Ok(bytes) => (200, bytes),
            Err(e) => (500, e.to_string().into_bytes()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs `request` on head office in `dir`: on its store if it is free, else
/// through the `till hq serve` that holds it.
pub fn call(dir: &Path, request: AdminRequest) -> Result<AdminResponse> {
    let response = match Hq::open(dir) {
        Ok(hq) => hq.admin(request),
        Err(e) if is_locked(&e) => remote(dir, request)?,
        Err(e) => return Err(e),
    };
    match response {
        AdminResponse::Error(why) => bail!("{why}"),
        r => Ok(r),
    }
}

fn is_locked(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::Locked { .. })
    )
}

fn remote(dir: &Path, request: AdminRequest) -> Result<AdminResponse> {
    let serve_path = dir.join(SERVE_FILE);
    let serve: ServeFile = crate::proto::enroll::read(&serve_path).with_context(|| {
        format!(
            "head office's store is in use, and {} says nothing of a running server",
            serve_path.display()
        )
    })?;
    let ca_path = dir.join(CA_CERT);
    let link = HqLink {
        url: format!("https://127.0.0.1:{}", serve.port),
        ca_pem: std::fs::read_to_string(&ca_path)
            .with_context(|| format!("cannot read {}", ca_path.display()))?,
        hq_key: String::new(),
        client_cert: None,
    };
    let client = HqClient::new(&link, Duration::from_secs(600))?;
    let call = AdminCall {
        token: serve.token,
        request,
    };
    let answer = client.exchange("POST", "/v1/admin", &encode(&call)?)?;
    if answer.status != 200 {
        return Err(anyhow!(
            "the running head office refused: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    Ok(decode(&answer.body, "admin answer")?)
}
