//! IETF draft-inadarei-api-health-check (`application/health+json`).
//!
//! `status` (pass|ok|up, warn, fail|error|down; case-insensitive) is required and wins;
//! `checks` maps `"component:measurement"` to an array of check objects, one per node.

use serde_json::{Map, Value};

use super::body::{BodyHealth, note, short};
use crate::probes::outcome::MAX_CHECKS;
use crate::probes::{CheckDetail, Health};

/// The IETF status words.
pub fn status_word(s: &str) -> Option<Health> {
    match s.to_ascii_lowercase().as_str() {
        "pass" | "ok" | "up" => Some(Health::Pass),
        "warn" => Some(Health::Warn),
        "fail" | "error" | "down" => Some(Health::Fail),
        _ => None,
    }
}

/// A JSON object whose `checks` values are arrays is IETF-shaped.
pub fn looks_like(v: &Value) -> bool {
    v.get("checks")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty() && m.values().all(Value::is_array))
}

pub fn parse(v: &Value) -> Result<BodyHealth, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| "health+json body is not an object".to_string())?;
    let checks = obj
        .get("checks")
        .and_then(Value::as_object)
        .map(checks)
        .unwrap_or_default();
    let (status, what) = match obj.get("status") {
        Some(Value::String(s)) => match status_word(s) {
            Some(h) => (h, format!("status {s}")),
            None => (Health::Warn, format!("unknown status {s:?}")),
        },
        Some(other) => (
            Health::Warn,
            format!("status is not a string: {}", short(other)),
        ),
        None => return Err("health+json body has no status".into()),
    };
    let note = note(&what, &checks);
    Ok(BodyHealth {
        status: Some(status),
        checks,
        note: Some(note),
    })
}

fn checks(map: &Map<String, Value>) -> Vec<CheckDetail> {
    let mut out = Vec::new();
    for (name, entries) in map {
        let list: Vec<&Value> = match entries {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let many = list.len() > 1;
        for (i, entry) in list.into_iter().enumerate() {
            if out.len() >= MAX_CHECKS {
                return out;
            }
            out.push(check(name, i, many, entry));
        }
    }
    out
}

fn check(name: &str, index: usize, many: bool, entry: &Value) -> CheckDetail {
    let status = match entry.get("status").and_then(Value::as_str) {
        Some(s) => status_word(s).unwrap_or(Health::Warn),
        None => Health::Warn,
    };
    let name = if many {
        let node = entry
            .get("componentId")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", index + 1), str::to_string);
        format!("{name} [{node}]")
    } else {
        name.to_string()
    };
    let mut parts = Vec::new();
    if let Some(kind) = entry.get("componentType").and_then(Value::as_str) {
        parts.push(kind.to_string());
    }
    if let Some(value) = entry.get("observedValue") {
        let unit = entry
            .get("observedUnit")
            .and_then(Value::as_str)
            .unwrap_or("");
        parts.push(format!("{} {unit}", short(value)).trim_end().to_string());
    }
    if let Some(output) = entry.get("output").filter(|o| !o.is_null()) {
        parts.push(short(output));
    }
    CheckDetail {
        name,
        status,
        message: (!parts.is_empty()).then(|| parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_status_aliases_case_insensitively() {
        for (word, want) in [
            ("PASS", Health::Pass),
            ("ok", Health::Pass),
            ("Up", Health::Pass),
            ("warn", Health::Warn),
            ("fail", Health::Fail),
            ("ERROR", Health::Fail),
            ("down", Health::Fail),
        ] {
            let b = parse(&json!({"status": word})).unwrap();
            assert_eq!(b.status, Some(want), "{word}");
        }
        assert_eq!(
            parse(&json!({"status": "meh"})).unwrap().status,
            Some(Health::Warn)
        );
        assert!(parse(&json!({"checks": {}})).is_err());
    }

    #[test]
    fn one_check_per_node_with_observed_values() {
        let b = parse(&json!({"status": "warn", "checks": {
            "cpu:utilization": [{"componentId": "a", "componentType": "system", "observedValue": 85,
                                 "observedUnit": "percent", "status": "warn"},
                                {"componentId": "b", "status": "pass"}]}}))
        .unwrap();
        assert_eq!(b.checks.len(), 2);
        assert_eq!(b.checks[0].name, "cpu:utilization [a]");
        assert_eq!(b.checks[0].message.as_deref(), Some("system, 85 percent"));
        assert_eq!(b.checks[1].status, Health::Pass);
        assert_eq!(
            b.note.as_deref(),
            Some("status warn (not passing: cpu:utilization [a])")
        );
    }
}
