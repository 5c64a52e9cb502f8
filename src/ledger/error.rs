//! The errors of reading and writing a ledger, each naming the file and what to do.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

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
    /// A `postgres://` URL given to the file ledger (the URL is not repeated: it may carry a
    /// secret); [`store::LedgerStore`] opens either.
    NotAFile,
    /// There is no ledger file (reading never creates one).
    Missing { path: PathBuf },
    /// Signing is on and the entry could not be signed; nothing was written.
    Sign { path: PathBuf, message: String },
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
                "a postgres:// address is a database ledger, not a file: open it through \
                 `ledger::store::LedgerStore`",
            ),
            LedgerError::Shrunk { path, was, now } => write!(
                f,
                "{}: the ledger shrank from {was} to {now} bytes; it is append-only, so it was \
                 truncated or replaced: run `flightdeck ledger verify --ledger {}`",
                path.display(),
                path.display()
            ),
            LedgerError::Missing { path } => write!(
                f,
                "{}: no ledger file there (nothing was ever recorded at that path); check the \
                 profile's [ledger] path or --ledger",
                path.display()
            ),
            LedgerError::Sign { path, message } => {
                write!(
                    f,
                    "{}: not signed, so not recorded: {message}",
                    path.display()
                )
            }
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
