//! What an append conditional on the ledger's head found ([`super::at_head`]).

use super::entry::Entry;

/// What a conditional append found.
#[derive(Debug, Clone, PartialEq)]
pub enum AtHead {
    /// Every payload was appended, in order, and is durable.
    Appended(Vec<Entry>),
    /// Entries were appended after the decision read the ledger (its last seq is now this);
    /// nothing was written.
    Moved { head_seq: u64 },
}
