//! One face for both ledger backends: a file (one host) or PostgreSQL (teams across hosts).
//!
//! A ledger *address* is what the command line (`--ledger`) and the command context carry: a file
//! path, or a `postgres://` URL. [`LedgerLocation`] is the parsed form; [`LedgerStore`] an open
//! ledger. Synchronous callers (the headless CLI, command records) use the `*_blocking` functions.

use std::path::{Path, PathBuf};

use super::postgres::{self, PgLedger, PgTarget};
use super::{Actor, Entry, Ledger, Payload};
use crate::config::{Paths, Profile};

/// Overrides the profile's ledger with a PostgreSQL URL.
pub const URL_VARIABLE: &str = "FLIGHTDECK_LEDGER_URL";

#[derive(Debug, Clone)]
pub enum LedgerLocation {
    File(PathBuf),
    Postgres(PgTarget),
}

impl LedgerLocation {
    /// `address` is a file path or a `postgres://` URL.
    pub fn from_address(
        address: &Path,
        password_command: Option<Vec<String>>,
    ) -> Result<LedgerLocation, String> {
        match address.to_str() {
            Some(text) if postgres::is_postgres_url(text) => {
                PgTarget::parse(text, password_command).map(LedgerLocation::Postgres)
            }
            _ => Ok(LedgerLocation::File(address.to_path_buf())),
        }
    }

    /// The profile's ledger: `FLIGHTDECK_LEDGER_URL`, else `[ledger] url`, else the file.
    pub fn of_profile(profile: &Profile, paths: &Paths) -> Result<LedgerLocation, String> {
        LedgerLocation::from_address(
            &ledger_address(profile, paths),
            profile.ledger.password_command.clone(),
        )
    }

    /// A file path, or the URL without any secret.
    pub fn describe(&self) -> String {
        match self {
            LedgerLocation::File(path) => path.display().to_string(),
            LedgerLocation::Postgres(target) => target.to_string(),
        }
    }
}

/// The profile's ledger address (see [`LedgerLocation::of_profile`]).
pub fn ledger_address(profile: &Profile, paths: &Paths) -> PathBuf {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.is_empty() => PathBuf::from(url),
        _ => match &profile.ledger.url {
            Some(url) => PathBuf::from(url),
            None => profile.ledger_path(paths),
        },
    }
}

/// An open ledger of either kind. Clones share the database connection.
#[derive(Debug, Clone)]
pub enum LedgerStore {
    File(Ledger),
    Postgres(PgLedger),
}

impl From<Ledger> for LedgerStore {
    fn from(ledger: Ledger) -> Self {
        LedgerStore::File(ledger)
    }
}

impl LedgerStore {
    /// Opens a file ledger (creating it), or prepares a database ledger without connecting yet: a
    /// cockpit starts while the database is down and says so.
    pub fn open_lazy(location: &LedgerLocation) -> Result<LedgerStore, String> {
        match location {
            LedgerLocation::File(path) => Ledger::open(path)
                .map(LedgerStore::File)
                .map_err(|e| e.to_string()),
            LedgerLocation::Postgres(target) => {
                Ok(LedgerStore::Postgres(PgLedger::new(target.clone())))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            LedgerStore::File(ledger) => ledger.path().display().to_string(),
            LedgerStore::Postgres(ledger) => ledger.target().to_string(),
        }
    }

    /// Appends; returns the entry once it is durable (fsynced, or committed).
    pub async fn append(&self, actor: &Actor, payload: Payload) -> Result<Entry, String> {
        match self {
            LedgerStore::File(ledger) => {
                let (ledger, actor) = (ledger.clone(), actor.clone());
                tokio::task::spawn_blocking(move || ledger.append(&actor, payload))
                    .await
                    .map_err(|e| format!("ledger append task: {e}"))?
                    .map_err(|e| e.to_string())
            }
            LedgerStore::Postgres(ledger) => ledger.append(actor, payload).await,
        }
    }
}

/// Appends to the ledger at `location` from synchronous code.
pub fn append_blocking(
    location: &LedgerLocation,
    actor: &Actor,
    payload: Payload,
) -> Result<Entry, String> {
    match location {
        LedgerLocation::File(path) => Ledger::open(path)
            .and_then(|l| l.append(actor, payload))
            .map_err(|e| e.to_string()),
        LedgerLocation::Postgres(target) => postgres::run_blocking(async {
            PgLedger::open(target.clone())
                .await?
                .append(actor, payload)
                .await
        }),
    }
}

/// Appends several entries in order over one connection (stops at the first failure).
pub fn append_all_blocking(
    location: &LedgerLocation,
    actor: &Actor,
    payloads: Vec<Payload>,
) -> Result<Vec<Entry>, String> {
    match location {
        LedgerLocation::File(path) => {
            let ledger = Ledger::open(path).map_err(|e| e.to_string())?;
            payloads
                .into_iter()
                .map(|p| ledger.append(actor, p).map_err(|e| e.to_string()))
                .collect()
        }
        LedgerLocation::Postgres(target) => postgres::run_blocking(async {
            let ledger = PgLedger::open(target.clone()).await?;
            let mut entries = Vec::new();
            for payload in payloads {
                entries.push(ledger.append(actor, payload).await?);
            }
            Ok(entries)
        }),
    }
}

/// The verified prefix of the ledger at `location`, from synchronous code. A missing ledger file is
/// an empty ledger and is not created.
pub fn read_all_blocking(location: &LedgerLocation) -> Result<Vec<Entry>, String> {
    match location {
        LedgerLocation::File(path) => super::Setup::plain(path)
            .read_or_empty()
            .map(|checked| checked.entries)
            .map_err(|e| e.to_string()),
        LedgerLocation::Postgres(target) => postgres::run_blocking(async {
            PgLedger::open(target.clone()).await?.read_verified().await
        }),
    }
}
