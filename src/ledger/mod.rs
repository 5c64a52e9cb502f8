//! The append-only, hash-chained journal of sign-offs, comments, commands and overrides.
//!
//! One JSON object per line ([`entry`]). Several processes (cockpits in several SSH sessions on a
//! bastion, headless CLI runs) may share one file:
//!
//! - [`Ledger::append`] opens the file, takes an exclusive lock, re-reads the tail to find the last
//!   entry (so concurrent appenders chain correctly), writes one full line, `fsync`s, and only then
//!   returns the entry: a caller may show "recorded" once it has the `Entry`.
//! - **Torn tail rule.** A crash mid-append can leave a last line without its newline. The next
//!   append first writes a lone `\n` to terminate that fragment, then chains to the last line that
//!   parses as an entry (skipping the fragment). The fragment is never an acknowledged entry: an
//!   entry is acknowledged only after its full line and newline were written and synced.
//!   [`verify::verify`] reports such a fragment as a warning ("torn line N") and still checks that
//!   the entry after it chains to the entry before it; anything else unparsable is an error.
//! - [`Follower`] reads entries appended by other processes since a byte offset.

pub mod cli;
pub mod entry;
pub mod export;
pub mod follow;
pub mod identity;
pub mod migrate;
pub mod postgres;
pub mod store;
pub mod verify;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use entry::{Actor, Decision, Entry, GENESIS, Payload};
pub use follow::Follower;
pub use verify::{Issue, IssueKind, Severity, VerifyReport, verify};

/// Something went wrong reading or writing a ledger file; the message says which file and what to do.
#[derive(Debug)]
pub enum LedgerError {
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// An entry could not be turned into JSON (should not happen for well-formed payloads).
    Encode { path: PathBuf, message: String },
    /// The file became shorter than what was already read: someone truncated or replaced it.
    Shrunk { path: PathBuf, was: u64, now: u64 },
    /// A `postgres://` URL where only a ledger file works yet (the URL is not repeated: it may
    /// carry a secret).
    NotAFile,
}

impl LedgerError {
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> Self {
        LedgerError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::Io {
                path,
                action,
                source,
            } => write!(
                f,
                "{}: cannot {action}: {source}; check that the directory exists and is writable by you",
                path.display()
            ),
            LedgerError::Encode { path, message } => {
                write!(f, "{}: cannot encode entry: {message}", path.display())
            }
            LedgerError::NotAFile => f.write_str(
                "this command works only with a ledger file so far (rollouts, --detach); the \
                 PostgreSQL ledger serves sign-offs, commands, verify, export and migrate: \
                 give `--ledger FILE` for it",
            ),
            LedgerError::Shrunk { path, was, now } => write!(
                f,
                "{}: the ledger shrank from {was} to {now} bytes; it is append-only, so it was \
                 truncated or replaced: run `flightdeck ledger verify --ledger {}`",
                path.display(),
                path.display()
            ),
        }
    }
}

