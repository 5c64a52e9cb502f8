//! One face for both ledger backends: a file (one host) or PostgreSQL (teams across hosts).
//!
//! A ledger *address* is what the command line (`--ledger`) and the command context carry: a file
//! path, or a `postgres://` URL. [`LedgerLocation`] is the parsed form; [`LedgerStore`] an open
//! ledger: every command, the rollout engine and its lease, signing and `ledger head` go through
//! it, so they work on whichever the profile names. Synchronous callers (the headless CLI, command
//! records) use the `*_blocking` functions.

use std::path::{Path, PathBuf};

use super::chain::Link;
use super::postgres::follow::{Position, check};
use super::postgres::{self, PgLedger, PgTarget};
use super::signing::{AgentSigner, AllowedSigners};
use super::{Actor, Entry, Follower, Ledger, Payload, Setup};
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
    /// The ledger at `address` (a file or a `postgres://` URL) as `account` writes it: entries
    /// signed when the profile names allowed signers (the ssh-agent must hold a key listed for
    /// `account`), reads checking signatures. Read-only: appends are refused, nothing is created.
    /// A database is not contacted yet: the first use says whether it can be reached.
    pub fn writer(
        profile: &Profile,
        address: &Path,
        read_only: bool,
        account: &str,
    ) -> Result<LedgerStore, String> {
        let location =
            LedgerLocation::from_address(address, profile.ledger.password_command.clone())?;
        let target = match location {
            LedgerLocation::File(path) => {
                return Setup::at(profile, path, read_only)?
                    .writer(account)
                    .map(LedgerStore::File)
                    .map_err(|e| e.to_string());
            }
            LedgerLocation::Postgres(target) => target,
        };
        let signers = match profile.allowed_signers_path() {
            Some(file) => Some(AllowedSigners::load(&file)?),
            None => None,
        };
        let mut ledger = PgLedger::new(target);
        if read_only {
            ledger = ledger.refusing("read-only: nothing is recorded");
        } else if let Some(signers) = &signers {
            let signer = AgentSigner::from_env(signers, account)
                .map_err(|e| format!("{}: not signed, so not recorded: {e}", ledger.target()))?;
            ledger = ledger.with_signer(signer);
        }
        if let Some(signers) = signers {
            ledger = ledger.checking(signers);
        }
        Ok(LedgerStore::Postgres(ledger))
    }

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

    /// The verified prefix (signatures checked when signing is on); a missing file is empty.
    pub async fn read_verified(&self) -> Result<Vec<Entry>, String> {
        match self {
            LedgerStore::File(ledger) => {
                let ledger = ledger.clone();
                tokio::task::spawn_blocking(move || ledger.read_all())
                    .await
                    .map_err(|e| format!("ledger read task: {e}"))?
                    .map_err(|e| e.to_string())
            }
            LedgerStore::Postgres(ledger) => ledger.read_verified().await,
        }
    }

    /// The last link of the verified chain (`None`: no entries yet).
    pub async fn head(&self) -> Result<Option<Link>, String> {
        match self {
            LedgerStore::File(ledger) => {
                let path = ledger.path().to_path_buf();
                tokio::task::spawn_blocking(move || Setup::plain(path).read_or_empty())
                    .await
                    .map_err(|e| format!("ledger read task: {e}"))?
                    .map(|checked| checked.head().cloned())
                    .map_err(|e| e.to_string())
            }
            LedgerStore::Postgres(ledger) => Ok(ledger.check().await?.0.head().cloned()),
        }
    }

    /// Reads what was appended since the last poll (starting with the whole history).
    pub fn follower(&self) -> StoreFollower {
        match self {
            LedgerStore::File(ledger) => StoreFollower::File(ledger.follower()),
            LedgerStore::Postgres(ledger) => StoreFollower::Postgres {
                ledger: ledger.clone(),
                at: Position::start(),
            },
        }
    }

    /// A copy that shares no database connection: for another runtime (the blocking wrappers).
    fn unshared(&self) -> LedgerStore {
        match self {
            LedgerStore::File(ledger) => LedgerStore::File(ledger.clone()),
            LedgerStore::Postgres(ledger) => LedgerStore::Postgres(ledger.unshared()),
        }
    }

    /// [`LedgerStore::append`] from synchronous code.
    pub fn append_blocking(&self, actor: &Actor, payload: Payload) -> Result<Entry, String> {
        match self {
            LedgerStore::File(ledger) => ledger.append(actor, payload).map_err(|e| e.to_string()),
            LedgerStore::Postgres(_) => {
                let store = self.unshared();
                postgres::run_blocking(async move { store.append(actor, payload).await })
            }
        }
    }

    /// Appends in order over one connection; stops at the first failure.
    pub fn append_all_blocking(
        &self,
        actor: &Actor,
        payloads: Vec<Payload>,
    ) -> Result<Vec<Entry>, String> {
        if let LedgerStore::File(ledger) = self {
            return payloads
                .into_iter()
                .map(|p| ledger.append(actor, p).map_err(|e| e.to_string()))
                .collect();
        }
        let store = self.unshared();
        postgres::run_blocking(async move {
            let mut entries = Vec::new();
            for payload in payloads {
                entries.push(store.append(actor, payload).await?);
            }
            Ok(entries)
        })
    }

    /// [`LedgerStore::read_verified`] from synchronous code.
    pub fn read_blocking(&self) -> Result<Vec<Entry>, String> {
        match self {
            LedgerStore::File(ledger) => ledger.read_all().map_err(|e| e.to_string()),
            LedgerStore::Postgres(_) => {
                let store = self.unshared();
                postgres::run_blocking(async move { store.read_verified().await })
            }
        }
    }

    /// [`LedgerStore::head`] from synchronous code.
    pub fn head_blocking(&self) -> Result<Option<Link>, String> {
        match self {
            LedgerStore::File(ledger) => Setup::plain(ledger.path())
                .read_or_empty()
                .map(|checked| checked.head().cloned())
                .map_err(|e| e.to_string()),
            LedgerStore::Postgres(_) => {
                let store = self.unshared();
                postgres::run_blocking(async move { store.head().await })
            }
        }
    }
}

/// What a [`StoreFollower`] poll found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fresh {
    /// Entries appended since the last poll; with `reset`, the whole verified prefix instead.
    pub entries: Vec<Entry>,
    pub reset: bool,
}

/// Follows either ledger from a loop that polls (the rollout driver): a file by its stamp, a
/// database by the rows after the last one read, each checked against the one before.
#[derive(Debug)]
pub enum StoreFollower {
    File(Follower),
    Postgres { ledger: PgLedger, at: Position },
}

impl StoreFollower {
    /// `None`: nothing new.
    pub async fn poll(&mut self) -> Result<Option<Fresh>, String> {
        match self {
            StoreFollower::File(follower) => follower
                .poll()
                .map(|r| {
                    r.map(|reading| Fresh {
                        entries: reading.entries,
                        reset: reading.reset,
                    })
                })
                .map_err(|e| e.to_string()),
            StoreFollower::Postgres { ledger, at } => {
                let rows = ledger.lines_since(at.seq()).await?;
                let checked = check(ledger.target(), ledger.signers(), at, &rows);
                // The rows before a bad one count; the bad one is the error of the next poll.
                let entries = match (checked.entries, checked.broken) {
                    (entries, Some(broken)) if entries.is_empty() => return Err(broken),
                    (entries, _) => entries,
                };
                Ok((!entries.is_empty()).then_some(Fresh {
                    entries,
                    reset: false,
                }))
            }
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
