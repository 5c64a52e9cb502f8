//! What the format parsers share: a body's own verdict and the short notes they write.

use serde_json::Value;

use crate::probes::{CheckDetail, Health};

/// What a body says, before the HTTP status is taken into account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyHealth {
    /// `None` when the body does not state a status (the HTTP code decides).
    pub status: Option<Health>,
    pub checks: Vec<CheckDetail>,
    /// A short description when the body is not a plain pass (e.g. `status DOWN`).
    pub note: Option<String>,
}

/// A one-line note: `status DOWN (failing: db, redis)`, naming at most five non-passing checks.
pub fn note(what: &str, checks: &[CheckDetail]) -> String {
    let bad: Vec<&str> = checks
        .iter()
        .filter(|c| c.status != Health::Pass)
        .map(|c| c.name.as_str())
        .collect();
    match bad.len() {
        0 => what.to_string(),
        n if n <= 5 => format!("{what} (not passing: {})", bad.join(", ")),
        n => format!(
            "{what} (not passing: {} and {} more)",
            bad[..5].join(", "),
            n - 5
        ),
    }
}

/// A short message from a JSON value: strings as is, others compact, cut to 160 characters.
pub fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 160 {
        let mut cut: String = s.chars().take(159).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}
