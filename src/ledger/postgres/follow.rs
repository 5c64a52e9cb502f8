//! Following a PostgreSQL ledger from another host: `LISTEN` for appends, read what is new on every
//! notification and at least every `catch_up` (a notification can be lost with its connection),
//! reconnect with backoff. New rows are checked before they are passed on: each entry's hash and its
//! link to the line before it, so an edited or forged row is reported, never shown as recorded.

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use super::connect::describe_error;
use super::{CHANNEL, PgTarget, read_lines, schema};
use crate::ledger::Entry;
use crate::ledger::entry::{GENESIS, entry_hash, sha256_hex};
use crate::ledger::signing::AllowedSigners;

#[derive(Debug, Clone, PartialEq)]
pub enum FollowEvent {
    /// Connected (again): the ledger can be trusted to be current from here.
    Reachable,
    /// New entries in seq order (the first batch after start is the whole history).
    Entries(Vec<Entry>),
    /// The database cannot be reached: what was shown may be stale; retrying.
    Unreachable(String),
    /// A row does not chain or does not match its hash: following stops at the row before it.
    Broken(String),
}

#[derive(Debug, Clone, Copy)]
pub struct FollowTiming {
    pub catch_up: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl Default for FollowTiming {
    fn default() -> Self {
        FollowTiming {
            catch_up: Duration::from_secs(2),
            backoff_min: Duration::from_millis(200),
            backoff_max: Duration::from_secs(5),
        }
    }
}

/// Where the follower is in the chain: the last seq passed on and the hash of its line.
#[derive(Debug, Clone)]
pub struct Position {
    seq: i64,
    line_hash: String,
}

impl Position {
    /// Before the first row.
    pub fn start() -> Position {
        Position {
            seq: 0,
            line_hash: GENESIS.to_string(),
        }
    }

    /// The last seq passed on.
    pub fn seq(&self) -> i64 {
        self.seq
    }
}

/// Follows until `events` is closed. Runs forever otherwise; spawn it.
pub async fn follow(
    target: PgTarget,
    signers: Option<AllowedSigners>,
    timing: FollowTiming,
    events: mpsc::UnboundedSender<FollowEvent>,
) {
    let mut at = Position::start();
    let mut backoff = timing.backoff_min;
    let mut first = true;
    loop {
        let error = match session(
            &target,
            signers.as_ref(),
            timing,
            &events,
            &mut at,
            &mut first,
        )
        .await
        {
            Ok(()) => return, // the receiver is gone
            Err(Stop::Broken(text)) => {
                let _ = events.send(FollowEvent::Broken(text));
                return;
            }
            Err(Stop::Lost { error, was_live }) => {
                if was_live {
                    backoff = timing.backoff_min;
                }
                error
            }
        };
        if events.send(FollowEvent::Unreachable(error)).is_err() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(timing.backoff_max);
    }
}

enum Stop {
    Lost { error: String, was_live: bool },
    Broken(String),
}

async fn session(
    target: &PgTarget,
    signers: Option<&AllowedSigners>,
    timing: FollowTiming,
    events: &mpsc::UnboundedSender<FollowEvent>,
    at: &mut Position,
    first: &mut bool,
) -> Result<(), Stop> {
    let lost = |error: String| Stop::Lost {
        error,
        was_live: false,
    };
    let (mut client, mut connection) = target.connect().await.map_err(lost)?;
    let (notify_tx, mut notify_rx) = mpsc::unbounded_channel::<()>();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if notify_tx.send(()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("ledger follower connection: {}", describe_error(&e));
                    return;
                }
            }
        }
    });
    let result = async {
        schema::migrate(&mut client, target).await.map_err(lost)?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| lost(format!("{target}: LISTEN failed: {}", describe_error(&e))))?;
        if events.send(FollowEvent::Reachable).is_err() {
            return Ok(());
        }
        loop {
            let rows = read_lines(&client, at.seq).await.map_err(|e| Stop::Lost {
                error: format!("{target}: cannot read the ledger: {e}"),
                was_live: true,
            })?;
            // The rows before a bad one are passed on; the bad one stops the follower.
            let checked = check(target, signers, at, &rows);
            let entries = checked.entries;
            if (*first || !entries.is_empty()) && events.send(FollowEvent::Entries(entries)).is_err()
            {
                return Ok(());
            }
            if let Some(broken) = checked.broken {
                return Err(Stop::Broken(broken));
            }
            *first = false;
            tokio::select! {
                notified = notify_rx.recv() => {
                    if notified.is_none() {
                        return Err(Stop::Lost {
                            error: format!("{target}: the connection to the ledger database closed"),
                            was_live: true,
                        });
                    }
                    while notify_rx.try_recv().is_ok() {}
                }
                () = tokio::time::sleep(timing.catch_up) => {}
                () = events.closed() => return Ok(()),
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// The rows that passed, in order, and why the first one that did not failed.
pub struct Checked {
    pub entries: Vec<Entry>,
    pub broken: Option<String>,
}

/// Checks each new row against the one before, and its signature when signing is on; advances
/// `at` past the rows that pass and stops at the first that does not.
pub fn check(
    target: &PgTarget,
    signers: Option<&AllowedSigners>,
    at: &mut Position,
    rows: &[(i64, String)],
) -> Checked {
    let mut entries = Vec::with_capacity(rows.len());
    for (seq, line) in rows {
        if let Err(what) = check_row(signers, at, *seq, line) {
            let broken = format!(
                "{target} (table {}): row seq {seq}: {what}; run `flightdeck ledger verify`",
                schema::ENTRIES
            );
            return Checked {
                entries,
                broken: Some(broken),
            };
        }
        at.seq = *seq;
        at.line_hash = sha256_hex(line.as_bytes());
        // A kind this binary does not know still chains; it is just not shown.
        if let Ok(entry) = serde_json::from_str::<Entry>(line) {
            entries.push(entry);
        }
    }
    Checked {
        entries,
        broken: None,
    }
}

fn check_row(
    signers: Option<&AllowedSigners>,
    at: &Position,
    seq: i64,
    line: &str,
) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|_| "not an entry".to_string())?;
    let hash = value["hash"].as_str().unwrap_or_default();
    if entry_hash(&value) != hash {
        return Err("entry was edited (hash mismatch)".into());
    }
    if value["prev"].as_str() != Some(at.line_hash.as_str()) || seq != at.seq + 1 {
        return Err("does not chain to the row before it".into());
    }
    let Some(signers) = signers else {
        return Ok(());
    };
    let account = value["actor"]["account"].as_str().unwrap_or_default();
    let Some(sig) = value["sig"].as_str() else {
        return Err(format!(
            "the entry by {account} is not signed, but this ledger requires signatures ({})",
            signers.path.display()
        ));
    };
    signers
        .check(account, hash.as_bytes(), sig)
        .map_err(|why| format!("{why}: forged or signed with the wrong key"))
}
