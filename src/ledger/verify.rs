//! Integrity check of a whole ledger file (the line checks themselves are in [`super::chain`],
//! shared by every backend): every line an entry, every hash right, every entry chained to the one
//! before with the next seq, every signature valid when signing is on.
//!
//! Rules (see the torn tail rule in [`super`]):
//! - A line that is not JSON but starts like an entry (`{"seq":…`) is a **torn line**: a warning.
//!   It is skipped, and the entry after it must chain to the entry before it (if it does not,
//!   that entry is reported as an error). A last line without its newline is torn as well.
//! - Anything else that is not an entry (blank line, other text) is **garbage**: an error.
//! - Per entry: `hash` must match its content (else **edited**); `seq` must be the previous seq + 1
//!   (a gap is **deleted** entries, a seq that exists elsewhere in the file is **reordered**);
//!   `prev` must be the SHA-256 of the previous entry's line (else **broken chain**); with signing
//!   on, its `sig` must be a valid SSHSIG by a key listed for its account (else **unsigned** or
//!   **bad signature**); the head this account saw before must still be there (else **truncated**).

use std::io;
use std::path::Path;

use super::chain::{Checked, Trust, Verifier};
use super::error::LedgerError;
pub use super::report::{Issue, IssueKind, Severity, VerifyReport};

pub fn verify(path: &Path) -> Result<VerifyReport, LedgerError> {
    Ok(check_file(path, &mut Verifier::default())?.report)
}

/// Reads and checks a ledger file; a missing file says so and where.
pub fn check_file(path: &Path, verifier: &mut Verifier) -> Result<Checked, LedgerError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => LedgerError::Missing {
            path: path.to_path_buf(),
        },
        _ => LedgerError::io(path, "read the ledger", e),
    })?;
    Ok(check_bytes(path, &bytes, verifier))
}

pub fn check_bytes(path: &Path, bytes: &[u8], verifier: &mut Verifier) -> Checked {
    let mut segments: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let unterminated = bytes.last().is_some_and(|b| *b != b'\n');
    if !unterminated {
        segments.pop(); // the empty remainder after the final newline (or of an empty file)
    }
    verifier.check(path, &segments, unterminated)
}

pub fn verify_bytes(path: &Path, bytes: &[u8]) -> VerifyReport {
    check_bytes(path, bytes, &mut Verifier::new(Trust::default())).report
}
