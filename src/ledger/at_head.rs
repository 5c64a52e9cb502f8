//! Appends that hold only if nothing was appended since a decision read the ledger: a command's
//! gates read the ledger at seq N, and its record is written only if the last entry is still N.
//! Otherwise nothing is written and the caller decides again on what is there now.

use chrono::Utc;

use super::conditional::AtHead;
use super::file::scan_tail;
use super::store::LedgerStore;
use super::{Actor, Ledger, LedgerError, Payload, postgres};

impl Ledger {
    /// The seq of the last whole entry (0: none), read without taking the lock. A missing file
    /// is an empty ledger and is not created.
    pub fn tail_seq(&self) -> Result<u64, LedgerError> {
        match std::fs::File::open(self.path()) {
            Ok(file) => scan_tail(&file)
                .map(|tail| tail.last.map_or(0, |(seq, _)| seq))
                .map_err(|e| LedgerError::io(self.path(), "read the ledger tail", e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(LedgerError::io(self.path(), "open the ledger", e)),
        }
    }

    /// Appends `payloads` in order under one lock, only if the last whole entry is still
    /// `read_at` (0: the ledger was empty). No other appender can slip in between the check and
    /// the entries.
    pub fn append_all_at_head(
        &self,
        actor: &Actor,
        payloads: Vec<Payload>,
        read_at: u64,
    ) -> Result<AtHead, LedgerError> {
        self.locked(|file| {
            let tail = scan_tail(file)
                .map_err(|e| LedgerError::io(&self.path, "read the ledger tail", e))?;
            let head_seq = tail.last.map_or(0, |(seq, _)| seq);
            if head_seq != read_at {
                return Ok(AtHead::Moved { head_seq });
            }
            let mut entries = Vec::with_capacity(payloads.len());
            for payload in payloads {
                let payload = crate::redact::redact_serde(payload);
                let mut write =
                    |mut f: &std::fs::File, bytes: &[u8]| std::io::Write::write_all(&mut f, bytes);
                entries.push(self.append_locked(file, actor, payload, Utc::now(), &mut write)?);
            }
            Ok(AtHead::Appended(entries))
        })
    }
}

impl LedgerStore {
    /// [`Ledger::tail_seq`], or the database's head seq, from synchronous code.
    pub fn tail_seq_blocking(&self) -> Result<u64, String> {
        match self {
            LedgerStore::File(ledger) => ledger.tail_seq().map_err(|e| e.to_string()),
            LedgerStore::Postgres(ledger) => {
                let ledger = ledger.unshared();
                postgres::run_blocking(async move { ledger.head_seq().await })
            }
        }
    }

    /// [`Ledger::append_all_at_head`] for either kind, from synchronous code.
    pub fn append_all_at_head_blocking(
        &self,
        actor: &Actor,
        payloads: Vec<Payload>,
        read_at: u64,
    ) -> Result<AtHead, String> {
        match self {
            LedgerStore::File(ledger) => ledger
                .append_all_at_head(actor, payloads, read_at)
                .map_err(|e| e.to_string()),
            LedgerStore::Postgres(ledger) => {
                let (ledger, actor) = (ledger.unshared(), actor.clone());
                postgres::run_blocking(async move {
                    ledger.append_all_at_head(&actor, payloads, read_at).await
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        super::super::tests::actor("ana")
    }

    fn comment(text: &str) -> Payload {
        Payload::Comment {
            env: "prod".into(),
            release: "1.4.2".into(),
            item: "smoke".into(),
            role: "qa".into(),
            text: text.into(),
        }
    }

    #[test]
    fn appends_only_when_nothing_came_between() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path().join("ledger.jsonl")).unwrap();
        assert_eq!(ledger.tail_seq().unwrap(), 0);
        let first = ledger
            .append_all_at_head(&actor(), vec![comment("a"), comment("b")], 0)
            .unwrap();
        let AtHead::Appended(entries) = first else {
            panic!("an empty ledger read at 0 takes the entries: {first:?}");
        };
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(ledger.tail_seq().unwrap(), 2);

        // Someone appended after the decision read seq 2: nothing of ours is written.
        ledger.append(&actor(), comment("someone else")).unwrap();
        let late = ledger
            .append_all_at_head(&actor(), vec![comment("stale")], 2)
            .unwrap();
        assert_eq!(late, AtHead::Moved { head_seq: 3 });
        let texts: Vec<String> = ledger
            .read_all()
            .unwrap()
            .into_iter()
            .filter_map(|e| match e.payload {
                Payload::Comment { text, .. } => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["a", "b", "someone else"]);
        assert!(
            ledger
                .read_all()
                .unwrap()
                .windows(2)
                .all(|w| w[1].seq == w[0].seq + 1)
        );
    }

    #[test]
    fn a_missing_file_reads_as_empty_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.jsonl");
        assert_eq!(Ledger::existing(&path).tail_seq().unwrap(), 0);
        assert!(!path.exists());
    }
}
