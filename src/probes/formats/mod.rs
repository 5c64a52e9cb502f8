//! Health-format parsers (API-CONTRACTS §4) and auto-detection. Pure: bytes in, verdict out.
//!
//! Every parser maps a body onto [`Health`] plus per-check details; [`evaluate`] combines that
//! with the HTTP status: the worse of the two wins, so a 200 whose body says fail is a failure
//! and a 503 whose body says pass is a failure too.

use serde_json::Value;

use super::{CheckDetail, Health, ProbeFormat};

pub mod actuator;
mod body;
pub mod ietf;
pub mod json;
pub mod k8s;

pub use body::{BodyHealth, note, short};

/// The parts of an HTTP response a parser looks at.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub http_status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// The verdict of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub status: Health,
    pub format: ProbeFormat,
    pub checks: Vec<CheckDetail>,
    pub reason: Option<String>,
}

/// Evaluates one response with the given format (`Auto` detects it).
pub fn evaluate(
    format: ProbeFormat,
    expect_status: Option<u16>,
    resp: &Response<'_>,
) -> Evaluation {
    let (http, mut reasons) = classify_http(format, expect_status, resp.http_status);
    let (format, body) = parse_body(format, resp);
    let (status, checks) = match body {
        Err(why) => {
            reasons.push(why);
            (Health::Fail, Vec::new())
        }
        Ok(b) => {
            let said = b.status.unwrap_or(Health::Pass);
            if said == Health::Pass && http == Health::Fail && b.status.is_some() {
                reasons.push("body says pass".into());
            }
            if let Some(note) = b.note.filter(|_| said != Health::Pass) {
                reasons.push(note);
            }
            (http.max(said), b.checks)
        }
    };
    let reason = (!reasons.is_empty()).then(|| reasons.join("; "));
    Evaluation {
        status,
        format,
        checks,
        reason,
    }
}

/// The HTTP status alone: an expected status when given, else 2xx pass, 3xx warn (undefined by
/// the formats), 4xx/5xx fail; for the plain `status` format anything but 2xx fails.
fn classify_http(format: ProbeFormat, expect: Option<u16>, code: u16) -> (Health, Vec<String>) {
    if let Some(want) = expect {
        return if code == want {
            (Health::Pass, Vec::new())
        } else {
            (Health::Fail, vec![format!("HTTP {code}, expected {want}")])
        };
    }
    match code {
        200..=299 => (Health::Pass, Vec::new()),
        300..=399 if format != ProbeFormat::Status => (
            Health::Warn,
            vec![format!("HTTP {code} (redirect not followed)")],
        ),
        _ => (Health::Fail, vec![format!("HTTP {code}")]),
    }
}

fn parse_body(
    format: ProbeFormat,
    resp: &Response<'_>,
) -> (ProbeFormat, Result<BodyHealth, String>) {
    let text = String::from_utf8_lossy(resp.body);
    let text = text.trim();
    match format {
        ProbeFormat::Status => (format, Ok(BodyHealth::default())),
        ProbeFormat::K8s => (format, Ok(k8s::parse(text))),
        ProbeFormat::Ietf => (format, parse_json(text).and_then(|v| ietf::parse(&v))),
        ProbeFormat::Actuator => (format, parse_json(text).and_then(|v| actuator::parse(&v))),
        ProbeFormat::Json => (format, parse_json(text).and_then(|v| json::parse(&v))),
        ProbeFormat::Auto => detect(resp.content_type, text),
    }
}

/// Auto-detection: content type first, then the body's shape; an unrecognised body leaves the
/// decision to the HTTP status.
fn detect(content_type: Option<&str>, text: &str) -> (ProbeFormat, Result<BodyHealth, String>) {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("application/health+json") {
        return (
            ProbeFormat::Ietf,
            parse_json(text).and_then(|v| ietf::parse(&v)),
        );
    }
    if ct.contains("vnd.spring-boot.actuator") {
        return (
            ProbeFormat::Actuator,
            parse_json(text).and_then(|v| actuator::parse(&v)),
        );
    }
    if text.is_empty() {
        return (ProbeFormat::Status, Ok(BodyHealth::default()));
    }
    let k8s_text = text.starts_with("[+]") || text.starts_with("[-]");
    if !k8s_text && (text.starts_with('{') || text.starts_with('[') || ct.contains("json")) {
        let value = match parse_json(text) {
            Ok(v) => v,
            Err(why) => return (ProbeFormat::Json, Err(why)),
        };
        let inner = json::unwrap_detail(&value);
        if actuator::looks_like(inner) {
            return (ProbeFormat::Actuator, actuator::parse(inner));
        }
        if ietf::looks_like(inner) {
            return (ProbeFormat::Ietf, ietf::parse(inner));
        }
        return (ProbeFormat::Json, json::parse(&value));
    }
    if k8s::looks_like(text) {
        return (ProbeFormat::K8s, Ok(k8s::parse(text)));
    }
    if let Some(b) = json::parse_word(text) {
        return (ProbeFormat::Json, Ok(b));
    }
    (ProbeFormat::Status, Ok(BodyHealth::default()))
}

/// Parses JSON; the error reads like `body is not JSON: expected value at line 1 column 1`.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("body is not JSON: {e}"))
}
