//! The ledger in PostgreSQL, for teams whose cockpits run on several hosts.
//!
//! Same entries, same lines, same SHA-256 chain as the file ledger: each row of
//! `flightdeck_ledger` holds one entry's exact JSON line and its `seq`. An append is one
//! transaction that locks the single row of `flightdeck_ledger_head` (`FOR UPDATE`), so appenders on
//! every host take turns: each reads the last line, seals the next entry chained to it, inserts it,
//! moves the head and `NOTIFY`s followers. The entry is returned only after `COMMIT` succeeded; `seq`
//! is also the primary key, so even a writer that skipped the lock could not fork the chain.
//! [`follow`] follows through `LISTEN/NOTIFY` plus a periodic catch-up read. [`schema`] creates and
//! migrates the tables, versioned in `flightdeck_schema_version`.

mod append;
pub mod connect;
pub mod follow;
mod pgpass;
pub mod schema;

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};

use super::Entry;
use super::chain::{Checked, Trust, Verifier};
use super::signing::{AgentSigner, AllowedSigners};
use super::verify::{self, VerifyReport};
pub use connect::{PgTarget, SslMode, is_postgres_url};

/// Channel that appends `NOTIFY` with the new seq.
pub const CHANNEL: &str = "flightdeck_ledger";

/// A PostgreSQL ledger. Cheap to clone; clones share one connection, opened on first use and
/// replaced after it fails. Use it from one tokio runtime (the connection task lives there).
#[derive(Debug, Clone)]
pub struct PgLedger {
    target: PgTarget,
    client: Arc<Mutex<Option<tokio_postgres::Client>>>,
    /// Signing is on: every entry is signed through the ssh-agent before it is inserted.
    signer: Option<AgentSigner>,
    /// Signing is on: [`PgLedger::check`] checks every signature too.
    signers: Option<AllowedSigners>,
    /// Appends are refused, and why (read-only, or signing is on but no key is usable).
    refuse: Option<String>,
}

/// What `ledger verify` found in the database: the file report over the rows in seq order, and the
/// seq column of each row so an issue names the row.
#[derive(Debug, Clone)]
pub struct PgVerifyReport {
    pub report: VerifyReport,
    pub row_seqs: Vec<i64>,
}

impl PgVerifyReport {
    /// `postgres://…/db: row seq N: message`.
    pub fn locate(&self, issue: &verify::Issue) -> String {
        let row = self
            .row_seqs
            .get(issue.line.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        format!(
            "{} (table {}): row seq {row}: {}",
            self.report.path.display(),
            schema::ENTRIES,
            issue.message
        )
    }
}

impl PgLedger {
    pub fn new(target: PgTarget) -> PgLedger {
        PgLedger {
            target,
            client: Arc::new(Mutex::new(None)),
            signer: None,
            signers: None,
            refuse: None,
        }
    }

    /// The same ledger (signing, refusal) without this one's connection: for another runtime.
    pub fn unshared(&self) -> PgLedger {
        PgLedger {
            client: Arc::new(Mutex::new(None)),
            ..self.clone()
        }
    }

    /// Signs every entry appended from now on with `signer`.
    pub fn with_signer(mut self, signer: AgentSigner) -> PgLedger {
        self.signer = Some(signer);
        self
    }

    /// Reads through [`PgLedger::check`] check every signature against `signers`.
    pub fn checking(mut self, signers: AllowedSigners) -> PgLedger {
        self.signers = Some(signers);
        self
    }

    /// Reads check signatures.
    pub fn is_checking(&self) -> bool {
        self.signers.is_some()
    }

    /// Refuses every append with `why` (it is still read).
    pub fn refusing(mut self, why: impl Into<String>) -> PgLedger {
        self.refuse = Some(why.into());
        self
    }

    /// Connects, creating or migrating the schema: fails early with a clear message.
    pub async fn open(target: PgTarget) -> Result<PgLedger, String> {
        let ledger = PgLedger::new(target);
        drop(ledger.session().await?);
        Ok(ledger)
    }

    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    /// The keys every entry must be signed with, when signing is on.
    pub fn signers(&self) -> Option<&AllowedSigners> {
        self.signers.as_ref()
    }

