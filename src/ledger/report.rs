//! What a ledger check finds: issues by kind and severity, the report, and the verified chain's
//! links. Data shared by the line checks ([`super::chain`], [`super::witness`]) and the file check
//! ([`super::verify`]).

use std::path::PathBuf;

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
    /// Signing is on and the entry carries no signature.
    Unsigned,
    /// The signature is not by a key allowed for the entry's account, or does not match it.
    BadSignature,
    /// History this account saw before is gone: entries deleted from the end, or rewritten.
    Truncated,
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
        // A message may quote an account name from the file: printable only.
        let message = super::clean::printable(&issue.message, false);
        format!("{}:{}: {message}", self.path.display(), issue.line)
    }
}

/// One link of the verified chain: an entry's seq and the SHA-256 of its line (what the next
/// entry's `prev` holds, and what `ledger head` prints for the last one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub seq: u64,
    pub line_hash: String,
}

pub(crate) fn error(line: usize, seq: u64, kind: IssueKind, message: String) -> Issue {
    Issue {
        line,
        seq: Some(seq),
        severity: Severity::Error,
        kind,
        message,
    }
}
