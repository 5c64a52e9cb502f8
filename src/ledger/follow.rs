//! Following a ledger file that other processes append to, edit, truncate or replace.
//!
//! A poll with nothing new costs one `stat`. When the file's identity or stamp changed (inode,
//! size, mtime, ctime; ctime cannot be set back by a writer), the whole file is checked again, so
//! in-place edits, reorders, garbage, shrinks and replacements are all seen. Signatures already
//! checked are not checked twice. The reader gets what was appended, or, when history changed,
//! the whole verified prefix again; with either, the ledger's [`Health`].

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::chain::{Checked, Link, Verifier};
use super::verify::check_bytes;
use super::witness::Witness;
use super::{Entry, LedgerError};

/// Whether the ledger can be trusted right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Every entry verified; `head` is the last one (None: no entries yet).
    Verified { entries: usize, head: Option<Link> },
    /// Verification stopped at `line`: only the entries before it count.
    Broken(Break),
}

/// Where a ledger broke, what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
    pub advice: String,
}

impl Health {
    pub fn of(checked: &Checked) -> Health {
        let report = &checked.report;
        match report.first_error() {
            None => Health::Verified {
                entries: checked.chain.len(),
                head: checked.head().cloned(),
            },
            Some(issue) => Health::Broken(Break {
                path: report.path.clone(),
                line: issue.line,
                message: super::clean::printable(&issue.message, false),
                advice: advice(&report.path),
            }),
        }
    }

    pub fn is_broken(&self) -> bool {
        matches!(self, Health::Broken(_))
    }
}

fn advice(path: &Path) -> String {
    format!(
        "only entries before it count and every sign-off is NO-GO; run `flightdeck ledger verify \
         --ledger {}`, then restore the file from a backup",
        path.display()
    )
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Entries to add to those already read; with `reset`, all verified entries instead.
    pub entries: Vec<Entry>,
    pub reset: bool,
    pub health: Health,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

#[derive(Debug, Clone)]
pub struct Follower {
    path: PathBuf,
    verifier: Verifier,
    /// Advanced to each verified head, so history this account saw cannot quietly vanish.
    witness: Option<Witness>,
    stamp: Option<Stamp>,
    /// The verified chain delivered so far, and how many entries of it were returned.
    chain: Vec<Link>,
    delivered: usize,
    first: bool,
}

impl Follower {
    /// A follower without signature checks or witness (tests, unsigned ledgers).
    pub fn new(path: impl Into<PathBuf>) -> Follower {
        Follower::with(path, Verifier::default(), None)
    }

    pub fn with(
        path: impl Into<PathBuf>,
        verifier: Verifier,
        witness: Option<Witness>,
    ) -> Follower {
        Follower {
            path: path.into(),
            verifier,
            witness,
            stamp: None,
            chain: Vec::new(),
            delivered: 0,
            first: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `None` when nothing changed since the previous poll; the first poll always answers.
    pub fn poll(&mut self) -> Result<Option<Reading>, LedgerError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(LedgerError::io(&self.path, "stat the ledger", e)),
        };
        let stamp = meta.map(|m| Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        });
        if !self.first && stamp == self.stamp {
            return Ok(None);
        }
        let bytes = match stamp {
            Some(_) => match std::fs::read(&self.path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(LedgerError::io(&self.path, "read the ledger", e)),
            },
            None => Vec::new(),
        };
        self.stamp = stamp;
        self.first = false;
        let checked = check_bytes(&self.path, &bytes, &mut self.verifier);
        Ok(Some(self.take(checked)))
    }

    fn take(&mut self, checked: Checked) -> Reading {
        let health = Health::of(&checked);
        if let (Health::Verified { .. }, Some(head)) = (&health, checked.head()) {
            let seen = match &self.witness {
                Some(witness) => witness.record(head, Utc::now()).ok(),
                None => None,
            };
            self.verifier.trust.seen = seen.or_else(|| {
                Some(super::witness::Seen {
                    seq: head.seq,
                    line_hash: head.line_hash.clone(),
                    at: Utc::now(),
                    file: None,
                })
            });
        }
        let extends = checked.chain.len() >= self.chain.len()
            && checked.chain[..self.chain.len()] == self.chain[..];
        let reading = if extends {
            Reading {
                entries: checked.entries[self.delivered.min(checked.entries.len())..].to_vec(),
                reset: false,
                health,
            }
        } else {
            Reading {
                entries: checked.entries.clone(),
                reset: true,
                health,
            }
        };
        self.chain = checked.chain;
        self.delivered = checked.entries.len();
        reading
    }
}