    /// The shared connection, (re)connecting and migrating first if there is none or it closed.
    /// Nothing is retried here: a failed statement is the caller's error.
    async fn session(&self) -> Result<MutexGuard<'_, Option<tokio_postgres::Client>>, String> {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_none_or(|c| c.is_closed()) {
            *slot = None;
            let (mut client, connection) = self.target.connect().await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!("ledger database connection: {e}");
                }
            });
            schema::migrate(&mut client, &self.target).await?;
            *slot = Some(client);
        }
        Ok(slot)
    }

    /// The seq of the last row (0: none).
    pub async fn head_seq(&self) -> Result<u64, String> {
        let mut slot = self.session().await?;
        let client = connected(&mut slot, &self.target)?;
        let row = client
            .query_one(
                &format!("SELECT seq FROM {} WHERE id = 1", schema::HEAD),
                &[],
            )
            .await
            .map_err(|e| {
                format!(
                    "{}: cannot read the head: {}",
                    self.target,
                    connect::describe_error(&e)
                )
            })?;
        to_seq(row.get(0))
    }

    /// Rows after `after_seq`, in seq order, as `(seq column, line)`.
    pub async fn lines_since(&self, after_seq: i64) -> Result<Vec<(i64, String)>, String> {
        let mut slot = self.session().await?;
        let client = connected(&mut slot, &self.target)?;
        read_lines(client, after_seq)
            .await
            .map_err(|e| format!("{}: cannot read the ledger: {e}", self.target))
    }

    /// Every entry this binary can read, in seq order (rows that are not entries are skipped;
    /// [`PgLedger::verify`] judges them).
    pub async fn read_all(&self) -> Result<Vec<Entry>, String> {
        Ok(parse_lines(&self.lines_since(0).await?))
    }

    /// The entries before the first row that does not verify (only the verified prefix counts),
    /// signatures checked when signing is on.
    pub async fn read_verified(&self) -> Result<Vec<Entry>, String> {
        Ok(self.check().await?.0.entries)
    }

    /// Every row checked as a file ledger's lines are (chain, hashes, and signatures when signing
    /// is on), with the seq column of each row so an issue names the row.
    pub async fn check(&self) -> Result<(Checked, Vec<i64>), String> {
        let rows = self.lines_since(0).await?;
        let mut bytes = Vec::new();
        for (_, line) in &rows {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        let mut verifier = Verifier::new(Trust {
            signers: self.signers.clone(),
            seen: None,
        });
        let origin = std::path::PathBuf::from(self.target.to_string());
        let checked = verify::check_bytes(&origin, &bytes, &mut verifier);
        Ok((checked, rows.iter().map(|(seq, _)| *seq).collect()))
    }

    pub async fn verify(&self) -> Result<PgVerifyReport, String> {
        let (checked, row_seqs) = self.check().await?;
        Ok(PgVerifyReport {
            report: checked.report,
            row_seqs,
        })
    }

    /// Copies exact lines (from a file ledger) into an empty ledger in one transaction, so their
    /// hashes and chain are unchanged. Refuses a ledger that already has entries.
    pub async fn import_lines(&self, lines: &[(u64, String)]) -> Result<usize, String> {
        let mut slot = self.session().await?;
        let client = connected(&mut slot, &self.target)?;
        let target = &self.target;
        let db = |e: tokio_postgres::Error| format!("{target}: {}", connect::describe_error(&e));
        let tx = client.transaction().await.map_err(db)?;
        let head: i64 = tx.query_one(&lock_head(), &[]).await.map_err(db)?.get(0);
        if head != 0 {
            return Err(format!(
                "{target} already holds entries (head seq {head}): migrate only into an empty ledger"
            ));
        }
        let mut last = 0i64;
        for (seq, line) in lines {
            let seq = i64::try_from(*seq).map_err(|_| format!("{target}: seq overflow"))?;
            tx.execute(&insert_entry(), &[&seq, line])
                .await
                .map_err(db)?;
            last = last.max(seq);
        }
        tx.execute(&move_head(), &[&last]).await.map_err(db)?;
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last.to_string()])
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(lines.len())
    }
}

fn connected<'a>(
    slot: &'a mut MutexGuard<'_, Option<tokio_postgres::Client>>,
    target: &PgTarget,
) -> Result<&'a mut tokio_postgres::Client, String> {
    slot.as_mut()
        .ok_or_else(|| format!("{target}: not connected"))
}

fn lock_head() -> String {
    format!("SELECT seq FROM {} WHERE id = 1 FOR UPDATE", schema::HEAD)
}

fn insert_entry() -> String {
    format!(
        "INSERT INTO {} (seq, line) VALUES ($1, $2)",
        schema::ENTRIES
    )
}

fn move_head() -> String {
    format!("UPDATE {} SET seq = $1 WHERE id = 1", schema::HEAD)
}

pub(crate) async fn read_lines(
    client: &tokio_postgres::Client,
    after_seq: i64,
) -> Result<Vec<(i64, String)>, String> {
    let rows = client
        .query(
            &format!(
                "SELECT seq, line FROM {} WHERE seq > $1 ORDER BY seq",
                schema::ENTRIES
            ),
            &[&after_seq],
        )
        .await
        .map_err(|e| connect::describe_error(&e))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub(crate) fn parse_lines(rows: &[(i64, String)]) -> Vec<Entry> {
    rows.iter()
        .filter_map(|(_, line)| serde_json::from_str::<Entry>(line).ok())
        .collect()
}

fn to_seq(seq: i64) -> Result<u64, String> {
    u64::try_from(seq).map_err(|_| format!("negative seq {seq} in the ledger table"))
}

/// Runs `work` to completion on a runtime of its own, on a thread of its own: for synchronous
/// callers (the headless CLI), whether or not they are inside another runtime.
pub fn run_blocking<T, Fut>(work: Fut) -> Result<T, String>
where
    T: Send,
    Fut: std::future::Future<Output = Result<T, String>> + Send,
{
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start a runtime for the ledger: {e}"))?
                .block_on(work)
        });
        match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
