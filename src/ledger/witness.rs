//! What this account has seen of a ledger: the last verified head, kept in the account's own state
//! directory where other writers of a shared ledger cannot reach it. A chain cannot tell that its
//! last entries were cut off, or that all of it was rewritten with fresh hashes; the head seen
//! before can: it must still be in the history, with the same line hash.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry::sha256_hex;
use super::report::{Issue, IssueKind, Link, error};

/// A head seen at some time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub seq: u64,
    pub line_hash: String,
    pub at: DateTime<Utc>,
    /// The witness file, named in messages (not stored); None: remembered by this process only.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl Seen {
    /// The error when the verified `chain` no longer holds this head.
    pub(crate) fn missing_from(
        &self,
        chain: &[Link],
        line_of_seq: &HashMap<u64, usize>,
        lines: usize,
    ) -> Option<Issue> {
        let at = self.at.format("%Y-%m-%d %H:%M UTC");
        let hint = match &self.file {
            Some(file) => format!(
                "if the ledger was replaced on purpose, remove {} (what you saw)",
                file.display()
            ),
            None => "if the ledger was replaced on purpose, restart the cockpit".to_string(),
        };
        match chain.iter().find(|l| l.seq == self.seq) {
            Some(link) if link.line_hash == self.line_hash => None,
            Some(_) => Some(error(
                line_of_seq.get(&self.seq).copied().unwrap_or(lines + 1),
                self.seq,
                IssueKind::Truncated,
                format!(
                    "entry seq {} is not the one you saw on {at}: the history up to it was rewritten; {hint}",
                    self.seq
                ),
            )),
            None => {
                let last = chain.last().map_or(0, |l| l.seq);
                Some(error(
                    lines + 1,
                    self.seq,
                    IssueKind::Truncated,
                    format!(
                        "the ledger ends at seq {last}, but you saw seq {} on {at}: entries were deleted from its end; {hint}",
                        self.seq
                    ),
                ))
            }
        }
    }
}

/// The witness file of one ledger for this account.
#[derive(Debug, Clone)]
pub struct Witness {
    file: PathBuf,
}

impl Witness {
    /// `<state dir>/ledger-seen/<hash of the ledger's absolute path>.json`.
    pub fn for_ledger(state_dir: &Path, ledger: &Path) -> Witness {
        let absolute = std::path::absolute(ledger).unwrap_or_else(|_| ledger.to_path_buf());
        let key = sha256_hex(absolute.to_string_lossy().as_bytes());
        Witness {
            file: state_dir
                .join("ledger-seen")
                .join(format!("{}.json", &key[..24])),
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The head seen before, if any (an unreadable witness is treated as none).
    pub fn load(&self) -> Option<Seen> {
        let text = std::fs::read_to_string(&self.file).ok()?;
        let mut seen: Seen = serde_json::from_str(&text).ok()?;
        seen.file = Some(self.file.clone());
        Some(seen)
    }

    /// Remembers `head` unless a later head was seen already; written atomically (rename).
    pub fn record(&self, head: &Link, now: DateTime<Utc>) -> std::io::Result<Seen> {
        if let Some(seen) = self.load().filter(|s| s.seq >= head.seq) {
            return Ok(seen);
        }
        let seen = Seen {
            seq: head.seq,
            line_hash: head.line_hash.clone(),
            at: now,
            file: Some(self.file.clone()),
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temp = self
            .file
            .with_extension(format!("tmp{}", std::process::id()));
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(serde_json::to_string(&seen).unwrap_or_default().as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&temp, &self.file)?;
        Ok(seen)
    }
}
