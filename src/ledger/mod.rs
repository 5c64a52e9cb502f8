//! The append-only, hash-chained journal of sign-offs, comments, commands and overrides.
//!
//! One JSON object per line ([`entry`]). Several processes (cockpits in several SSH sessions on a
//! bastion, headless CLI runs) may share one file:
//!
//! - [`Ledger::append`] opens the file, takes an exclusive lock, re-reads the tail to find the last
//!   entry (so concurrent appenders chain correctly), writes one full line, `fsync`s, and only then
//!   returns the entry: a caller may show "recorded" once it has the `Entry`.
//! - **Appends that fail leave nothing.** An entry is acknowledged only after its full line and
//!   newline were written and synced. A write or fsync that fails (ENOSPC, EIO) truncates the file
//!   back to the last whole entry before the error is reported; a crash mid-append can still leave
//!   a fragment without its newline, and the next append (under the lock) truncates it first. So
//!   no unacknowledged bytes stay, and no sequence number appears twice. [`verify::verify`] reports
//!   a fragment as a warning ("torn line N"); anything else unparsable is an error.
//! - Only the **verified prefix** counts ([`chain`]): readers take the entries before the first
//!   break, and a break is a state the cockpit shows, never something folded into a decision.
//! - [`Follower`] re-checks the file whenever it changed (size, mtime, ctime, inode).
//! - Shared ledgers: a file created in a setgid directory is made group-writable (see README).

mod at_head;
pub mod chain;
pub mod clean;
mod conditional;
pub mod entry;
mod error;
mod file;
pub mod follow;
pub mod identity;
pub mod postgres;
mod report;
pub mod setup;
pub mod signing;
pub mod store;
pub mod verify;
pub mod witness;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use chain::{Checked, Link, Trust, Verifier};
pub use conditional::AtHead;
pub use entry::{Actor, Decision, Entry, GENESIS, Payload};
pub use error::LedgerError;
use file::{open_for_append, scan_tail, share_with_group_if_setgid};
pub use follow::Follower;
pub use setup::Setup;
pub use signing::{AgentSigner, AllowedSigners};
pub use verify::{Issue, IssueKind, Severity, VerifyReport, verify};

/// A ledger file. Cheap to clone; every append opens, locks and closes the file, so one `Ledger`
/// may be used from several threads and several processes may share the file.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
    /// Signing is on: every entry is signed through the ssh-agent before it is written.
    signer: Option<AgentSigner>,
    /// Appends are refused, and why (read-only, or signing is on but no key is usable).
    refuse: Option<String>,
    /// Signing is on: reads through this ledger check every signature too.
    signers: Option<AllowedSigners>,
}

/// Writes an entry's bytes to the locked ledger; tests inject short writes and ENOSPC.
pub type WriteFn<'a> = &'a mut dyn FnMut(&File, &[u8]) -> io::Result<()>;

impl Ledger {
    /// A ledger at `path` that is read (and written) only if it exists; creates nothing.
    pub fn existing(path: impl Into<PathBuf>) -> Ledger {
        Ledger {
            path: path.into(),
            signer: None,
            refuse: None,
            signers: None,
        }
    }

    /// Reads through this ledger ([`Ledger::read_all`], [`Ledger::follower`]) check signatures.
    pub fn checking(mut self, signers: AllowedSigners) -> Ledger {
        self.signers = Some(signers);
        self
    }

    fn verifier(&self) -> Verifier {
        Verifier::new(Trust {
            signers: self.signers.clone(),
            seen: None,
        })
    }

    /// Refuses every append with `why` (it is still read).
    pub fn refusing(mut self, why: impl Into<String>) -> Ledger {
        self.refuse = Some(why.into());
        self
    }

    /// Signs every entry appended from now on with `signer`.
    pub fn with_signer(mut self, signer: AgentSigner) -> Ledger {
        self.signer = Some(signer);
        self
    }

