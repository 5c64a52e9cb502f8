//! Integrity check of a whole ledger file: every line an entry, every hash right, every entry
//! chained to the one before with the next seq.
//!
//! Rules (see the torn tail rule in [`super`]):
//! - A line that is not JSON but starts like an entry (`{"seq":…`) is a **torn line**: a warning.
//!   It is skipped, and the entry after it must chain to the entry before it (if it does not,
//!   that entry is reported as an error). A last line without its newline is torn as well.
//! - Anything else that is not an entry (blank line, other text) is **garbage**: an error.
//! - Per entry: `hash` must match its content (else **edited**); `seq` must be the previous seq + 1
//!   (a gap is **deleted** entries, a seq that exists elsewhere in the file is **reordered**);
//!   `prev` must be the SHA-256 of the previous entry's line (else **broken chain**).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::LedgerError;
use super::entry::{GENESIS, entry_hash, sha256_hex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    Edited,
    Deleted,
    Reordered,
    BrokenChain,
    Torn,
    Garbage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line number in the ledger file.
    pub line: usize,
    pub seq: Option<u64>,
    pub severity: Severity,
    pub kind: IssueKind,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub path: PathBuf,
    pub lines: usize,
    pub entries: usize,
    pub issues: Vec<Issue>,
}

impl VerifyReport {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    pub fn is_clean(&self) -> bool {
        self.issues.is_empty()
    }

    pub fn first_error(&self) -> Option<&Issue> {
        self.issues.iter().find(|i| i.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }

    /// `LEDGER:LINE: message`, the way compilers locate errors.
    pub fn locate(&self, issue: &Issue) -> String {
        format!("{}:{}: {}", self.path.display(), issue.line, issue.message)
    }
}

/// The last good entry seen: what the next entry must chain to.
struct Link {
    seq: u64,
    line_hash: String,
    /// The entry was edited: its line hash is not what the next entry recorded, so skip that check.
    edited: bool,
}

struct ParsedEntry {
    seq: u64,
    prev: String,
    hash: String,
    value: Value,
}

fn parse_entry(line: &[u8]) -> Result<ParsedEntry, &'static str> {
    let value: Value = serde_json::from_slice(line).map_err(|_| "not JSON")?;
    let seq = value["seq"].as_u64().ok_or("JSON without a numeric seq")?;
    let prev = value["prev"]
        .as_str()
        .ok_or("JSON without prev")?
        .to_string();
    let hash = value["hash"]
        .as_str()
        .ok_or("JSON without hash")?
        .to_string();
    Ok(ParsedEntry {
        seq,
        prev,
        hash,
        value,
    })
}

pub fn verify(path: &Path) -> Result<VerifyReport, LedgerError> {
    let bytes = std::fs::read(path).map_err(|e| LedgerError::io(path, "read the ledger", e))?;
    Ok(verify_bytes(path, &bytes))
}

pub fn verify_bytes(path: &Path, bytes: &[u8]) -> VerifyReport {
    let mut segments: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let unterminated = bytes.last().is_some_and(|b| *b != b'\n');
    if !unterminated {
        segments.pop(); // the empty remainder after the final newline (or of an empty file)
    }
    let parsed: Vec<Option<ParsedEntry>> = segments.iter().map(|s| parse_entry(s).ok()).collect();
    let mut line_of_seq: HashMap<u64, usize> = HashMap::new();
    for (index, entry) in parsed.iter().enumerate() {
        if let Some(entry) = entry {
            line_of_seq.entry(entry.seq).or_insert(index + 1);
        }
    }
    let mut report = VerifyReport {
        path: path.to_path_buf(),
        lines: segments.len(),
        entries: 0,
        issues: Vec::new(),
    };
    let mut link: Option<Link> = None;
    for (index, (segment, entry)) in segments.iter().zip(parsed).enumerate() {
        let line = index + 1;
        let is_last = line == segments.len();
        let Some(entry) = entry else {
            report
                .issues
                .push(not_an_entry(segment, line, is_last && unterminated));
            continue;
        };
        report.entries += 1;
        if is_last && unterminated {
            report.issues.push(Issue {
                line,
                seq: Some(entry.seq),
                severity: Severity::Warning,
                kind: IssueKind::Torn,
                message: format!(
                    "entry seq {} lacks its final newline (crash during append?); the next append terminates it",
                    entry.seq
                ),
            });
        }
        let edited = entry_hash(&entry.value) != entry.hash;
        if edited {
            report.issues.push(error(
                line,
                entry.seq,
                IssueKind::Edited,
                format!("entry seq {} was edited (hash mismatch)", entry.seq),
            ));
        }
        if let Some(issue) = check_link(link.as_ref(), &entry, line, &line_of_seq) {
            report.issues.push(issue);
        }
        link = Some(Link {
            seq: entry.seq,
            line_hash: sha256_hex(segment),
            edited,
        });
    }
    report
}

