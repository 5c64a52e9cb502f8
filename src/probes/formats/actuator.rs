//! Spring Boot Actuator `/actuator/health`: `status` UP / DOWN / OUT_OF_SERVICE / UNKNOWN (or a
//! custom code) with nested `components`, flattened to `group/name` checks.

use serde_json::{Map, Value};

use super::body::{BodyHealth, note, short};
use crate::probes::outcome::MAX_CHECKS;
use crate::probes::{CheckDetail, Health};

/// UP → pass; DOWN, OUT_OF_SERVICE → fail; UNKNOWN or a custom code → warn.
pub fn status_word(s: &str) -> Health {
    match s.to_ascii_uppercase().as_str() {
        "UP" => Health::Pass,
        "DOWN" | "OUT_OF_SERVICE" => Health::Fail,
        _ => Health::Warn,
    }
}

/// Actuator-shaped: a `components` object, or an upper-case actuator status word.
pub fn looks_like(v: &Value) -> bool {
    v.get("components").is_some_and(Value::is_object)
        || matches!(
            v.get("status").and_then(Value::as_str),
            Some("UP" | "DOWN" | "OUT_OF_SERVICE" | "UNKNOWN")
        )
}

pub fn parse(v: &Value) -> Result<BodyHealth, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| "actuator body is not an object".to_string())?;
    let word = obj
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| "actuator body has no status".to_string())?;
    let mut checks = Vec::new();
    if let Some(components) = obj.get("components").and_then(Value::as_object) {
        flatten("", components, &mut checks, 0);
    }
    Ok(BodyHealth {
        status: Some(status_word(word)),
        note: Some(note(&format!("status {word}"), &checks)),
        checks,
    })
}

fn flatten(prefix: &str, components: &Map<String, Value>, out: &mut Vec<CheckDetail>, depth: u8) {
    for (name, component) in components {
        if out.len() >= MAX_CHECKS {
            return;
        }
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let nested = component.get("components").and_then(Value::as_object);
        match nested {
            // A group: its members are the checks (depth bounded against hostile bodies).
            Some(children) if depth < 4 => flatten(&full, children, out, depth + 1),
            _ => {
                let word = component
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("UNKNOWN");
                out.push(CheckDetail {
                    name: full,
                    status: status_word(word),
                    message: message(component.get("details")),
                });
            }
        }
    }
}

fn message(details: Option<&Value>) -> Option<String> {
    let details = details.and_then(Value::as_object)?;
    if let Some(error) = details.get("error") {
        return Some(short(error));
    }
    let pairs: Vec<String> = details
        .iter()
        .take(3)
        .map(|(k, v)| format!("{k}={}", short(v)))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_codes() {
        assert_eq!(status_word("UP"), Health::Pass);
        assert_eq!(status_word("DOWN"), Health::Fail);
        assert_eq!(status_word("OUT_OF_SERVICE"), Health::Fail);
        assert_eq!(status_word("UNKNOWN"), Health::Warn);
        assert_eq!(status_word("PARTIAL"), Health::Warn);
    }

    #[test]
    fn flattens_groups_and_reports_errors() {
        let b = parse(&json!({"status": "DOWN", "components": {
            "db": {"status": "DOWN", "details": {"error": "Connection refused"}},
            "ping": {"status": "UP"},
            "readiness": {"status": "UP", "components": {"disk": {"status": "UP", "details": {"free": 1}}}}
        }}))
        .unwrap();
        assert_eq!(b.status, Some(Health::Fail));
        let names: Vec<&str> = b.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["db", "ping", "readiness/disk"]);
        assert_eq!(b.checks[0].message.as_deref(), Some("Connection refused"));
        assert_eq!(b.note.as_deref(), Some("status DOWN (not passing: db)"));
    }
}
