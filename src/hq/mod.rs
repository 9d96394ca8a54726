//! Head office: `till hq …`. It receives every terminal's journal in signed
//! batches ([`ingest`]), keeps it ([`store`], [`sled_store`]), serves it over
//! rustls ([`server`]) and publishes
//! catalog change sets for every terminal to apply.
//!
//! Its directory holds `hq.toml` (name, address, price rules), its CA and
//! server certificate and keys ([`pki`]), `hq.key` (the ed25519 key that
//! signs acknowledgements and catalogs) and `store/`.

pub mod admin;
pub mod ingest;
pub mod pki;
pub mod server;
pub mod sled_store;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::domain::daily::{DayRow, local_day};
use crate::domain::pricing::PriceRules;
use crate::domain::product::Product;
use crate::proto::enroll::{Bundle, EnrollRequest};
use crate::proto::tls;
use crate::proto::wire::{self, ChangeSet, Signed};
use crate::store::identity;
use sled_store::SledHqStore;
use store::{HqStore, RefusalNote, TerminalRecord};

const SETTINGS_FILE: &str = "hq.toml";
const KEY_FILE: &str = "hq.key";
pub(crate) const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca.key";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server.key";
const STORE_DIR: &str = "store";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqSettings {
    /// Head office's name, in its CA's name.
    pub name: String,
    /// The address terminals reach it at, put in every enrolment bundle.
    pub url: String,
    /// Currency and tax categories of the catalog it publishes.
    pub rules: PriceRules,
}

impl HqSettings {
    /// Reads `hq.toml`, which needs no lock: the store may be in use.
    pub fn load(dir: &Path) -> Result<HqSettings> {
        let path = dir.join(SETTINGS_FILE);
        if !path.exists() {
            bail!(
                "{} is not a head office directory (no {SETTINGS_FILE}): make one with till hq init",
                dir.display()
            );
        }
        crate::proto::enroll::read(&path)
    }
}

pub struct Hq {
    pub settings: HqSettings,
    dir: PathBuf,
    store: Box<dyn HqStore>,
    key: SigningKey,
    /// Two publishes at once (two admin calls on two server threads) must
    /// not both take the next version.
    publishing: Mutex<()>,
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

impl Hq {
    /// Makes a new head office in `dir` (missing or empty): its CA, a server
    /// certificate for `hosts` (the names and addresses terminals use), its
    /// signing key and an empty store.
    pub fn init(dir: &Path, settings: HqSettings, hosts: &[String]) -> Result<Hq> {
        if dir.exists()
            && std::fs::read_dir(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .next()
                .is_some()
        {
            bail!(
                "{} is not empty: head office is made in a new directory",
                dir.display()
            );
        }
        if hosts.is_empty() {
            bail!("give at least one --host: the name or address terminals reach head office at");
        }
        let (url_host, _) = crate::proto::client::parse_url(&settings.url)
            .ok_or_else(|| anyhow::anyhow!("--url {} is not https://host[:port]", settings.url))?;
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(&url_host)) {
            bail!(
                "--url names {url_host}, which is not among the --host names ({}): terminals would refuse head office's certificate",
                hosts.join(", ")
            );
        }
        // Private from the start: it holds head office's keys and every shop's sales.
        crate::store::private::create_dir(dir)?;
        let ca = pki::new_ca(&settings.name)?;
        // This machine's own names too: `till hq` commands reach a running
        // server through them (see `admin`).
        let mut names = hosts.to_vec();
        for local in ["localhost", "127.0.0.1"] {
            if !names.iter().any(|n| n == local) {
                names.push(local.to_string());
            }
        }
        let server = pki::server_cert(&settings.name, &ca.key, &names)?;
        std::fs::write(dir.join(CA_CERT), &ca.cert)?;
        identity::write_secret(&dir.join(CA_KEY), ca.key.as_bytes())?;
        std::fs::write(dir.join(SERVER_CERT), &server.cert)?;
        identity::write_secret(&dir.join(SERVER_KEY), server.key.as_bytes())?;
        identity::create_key_file(&dir.join(KEY_FILE))?;
        std::fs::write(dir.join(SETTINGS_FILE), toml::to_string(&settings)?)?;
        Hq::open(dir)
    }

