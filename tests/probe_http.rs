//! One probe against a misbehaving loopback server: every failure is an outcome with a reason.

mod probe_support;

use std::time::Duration;

use flightdeck::probes::http::{default_client, probe_once};
use flightdeck::probes::{Health, ProbeFormat, ResolvedProbe};
use probe_support::{Behaviour, fixture, serve};

fn probe(url: String, timeout_ms: u64) -> ResolvedProbe {
    let mut p = ResolvedProbe::get(url);
    p.timeout = Duration::from_millis(timeout_ms);
    p
}

fn routes() -> Vec<(&'static str, Behaviour)> {
    let json = |status, name: &str| Behaviour::Respond {
        status,
        content_type: "application/json",
        body: fixture(name),
    };
    vec![
        ("/health", json(200, "json_healthy.json")),
        ("/fastapi", json(503, "fastapi_503.json")),
        ("/lying", json(200, "json_unhealthy_200.json")),
        ("/hang", Behaviour::Hang),
        ("/reset", Behaviour::Reset),
        ("/garbage", Behaviour::Garbage),
        ("/big", Behaviour::Big(5 * 1024 * 1024)),
        ("/echo-secret", json(401, "malformed.json")),
    ]
}

#[tokio::test]
async fn failures_become_reasons_never_panics_or_hangs() {
    let server = serve(routes()).await;
    let client = default_client().expect("client");
    // (path, timeout, want status, want http, reason starts with)
    let table: [(&str, u64, Health, Option<u16>, &str); 8] = [
        ("/health", 2000, Health::Pass, Some(200), ""),
        (
            "/fastapi",
            2000,
            Health::Fail,
            Some(503),
            "HTTP 503; status unhealthy (not passing: database)",
        ),
        ("/lying", 2000, Health::Fail, Some(200), "status unhealthy"),
        ("/hang", 300, Health::Fail, None, "timeout after 300 ms"),
        ("/reset", 2000, Health::Fail, None, "connection reset"),
        ("/garbage", 2000, Health::Fail, None, "request failed: "),
        ("/big", 5000, Health::Fail, Some(200), "body over 64 KiB"),
        ("/missing", 2000, Health::Fail, Some(404), "HTTP 404"),
    ];
    for (path, timeout, want, http, reason) in table {
        let out = probe_once(&client, &probe(server.url(path), timeout)).await;
        assert_eq!(out.status, want, "{path}: {out:?}");
        assert_eq!(out.http_status, http, "{path}: {out:?}");
        let got = out.reason.clone().unwrap_or_default();
        assert!(got.starts_with(reason), "{path}: {got:?}");
        assert!(!got.contains("127.0.0.1"), "reasons carry no URL: {got}");
        assert!(out.body.chars().count() <= 2048);
    }
}

#[tokio::test]
async fn refused_connection_is_a_failure() {
    // Bind then drop to get a loopback port nobody listens on.
    let port = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        l.local_addr().expect("addr").port()
    };
    let client = default_client().expect("client");
    let out = probe_once(
        &client,
        &probe(format!("http://127.0.0.1:{port}/health"), 2000),
    )
    .await;
    assert_eq!(out.status, Health::Fail);
    assert_eq!(out.reason.as_deref(), Some("connection refused"));
}

#[tokio::test]
async fn header_values_never_leak_into_reasons() {
    let server = serve(routes()).await;
    let client = default_client().expect("client");
    let mut p = probe(server.url("/echo-secret"), 2000);
    p.headers
        .push(("Authorization".into(), "Bearer sup3r-s3cret".into()));
    p.format = ProbeFormat::Json;
    let out = probe_once(&client, &p).await;
    assert_eq!(out.status, Health::Fail);
    assert!(!format!("{out:?}").contains("sup3r-s3cret"));
    // An invalid header value is reported by name only.
    p.headers = vec![("X-Token".into(), "bad\nvalue-s3cret".into())];
    let out = probe_once(&client, &p).await;
    assert_eq!(
        out.reason.as_deref(),
        Some("invalid value for header X-Token")
    );
}

#[tokio::test]
async fn status_format_skips_the_body() {
    let server = serve(routes()).await;
    let client = default_client().expect("client");
    let mut p = probe(server.url("/big"), 5000);
    p.format = ProbeFormat::Status;
    let out = probe_once(&client, &p).await;
    assert_eq!(
        (out.status, out.http_status),
        (Health::Pass, Some(200)),
        "{out:?}"
    );
}
