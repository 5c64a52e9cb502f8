//! A bearer token in memory: its `Debug` is redacted and [`crate::redact`] learns it on creation,
//! so no screen, log or ledger line can show it.

use std::fmt;

/// A token or key; [`Secret::expose`] is the one way to its text, for a request header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        crate::redact::remember(&value);
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