fn check_link(
    link: Option<&Link>,
    entry: &ParsedEntry,
    line: usize,
    line_of_seq: &HashMap<u64, usize>,
) -> Option<Issue> {
    let seq = entry.seq;
    let (expected_seq, expected_prev, skip_prev) = match link {
        Some(l) => (l.seq + 1, l.line_hash.as_str(), l.edited),
        None => (1, GENESIS, false),
    };
    if seq != expected_seq {
        let elsewhere = line_of_seq.get(&expected_seq).filter(|at| **at != line);
        let (kind, message) = match (elsewhere, link) {
            (Some(at), Some(l)) => (
                IssueKind::Reordered,
                format!(
                    "entry seq {seq} is out of order: it follows seq {} but seq {expected_seq} is at line {at} (lines swapped or moved)",
                    l.seq
                ),
            ),
            (Some(at), None) => (
                IssueKind::Reordered,
                format!(
                    "entry seq {seq} is out of order: the ledger must start with seq 1, which is at line {at}"
                ),
            ),
            (None, _) if seq < expected_seq => (
                IssueKind::Reordered,
                format!("entry seq {seq} repeats or goes back (expected seq {expected_seq})"),
            ),
            (None, _) => (
                IssueKind::Deleted,
                if seq == expected_seq + 1 {
                    format!("entry seq {expected_seq} was deleted (seq jumps to {seq})")
                } else {
                    format!(
                        "entries seq {expected_seq}..{} were deleted (seq jumps to {seq})",
                        seq - 1
                    )
                },
            ),
        };
        return Some(error(line, seq, kind, message));
    }
    if !skip_prev && entry.prev != expected_prev {
        let message = if link.is_none() {
            format!(
                "entry seq {seq} is first but does not chain to the start (prev is not zeros): entries before it were removed"
            )
        } else {
            format!(
                "entry seq {seq} does not chain to the entry before it (prev mismatch): that entry was replaced or rewritten"
            )
        };
        return Some(error(line, seq, IssueKind::BrokenChain, message));
    }
    None
}

fn not_an_entry(segment: &[u8], line: usize, unterminated: bool) -> Issue {
    let looks_torn = {
        let start = b"{\"seq\":";
        let n = segment.len().min(start.len());
        !segment.is_empty() && segment[..n] == start[..n]
    };
    if unterminated || looks_torn {
        let message = if unterminated {
            format!(
                "torn line {line} (crash during append?): an unfinished entry at the end; the next append terminates it. If no process crashed, the last entry was truncated"
            )
        } else {
            format!(
                "torn line {line} (crash during append?): an unfinished entry, skipped; the entry after it must chain to the one before it"
            )
        };
        return Issue {
            line,
            seq: None,
            severity: Severity::Warning,
            kind: IssueKind::Torn,
            message,
        };
    }
    let what = if segment.is_empty() {
        "a blank line"
    } else {
        match parse_entry(segment) {
            Err(reason) => reason,
            Ok(_) => "unreadable",
        }
    };
    Issue {
        line,
        seq: None,
        severity: Severity::Error,
        kind: IssueKind::Garbage,
        message: format!("line {line} is not a ledger entry ({what}): garbage was inserted"),
    }
}

fn error(line: usize, seq: u64, kind: IssueKind, message: String) -> Issue {
    Issue {
        line,
        seq: Some(seq),
        severity: Severity::Error,
        kind,
        message,
    }
}