impl std::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LedgerError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A ledger file. Cheap to clone; every append opens, locks and closes the file, so one `Ledger`
/// may be used from several threads and several processes may share the file.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    /// Creates the parent directories and the (empty) file if missing.
    pub fn open(path: impl Into<PathBuf>) -> Result<Ledger, LedgerError> {
        let path = path.into();
        if path.to_str().is_some_and(postgres::is_postgres_url) {
            return Err(LedgerError::NotAFile);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| LedgerError::io(dir, "create the ledger directory", e))?;
        }
        let existed = path.exists();
        open_for_append(&path)?;
        if !existed && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the new directory entry durable too; failure only weakens crash safety.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(Ledger { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry stamped with the current time; returns it once it is on disk.
    pub fn append(&self, actor: &Actor, payload: Payload) -> Result<Entry, LedgerError> {
        self.append_at(actor, payload, Utc::now())
    }

    /// [`Ledger::append`] with an explicit time (tests, replays).
    pub fn append_at(
        &self,
        actor: &Actor,
        payload: Payload,
        time: DateTime<Utc>,
    ) -> Result<Entry, LedgerError> {
        let file = open_for_append(&self.path)?;
        file.lock()
            .map_err(|e| LedgerError::io(&self.path, "lock the ledger", e))?;
        let result = self.append_locked(&file, actor, payload, time);
        // Closing the file releases the lock as well; an unlock error changes nothing.
        let _ = file.unlock();
        result
    }

    fn append_locked(
        &self,
        file: &File,
        actor: &Actor,
        payload: Payload,
        time: DateTime<Utc>,
    ) -> Result<Entry, LedgerError> {
        let tail =
            scan_tail(file).map_err(|e| LedgerError::io(&self.path, "read the ledger tail", e))?;
        let (seq, prev) = match tail.last {
            Some((seq, line_hash)) => (seq + 1, line_hash),
            None => (1, GENESIS.to_string()),
        };
        let (entry, line) = entry::seal(seq, time, actor.clone(), payload, prev).map_err(|e| {
            LedgerError::Encode {
                path: self.path.clone(),
                message: e.to_string(),
            }
        })?;
        let mut bytes = Vec::with_capacity(line.len() + 2);
        if tail.torn {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        let mut writer = file;
        writer
            .write_all(&bytes)
            .map_err(|e| LedgerError::io(&self.path, "write to the ledger", e))?;
        file.sync_data()
            .map_err(|e| LedgerError::io(&self.path, "fsync the ledger", e))?;
        Ok(entry)
    }

    /// Every entry this binary can read, in file order. Skips a torn last line, lines that are not
    /// entries and entries of kinds it does not know; [`verify`] is the place to judge them.
    pub fn read_all(&self) -> Result<Vec<Entry>, LedgerError> {
        let mut follower = Follower::new(&self.path);
        follower.poll()
    }

    /// A reader that returns entries appended after everything read so far (starts at the beginning).
    pub fn follower(&self) -> Follower {
        Follower::new(&self.path)
    }
}

fn open_for_append(path: &Path) -> Result<File, LedgerError> {
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| LedgerError::io(path, "open the ledger", e))
}

struct Tail {
    /// The file is non-empty and does not end with a newline: a crash interrupted an append.
    torn: bool,
    /// seq and line hash of the last complete line that is an entry.
    last: Option<(u64, String)>,
}

/// Reads backwards from the end, in growing windows, until the last complete entry line is found.
fn scan_tail(file: &File) -> io::Result<Tail> {
    let len = file.metadata()?.len();
    let mut window: u64 = 16 * 1024;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = vec![0u8; usize::try_from(len - start).unwrap_or(usize::MAX)];
        file.read_exact_at(&mut buf, start)?;
        let torn = buf.last().is_some_and(|b| *b != b'\n');
        // Bytes before the first newline may be the middle of a line unless we read from offset 0.
        let complete_from = if start == 0 {
            0
        } else {
            buf.iter()
                .position(|b| *b == b'\n')
                .map_or(buf.len(), |p| p + 1)
        };
        let complete_to = buf.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        if complete_from < complete_to {
            let region = &buf[complete_from..complete_to - 1];
            for line in region.split(|b| *b == b'\n').rev() {
                if let Ok(fields) = serde_json::from_slice::<entry::ChainFields>(line) {
                    let last = Some((fields.seq, entry::sha256_hex(line)));
                    return Ok(Tail { torn, last });
                }
            }
        }
        if start == 0 {
            return Ok(Tail { torn, last: None });
        }
        window = window.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn actor(account: &str) -> Actor {
        Actor {
            account: account.into(),
            uid: 1000,
            host: "bastion".into(),
            ssh_origin: None,
        }
    }

    fn comment(text: &str) -> Payload {
        Payload::Comment {
            env: "prod".into(),
            release: "v1".into(),
            item: "Database".into(),
            role: "Technical Lead".into(),
            text: text.into(),
        }
    }

    #[test]
    fn appends_chain_from_genesis_and_read_back_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ledger = Ledger::open(dir.path().join("a/b/ledger.jsonl")).expect("open");
        let first = ledger
            .append(&actor("alice"), comment("one"))
            .expect("append");
        let second = ledger
            .append(&actor("bob"), comment("two"))
            .expect("append");
        assert_eq!((first.seq, first.prev.as_str()), (1, GENESIS));
        assert_eq!(second.seq, 2);
        let text = std::fs::read_to_string(ledger.path()).expect("read");
        let first_line = text.lines().next().expect("a line");
        assert_eq!(second.prev, entry::sha256_hex(first_line.as_bytes()));
        assert_eq!(ledger.read_all().expect("read_all"), vec![first, second]);
    }

    #[test]
    fn append_after_torn_tail_terminates_fragment_and_chains_to_last_valid_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ledger = Ledger::open(dir.path().join("ledger.jsonl")).expect("open");
        let first = ledger
            .append(&actor("alice"), comment("one"))
            .expect("append");
        let mut file = OpenOptions::new()
            .append(true)
            .open(ledger.path())
            .expect("reopen");
        file.write_all(br#"{"seq":2,"time":"2025-01-"#)
            .expect("tear");
        let after = ledger
            .append(&actor("bob"), comment("two"))
            .expect("append");
        assert_eq!(after.seq, 2);
        let text = std::fs::read_to_string(ledger.path()).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "fragment stays on its own line: {text}");
        assert_eq!(after.prev, entry::sha256_hex(lines[0].as_bytes()));
        assert_eq!(ledger.read_all().expect("read_all"), vec![first, after]);
    }

    #[test]
    fn tail_scan_finds_the_last_entry_beyond_the_first_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ledger = Ledger::open(dir.path().join("ledger.jsonl")).expect("open");
        ledger
            .append(&actor("alice"), comment("short"))
            .expect("append");
        let mut file = OpenOptions::new()
            .append(true)
            .open(ledger.path())
            .expect("reopen");
        // 40 KiB of garbage after the last entry, so the first 16 KiB window holds no entry.
        file.write_all(format!("{}\n", "x".repeat(40 * 1024)).as_bytes())
            .expect("garbage");
        let next = ledger
            .append(&actor("bob"), comment("after"))
            .expect("append");
        assert_eq!(next.seq, 2);
    }
}
