//! The check of a ledger's lines, independent of where they are stored (a file, a database):
//! every line an entry, every hash right, every entry chained to the one before with the next
//! seq, every signature valid (when signing is on), and the history this account saw before still
//! there ([`super::witness`]). The result is the report and the **verified prefix**: the entries
//! before the first error, the only ones the grid, the gates and exports may count.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::entry::{Entry, GENESIS, entry_hash, sha256_hex};
pub use super::report::Link;
use super::report::{Issue, IssueKind, Severity, VerifyReport, error};
use super::signing::AllowedSigners;
use super::witness::Seen;

/// What a ledger must satisfy beyond its own chain.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Signing is on: every entry must carry a valid signature by a key listed for its account.
    pub signers: Option<AllowedSigners>,
    /// The head this account saw last time; it must still be in the history.
    pub seen: Option<Seen>,
}

/// A checked ledger: the report, and the verified prefix.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: VerifyReport,
    /// Entries (of kinds this binary knows) before the first error, in order.
    pub entries: Vec<Entry>,
    /// Every entry before the first error, oldest first; its last is the head.
    pub chain: Vec<Link>,
}

impl Checked {
    pub fn head(&self) -> Option<&Link> {
        self.chain.last()
    }
}

/// Checks lines; remembers which lines' signatures were already checked, so a follower re-checking
/// a grown file pays for the new signatures only.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    pub trust: Trust,
    signed_ok: HashSet<String>,
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

/// The last good entry seen: what the next entry must chain to.
struct Previous {
    seq: u64,
    line_hash: String,
    /// The entry was edited: its line hash is not what the next entry recorded, so skip that check.
    edited: bool,
}

impl Verifier {
    pub fn new(trust: Trust) -> Verifier {
        Verifier {
            trust,
            signed_ok: HashSet::new(),
        }
    }

    /// Checks the lines of a ledger at `origin` (a file path, or a database URL for messages).
    /// `unterminated`: the last line has no newline yet.
    pub fn check(&mut self, origin: &Path, lines: &[&[u8]], unterminated: bool) -> Checked {
        let parsed: Vec<Option<ParsedEntry>> = lines.iter().map(|s| parse_entry(s).ok()).collect();
        let mut line_of_seq: HashMap<u64, usize> = HashMap::new();
        for (index, entry) in parsed.iter().enumerate() {
            if let Some(entry) = entry {
                line_of_seq.entry(entry.seq).or_insert(index + 1);
            }
        }
        let mut report = VerifyReport {
            path: origin.to_path_buf(),
            lines: lines.len(),
            entries: 0,
            issues: Vec::new(),
        };
        let (mut entries, mut chain) = (Vec::new(), Vec::new());
        let mut previous: Option<Previous> = None;
        for (index, (segment, entry)) in lines.iter().zip(parsed).enumerate() {
            let line = index + 1;
            let is_last = line == lines.len();
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
                        "entry seq {} lacks its final newline (crash during append?); the next append removes it",
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
            if let Some(issue) = check_link(previous.as_ref(), &entry, line, &line_of_seq) {
                report.issues.push(issue);
            }
            let line_hash = sha256_hex(segment);
            if !edited && let Some(issue) = self.check_signature(&entry, &line_hash, line) {
                report.issues.push(issue);
            }
            // An unterminated last line is not acknowledged yet: it never counts.
            let pending = is_last && unterminated;
            let counts = !report.has_errors() && !pending;
            if counts {
                chain.push(Link {
                    seq: entry.seq,
                    line_hash: line_hash.clone(),
                });
                if let Ok(known) = serde_json::from_value::<Entry>(entry.value.clone()) {
                    entries.push(known);
                }
            }
            previous = Some(Previous {
                seq: entry.seq,
                line_hash,
                edited,
            });
        }
        if !report.has_errors()
            && let Some(seen) = &self.trust.seen
            && let Some(issue) = seen.missing_from(&chain, &line_of_seq, lines.len())
        {
            report.issues.push(issue);
        }
        Checked {
            report,
            entries,
            chain,
        }
    }

    fn check_signature(
        &mut self,
        entry: &ParsedEntry,
        line_hash: &str,
        line: usize,
    ) -> Option<Issue> {
        let signers = self.trust.signers.as_ref()?;
        if self.signed_ok.contains(line_hash) {
            return None;
        }
        let account = entry.value["actor"]["account"].as_str().unwrap_or_default();
        let seq = entry.seq;
        let Some(sig) = entry.value["sig"].as_str() else {
            return Some(error(
                line,
                seq,
                IssueKind::Unsigned,
                format!(
                    "entry seq {seq} (by {account}) is not signed, but this ledger requires signatures ({})",
                    signers.path.display()
                ),
            ));
        };
        match signers.check(account, entry.hash.as_bytes(), sig) {
            Ok(()) => {
                self.signed_ok.insert(line_hash.to_string());
                None
            }
            Err(why) => Some(error(
                line,
                seq,
                IssueKind::BadSignature,
                format!("entry seq {seq} {why}: forged or signed with the wrong key"),
            )),
        }
    }
}

fn check_link(
    previous: Option<&Previous>,
    entry: &ParsedEntry,
    line: usize,
    line_of_seq: &HashMap<u64, usize>,
) -> Option<Issue> {
    let seq = entry.seq;
    let (expected_seq, expected_prev, skip_prev) = match previous {
        Some(l) => (l.seq + 1, l.line_hash.as_str(), l.edited),
        None => (1, GENESIS, false),
    };
    if seq != expected_seq {
        let elsewhere = line_of_seq.get(&expected_seq).filter(|at| **at != line);
        let (kind, message) = match (elsewhere, previous) {
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
        let message = if previous.is_none() {
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
                "torn line {line} (crash during append?): an unfinished entry at the end; the next append removes it. If no process crashed, the last entry was truncated"
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
