//! One probe over a shared `reqwest::Client`: the only place a single probe does I/O.
//! Never panics and never hangs: the whole exchange (connect, headers, body) is bounded by the
//! probe's timeout, the body by its cap, and every error becomes an outcome with a reason.
//! Reasons never contain header values or the URL (which may carry a token).

use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method};

use super::formats::{Response, evaluate};
use super::outcome::{KEPT_BODY_CHARS, keep_body};
use super::{Health, ProbeFormat, ProbeOutcome, ResolvedProbe};

/// The shared client the engine and the CLI use: connection pool, no redirects (a redirect is
/// reported, per API-CONTRACTS §4 an undefined 3xx is a warning), bounded connect time.
pub fn default_client() -> Result<Client, String> {
    client(false)
}

/// The probe client; without TLS roots when every probed URL is plain HTTP on loopback.
pub fn client(loopback_only: bool) -> Result<Client, String> {
    crate::net::builder(loopback_only)
        .user_agent(concat!("flightdeck-probe/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", describe(&e)))
}

/// Runs one probe now. Always returns; at most `probe.timeout` (plus scheduling slack) later.
pub async fn probe_once(client: &Client, probe: &ResolvedProbe) -> ProbeOutcome {
    let started = Instant::now();
    let timeout_ms = probe.timeout.as_millis();
    let outcome = match tokio::time::timeout(probe.timeout, exchange(client, probe)).await {
        Ok(Ok(raw)) => finish(probe, raw, started.elapsed()),
        Ok(Err(reason)) => ProbeOutcome::no_response(started.elapsed(), reason),
        Err(_) => {
            ProbeOutcome::no_response(started.elapsed(), format!("timeout after {timeout_ms} ms"))
        }
    };
    outcome.redacted()
}

struct Raw {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    over_cap: bool,
}

async fn exchange(client: &Client, probe: &ResolvedProbe) -> Result<Raw, String> {
    let method = Method::from_bytes(probe.method.as_bytes())
        .map_err(|_| format!("invalid HTTP method {:?}", probe.method))?;
    if probe
        .headers
        .iter()
        .any(|(name, _)| crate::redact::is_sensitive_header(name))
    {
        crate::net::credential_may_go_to(&probe.url)?;
    }
    let request = client
        .request(method, &probe.url)
        .headers(headers(probe)?)
        .timeout(probe.timeout)
        .build()
        .map_err(|e| format!("invalid request: {}", describe(&e)))?;
    let fail = |e: reqwest::Error| {
        if e.is_timeout() {
            format!("timeout after {} ms", probe.timeout.as_millis())
        } else {
            describe(&e)
        }
    };
    let mut response = client.execute(request).await.map_err(fail)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let skip_body = probe.format == ProbeFormat::Status;
    let mut body = Vec::new();
    let mut over_cap = false;
    if !skip_body {
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            let room = probe.body_cap.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if chunk.len() > room {
                // Stop reading; dropping the response closes this connection.
                over_cap = true;
                break;
            }
        }
    }
    Ok(Raw {
        status,
        content_type,
        body,
        over_cap,
    })
}

fn headers(probe: &ResolvedProbe) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in &probe.headers {
        let key = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        // The value may be a secret: the error names only the header.
        let mut val =
            HeaderValue::from_str(value).map_err(|_| format!("invalid value for header {name}"))?;
        val.set_sensitive(true);
        map.append(key, val);
    }
    Ok(map)
}

fn finish(probe: &ResolvedProbe, raw: Raw, latency: Duration) -> ProbeOutcome {
    let kept = keep_body(&raw.body, KEPT_BODY_CHARS);
    if raw.over_cap {
        return ProbeOutcome {
            http_status: Some(raw.status),
            latency,
            status: Health::Fail,
            format: None,
            checks: Vec::new(),
            reason: Some(format!(
                "body over {} KiB (HTTP {})",
                probe.body_cap / 1024,
                raw.status
            )),
            body: kept,
        };
    }
    let resp = Response {
        http_status: raw.status,
        content_type: raw.content_type.as_deref(),
        body: &raw.body,
    };
    let eval = evaluate(probe.format, probe.expect_status, &resp);
    ProbeOutcome {
        http_status: Some(raw.status),
        latency,
        status: eval.status,
        format: Some(eval.format),
        checks: eval.checks,
        reason: eval.reason,
        body: kept,
    }
}

/// A reqwest error in words, without the URL: the I/O cause when there is one
/// ("connection refused", "connection reset"), otherwise the innermost message.
pub fn describe(err: &reqwest::Error) -> String {
    if crate::net::speaks_no_tls(err) {
        return "the server does not speak TLS (is it a plain http:// endpoint?)".into();
    }
    let mut source = err.source();
    let mut innermost = None;
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            let known = match io.kind() {
                ConnectionRefused => Some("connection refused"),
                ConnectionReset => Some("connection reset"),
                ConnectionAborted => Some("connection aborted"),
                UnexpectedEof => Some("connection closed early"),
                TimedOut => Some("connect timed out"),
                _ => None,
            };
            if let Some(k) = known {
                return k.to_string();
            }
        }
        innermost = Some(e.to_string());
        source = e.source();
    }
    let head = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else if err.is_body() || err.is_decode() {
        "error reading the body"
    } else {
        "request failed"
    };
    match innermost {
        Some(inner) => format!("{head}: {inner}"),
        None => head.to_string(),
    }
}
