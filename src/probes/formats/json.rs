//! The common ad-hoc JSON health (ASP.NET Core HealthChecks, many Node / Go / FastAPI services):
//! `{"status": "healthy"|"degraded"|"unhealthy", "checks": {name: {"status": …}}}`, the FastAPI
//! 503 wrapper `{"detail": {…}}`, `{"status":"ready"}`, `{"ready": true}` and plain-text words.

use serde_json::Value;

use super::body::{BodyHealth, note, short};
use crate::probes::outcome::MAX_CHECKS;
use crate::probes::{CheckDetail, Health};

/// Status words (case-insensitive) and booleans.
pub fn status_word(s: &str) -> Option<Health> {
    match s.trim().to_ascii_lowercase().as_str() {
        "healthy" | "ok" | "up" | "pass" | "passed" | "true" | "ready" | "alive" | "live"
        | "serving" | "green" => Some(Health::Pass),
        "degraded" | "warn" | "warning" | "yellow" => Some(Health::Warn),
        "unhealthy" | "down" | "fail" | "failed" | "failure" | "error" | "false" | "not ready"
        | "not_ready" | "notready" | "dead" | "not_serving" | "red" | "critical" => {
            Some(Health::Fail)
        }
        _ => None,
    }
}

fn value_health(v: &Value) -> Option<Health> {
    match v {
        Value::String(s) => status_word(s),
        Value::Bool(true) => Some(Health::Pass),
        Value::Bool(false) => Some(Health::Fail),
        _ => None,
    }
}

/// FastAPI's `HTTPException(503, detail=checks)` wraps the health object in `{"detail": …}`.
pub fn unwrap_detail(v: &Value) -> &Value {
    match v.get("detail") {
        Some(inner) if inner.is_object() && v.get("status").is_none() => inner,
        _ => v,
    }
}

pub fn parse(v: &Value) -> Result<BodyHealth, String> {
    let v = unwrap_detail(v);
    let Some(obj) = v.as_object() else {
        return match value_health(v) {
            Some(h) => Ok(word_body(h, &short(v))),
            None => Err(format!("JSON body is not a health object: {}", short(v))),
        };
    };
    let checks = obj
        .get("checks")
        .or_else(|| obj.get("entries"))
        .or_else(|| obj.get("results"))
        .map(checks)
        .unwrap_or_default();
    let stated = [
        "status", "state", "health", "ready", "healthy", "alive", "live", "ok",
    ]
    .iter()
    .find_map(|key| obj.get(*key).map(|v| (*key, v)));
    let (status, what) = match stated {
        Some((key, value)) => match value_health(value) {
            Some(h) => (h, format!("{key} {}", short(value))),
            None => (Health::Warn, format!("unknown {key} {}", short(value))),
        },
        // No top-level status: the worst check decides, if there are checks.
        None => match checks.iter().map(|c| c.status).max() {
            Some(h) => (h, "checks".to_string()),
            None => return Ok(BodyHealth::default()),
        },
    };
    Ok(BodyHealth {
        status: Some(status),
        note: Some(note(&what, &checks)),
        checks,
    })
}

/// A plain-text body that is one status word (`Healthy`, `ok`, `alive`).
pub fn parse_word(text: &str) -> Option<BodyHealth> {
    if text.len() > 40 || text.lines().count() > 1 {
        return None;
    }
    status_word(text).map(|h| word_body(h, text))
}

fn word_body(status: Health, word: &str) -> BodyHealth {
    BodyHealth {
        status: Some(status),
        checks: Vec::new(),
        note: Some(format!("body says {word}")),
    }
}

fn checks(v: &Value) -> Vec<CheckDetail> {
    let items: Vec<(String, &Value)> = match v {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = ["name", "check", "component", "key"]
                    .iter()
                    .find_map(|k| v.get(*k).and_then(Value::as_str))
                    .map_or_else(|| format!("#{}", i + 1), str::to_string);
                (name, v)
            })
            .collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .take(MAX_CHECKS)
        .map(|(name, v)| check(name, v))
        .collect()
}

fn check(name: String, v: &Value) -> CheckDetail {
    let status_value = v.get("status").or_else(|| v.get("healthy")).unwrap_or(v);
    let status = value_health(status_value).unwrap_or(Health::Warn);
    let message = [
        "error",
        "message",
        "description",
        "output",
        "reason",
        "exception",
    ]
    .iter()
    .find_map(|k| v.get(*k).filter(|m| !m.is_null()))
    .map(short)
    .or_else(|| {
        ["latency_ms", "duration", "responseTime"]
            .iter()
            .find_map(|k| v.get(*k).map(|m| format!("{k}={}", short(m))))
    });
    CheckDetail {
        name,
        status,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_map() {
        for (w, h) in [
            ("Healthy", Health::Pass),
            ("degraded", Health::Warn),
            ("UNHEALTHY", Health::Fail),
            ("ready", Health::Pass),
            ("alive", Health::Pass),
        ] {
            assert_eq!(status_word(w), Some(h), "{w}");
        }
        assert_eq!(status_word("bananas"), None);
    }

    #[test]
    fn fastapi_detail_is_unwrapped() {
        let b = parse(&json!({"detail": {"status": "unhealthy", "checks": {
            "database": {"status": "unhealthy", "error": "deadline exceeded"},
            "pubsub": {"status": "healthy"}}}}))
        .unwrap();
        assert_eq!(b.status, Some(Health::Fail));
        assert_eq!(b.checks[0].message.as_deref(), Some("deadline exceeded"));
        assert_eq!(
            b.note.as_deref(),
            Some("status unhealthy (not passing: database)")
        );
    }

    #[test]
    fn booleans_and_missing_status() {
        assert_eq!(
            parse(&json!({"ready": false})).unwrap().status,
            Some(Health::Fail)
        );
        assert_eq!(parse(&json!({"version": "1"})).unwrap().status, None);
        let worst = parse(
            &json!({"checks": [{"name": "a", "status": "ok"}, {"name": "b", "status": "degraded"}]}),
        );
        assert_eq!(worst.unwrap().status, Some(Health::Warn));
    }
}