    /// Creates the parent directories and the (empty) file if missing. In a setgid directory (the
    /// shared-ledger recipe) the new file is made group-writable, whatever the umask says.
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
        let file = open_for_append(&path)?;
        if !existed {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let dir = dir.unwrap_or(Path::new("."));
            share_with_group_if_setgid(&file, dir)
                .map_err(|e| LedgerError::io(&path, "make the ledger group-writable", e))?;
            // Make the new directory entry durable too; failure only weakens crash safety.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(Ledger::existing(path))
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
        let mut write = |mut file: &File, bytes: &[u8]| file.write_all(bytes);
        self.append_with_writer(actor, payload, time, &mut write)
    }

    /// [`Ledger::append_at`] through `write` (tests simulate a full disk or a short write).
    pub fn append_with_writer(
        &self,
        actor: &Actor,
        payload: Payload,
        time: DateTime<Utc>,
        write: WriteFn<'_>,
    ) -> Result<Entry, LedgerError> {
        let payload = crate::redact::redact_serde(payload);
        self.locked(|file| self.append_locked(file, actor, payload, time, write))
    }

    /// Runs `work` on the ledger file under its exclusive lock, unless appends are refused.
    fn locked<T>(
        &self,
        work: impl FnOnce(&File) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        if let Some(why) = &self.refuse {
            return Err(LedgerError::Sign {
                path: self.path.clone(),
                message: why.clone(),
            });
        }
        let file = open_for_append(&self.path)?;
        file.lock()
            .map_err(|e| LedgerError::io(&self.path, "lock the ledger", e))?;
        let result = work(&file);
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
        write: WriteFn<'_>,
    ) -> Result<Entry, LedgerError> {
        let tail =
            scan_tail(file).map_err(|e| LedgerError::io(&self.path, "read the ledger tail", e))?;
        if tail.torn {
            // A fragment left by a crashed appender was never acknowledged: remove it.
            self.truncate_to(file, tail.whole)?;
        }
        let (seq, prev) = match tail.last {
            Some((seq, line_hash)) => (seq + 1, line_hash),
            None => (1, GENESIS.to_string()),
        };
        let sign = self
            .signer
            .as_ref()
            .map(|s| move |message: &[u8]| s.sign(message));
        let sign_ref: Option<entry::SignFn<'_>> = sign.as_ref().map(|f| f as entry::SignFn<'_>);
        let (entry, line) = entry::seal_signed(seq, time, actor.clone(), payload, prev, sign_ref)
            .map_err(|message| LedgerError::Sign {
            path: self.path.clone(),
            message,
        })?;
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        let written = write(file, &bytes)
            .map_err(|e| LedgerError::io(&self.path, "write to the ledger", e))
            .and_then(|()| {
                file.sync_data()
                    .map_err(|e| LedgerError::io(&self.path, "fsync the ledger", e))
            });
        if let Err(e) = written {
            // Whatever part of the line reached the file goes: the entry was not recorded.
            return Err(self.truncate_to(file, tail.whole).err().unwrap_or(e));
        }
        Ok(entry)
    }

    fn truncate_to(&self, file: &File, len: u64) -> Result<(), LedgerError> {
        file.set_len(len)
            .and_then(|()| file.sync_data())
            .map_err(|e| {
                LedgerError::io(&self.path, "remove an unfinished entry from the ledger", e)
            })
    }

    /// The verified prefix (entries before the first break, of kinds this binary knows), with
    /// signatures checked when the ledger came from [`Setup::writer`] with signing on;
    /// [`Setup::read`] also checks what this account saw. A missing file is an empty ledger.
    pub fn read_all(&self) -> Result<Vec<Entry>, LedgerError> {
        match verify::check_file(&self.path, &mut self.verifier()) {
            Ok(checked) => Ok(checked.entries),
            Err(LedgerError::Missing { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// A reader that returns entries appended after everything read so far (starts at the beginning).
    pub fn follower(&self) -> Follower {
        Follower::with(&self.path, self.verifier(), None)
    }
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;

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
    fn append_after_torn_tail_removes_the_fragment_and_chains_to_last_entry() {
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
        assert_eq!(lines.len(), 2, "the fragment is gone: {text}");
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
