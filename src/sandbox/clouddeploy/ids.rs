//! The errors every Cloud Deploy handler answers with, and the resource-id rule.

use crate::sandbox::cloudrun_sim::SimError;

pub fn err(http: u16, status: &'static str, message: impl Into<String>) -> SimError {
    SimError::new(http, status, message)
}

/// Resource ids: `^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`.
pub fn valid_id(field: &str, id: &str) -> Result<(), SimError> {
    let bytes = id.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(err(
            400,
            "INVALID_ARGUMENT",
            format!("{field} {id:?} must match ^[a-z]([a-z0-9-]{{0,61}}[a-z0-9])?$"),
        ))
    }
}
