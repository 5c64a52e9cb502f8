//! Appends to the PostgreSQL ledger: one transaction locks the head row, chains each entry to
//! the last line, inserts, moves the head and notifies; a conditional append first checks that
//! the head is still the seq a decision read.

use chrono::{DateTime, Utc};

use super::{
    CHANNEL, PgLedger, PgTarget, connect, connected, insert_entry, lock_head, move_head, schema,
    to_seq,
};
use crate::ledger::conditional::AtHead;
use crate::ledger::entry::{self, GENESIS, sha256_hex};
use crate::ledger::signing::AgentSigner;
use crate::ledger::{Actor, Entry, Payload};

impl PgLedger {
    pub async fn append(&self, actor: &Actor, payload: Payload) -> Result<Entry, String> {
        self.append_at(actor, payload, Utc::now()).await
    }

    /// Appends one entry; returns it only after the transaction committed.
    pub async fn append_at(
        &self,
        actor: &Actor,
        payload: Payload,
        time: DateTime<Utc>,
    ) -> Result<Entry, String> {
        let sealing = Sealing {
            actor,
            payloads: vec![payload],
            time,
            signer: self.signer.as_ref(),
        };
        match self.append_tx(sealing, None).await? {
            AtHead::Appended(mut entries) if entries.len() == 1 => Ok(entries.remove(0)),
            _ => Err(format!("{}: not recorded", self.target)),
        }
    }

    /// Appends `payloads` in one transaction, only if the head is still `read_at` (0: empty);
    /// see [`super::AtHead`].
    pub async fn append_all_at_head(
        &self,
        actor: &Actor,
        payloads: Vec<Payload>,
        read_at: u64,
    ) -> Result<AtHead, String> {
        let sealing = Sealing {
            actor,
            payloads,
            time: Utc::now(),
            signer: self.signer.as_ref(),
        };
        self.append_tx(sealing, Some(read_at)).await
    }

    async fn append_tx(
        &self,
        sealing: Sealing<'_>,
        read_at: Option<u64>,
    ) -> Result<AtHead, String> {
        if let Some(why) = &self.refuse {
            return Err(format!("{}: not recorded: {why}", self.target));
        }
        let mut slot = self.session().await?;
        let client = connected(&mut slot, &self.target)?;
        append_tx(client, &self.target, sealing, read_at).await
    }
}

/// What one append seals: who, what, when, and the key that signs it (when signing is on).
struct Sealing<'a> {
    actor: &'a Actor,
    payloads: Vec<Payload>,
    time: DateTime<Utc>,
    signer: Option<&'a AgentSigner>,
}

/// One append of one or more entries: lock the head, check it is still `read_at` when given,
/// chain each entry to the last line, insert, move the head, notify, commit.
async fn append_tx(
    client: &mut tokio_postgres::Client,
    target: &PgTarget,
    mut sealing: Sealing<'_>,
    read_at: Option<u64>,
) -> Result<AtHead, String> {
    let db = |e: tokio_postgres::Error| {
        format!("{target}: not recorded: {}", connect::describe_error(&e))
    };
    let tx = client.transaction().await.map_err(db)?;
    tx.query_one(&lock_head(), &[]).await.map_err(db)?;
    let last_query = format!(
        "SELECT seq, line FROM {} ORDER BY seq DESC LIMIT 1",
        schema::ENTRIES
    );
    let (mut seq, mut prev) = match tx.query_opt(&last_query, &[]).await.map_err(db)? {
        Some(row) => {
            let seq: i64 = row.get(0);
            let line: String = row.get(1);
            (to_seq(seq)?, sha256_hex(line.as_bytes()))
        }
        None => (0, GENESIS.to_string()),
    };
    if read_at.is_some_and(|at| at != seq) {
        // Dropping the transaction rolls it back: nothing was written.
        return Ok(AtHead::Moved { head_seq: seq });
    }
    let payloads = std::mem::take(&mut sealing.payloads);
    let mut entries = Vec::with_capacity(payloads.len());
    for payload in payloads {
        let payload = crate::redact::redact_serde(payload);
        seq += 1;
        let (entry, line) = seal(&sealing, seq, payload, prev)
            .map_err(|e| format!("{target}: not recorded: {e}"))?;
        let seq_col = i64::try_from(seq).map_err(|_| format!("{target}: seq overflow"))?;
        tx.execute(&insert_entry(), &[&seq_col, &line])
            .await
            .map_err(db)?;
        prev = sha256_hex(line.as_bytes());
        entries.push(entry);
    }
    let seq_col = i64::try_from(seq).map_err(|_| format!("{target}: seq overflow"))?;
    tx.execute(&move_head(), &[&seq_col]).await.map_err(db)?;
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(AtHead::Appended(entries))
}

/// Seals one entry, signed when signing is on (kept apart from the awaits: the signing closure
/// is not `Sync`).
fn seal(
    sealing: &Sealing<'_>,
    seq: u64,
    payload: Payload,
    prev: String,
) -> Result<(Entry, String), String> {
    let sign = sealing
        .signer
        .map(|s| move |message: &[u8]| s.sign(message));
    let sign_ref: Option<entry::SignFn<'_>> = sign.as_ref().map(|f| f as entry::SignFn<'_>);
    entry::seal_signed(
        seq,
        sealing.time,
        sealing.actor.clone(),
        payload,
        prev,
        sign_ref,
    )
}