    pub fn open(dir: &Path) -> Result<Hq> {
        let settings = HqSettings::load(dir)?;
        let key = identity::load_key_file(&dir.join(KEY_FILE))?;
        let store = SledHqStore::open(&dir.join(STORE_DIR))?;
        Ok(Hq {
            settings,
            dir: dir.to_path_buf(),
            store: Box::new(store),
            key,
            publishing: Mutex::new(()),
        })
    }

    pub fn store(&self) -> &dyn HqStore {
        self.store.as_ref()
    }

    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// The server's TLS set-up, from the files `init` made.
    pub fn tls(&self, require_client_cert: bool) -> Result<Arc<rustls::ServerConfig>> {
        Ok(tls::server_config(
            &read_text(&self.dir.join(SERVER_CERT))?,
            &read_text(&self.dir.join(SERVER_KEY))?,
            &read_text(&self.dir.join(CA_CERT))?,
            require_client_cert,
        )?)
    }

    /// Registers a terminal from its request and makes the bundle it joins
    /// with; with `client_cert`, the bundle carries a client certificate.
    pub fn enroll(&self, request: &EnrollRequest, client_cert: bool) -> Result<Bundle> {
        wire::verifying_key(&request.public_key).map_err(anyhow::Error::msg)?;
        crate::domain::terminal::check_id(&request.terminal)?;
        let record =
            TerminalRecord::new(&request.terminal, &request.store_name, &request.public_key);
        self.store.enroll(&record)?;
        let client = if client_cert {
            let ca_key = read_text(&self.dir.join(CA_KEY))?;
            Some(pki::client_cert(
                &self.settings.name,
                &ca_key,
                &request.terminal,
            )?)
        } else {
            None
        };
        Ok(Bundle {
            terminal: request.terminal.clone(),
            url: self.settings.url.clone(),
            hq_key: self.public_key(),
            ca_pem: read_text(&self.dir.join(CA_CERT))?,
            client_cert_pem: client.as_ref().map(|c| c.cert.clone()),
            client_key_pem: client.map(|c| c.key),
        })
    }

    pub fn terminals(&self) -> Result<Vec<(TerminalRecord, Option<RefusalNote>)>> {
        let mut out = Vec::new();
        for t in self.store.terminals()? {
            let refusal = self.store.last_refusal(&t.id)?;
            out.push((t, refusal));
        }
        Ok(out)
    }

    /// Sales by shop and local day, over every terminal's received sales.
    pub fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayRow>> {
        let shops: BTreeMap<String, String> = self
            .store
            .terminals()?
            .into_iter()
            .map(|t| (t.id, t.store_name))
            .collect();
        let mut rows: BTreeMap<(String, NaiveDate), DayRow> = BTreeMap::new();
        self.store.for_each_sale(&mut |terminal, sale| {
            let day = local_day(&sale);
            if day < from || day > to {
                return;
            }
            let shop = shops
                .get(terminal)
                .cloned()
                .unwrap_or_else(|| terminal.to_string());
            rows.entry((shop.clone(), day))
                .or_insert_with(|| DayRow::new(Some(shop), day))
                .add(&sale);
        })?;
        Ok(rows.into_values().collect())
    }

    /// Signs and publishes products as the next catalog version.
    pub fn publish(&self, products: Vec<Product>) -> Result<u64> {
        let _one_at_a_time = self
            .publishing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let version = self.store.catalog_version()? + 1;
        let set = ChangeSet {
            version,
            issued_at: Utc::now(),
            products,
        };
        let signed = Signed::seal(&set, &self.key)?;
        // Terminals fetch a change set in one answer, which has a size limit.
        let size = signed.to_bytes()?.len();
        if size > crate::proto::http::MAX_BODY / 2 {
            bail!(
                "{} products make a change set of {} MiB, more than terminals take at once ({} MiB): publish them in parts",
                set.products.len(),
                size >> 20,
                crate::proto::http::MAX_BODY >> 21
            );
        }
        self.store.publish(version, &signed)?;
        Ok(version)
    }
}
