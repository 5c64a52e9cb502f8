//! What every `--json` document shares: a schema version and one timestamp precision (RFC 3339,
//! whole seconds, UTC, `Z`) whatever the source — GitHub, Cloud Run and our clock all differ.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// The version of every `--json` shape (`status` and the commands); bumped on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Every RFC 3339 timestamp in `value` rewritten to whole seconds, UTC, `Z`.
pub fn normalize_times(value: &mut Value) {
    match value {
        Value::String(s) => {
            if s.len() >= 20
                && s.as_bytes().get(10) == Some(&b'T')
                && let Ok(t) = DateTime::parse_from_rfc3339(s)
            {
                *s = time(t.with_timezone(&Utc));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_times),
        Value::Object(map) => map.values_mut().for_each(normalize_times),
        _ => {}
    }
}
