//! Every health format from fixture bodies: passing, failing and malformed, with auto-detection.

use flightdeck::probes::formats::{Response, evaluate};
use flightdeck::probes::{Health, ProbeFormat};

const HEALTH_JSON: &str = "application/health+json";
const ACTUATOR: &str = "application/vnd.spring-boot.actuator.v3+json";
const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/probes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (fixture, content type, HTTP status, format asked, verdict, format detected, checks, reason)
type Case = (
    &'static str,
    &'static str,
    u16,
    ProbeFormat,
    Health,
    ProbeFormat,
    usize,
    Option<&'static str>,
);

#[rustfmt::skip]
const CASES: &[Case] = {
    use Health::*;
    use ProbeFormat::*;
    &[
        // IETF: the top-level status wins, one check per node.
        ("ietf_pass.json", HEALTH_JSON, 200, Auto, Pass, Ietf, 2, None),
        ("ietf_warn.json", HEALTH_JSON, 200, Auto, Warn, Ietf, 3, Some("status warn (not passing: cpu:utilization [6fd416e0])")),
        ("ietf_fail.json", HEALTH_JSON, 503, Auto, Fail, Ietf, 1, Some("HTTP 503; status fail (not passing: postgres:connections)")),
        ("ietf_pass.json", JSON, 200, Auto, Pass, Ietf, 2, None),
        ("ietf_pass.json", JSON, 200, Ietf, Pass, Ietf, 2, None),
        // A pass body served with 503 violates the contract: the worse wins.
        ("ietf_pass.json", HEALTH_JSON, 503, Auto, Fail, Ietf, 2, Some("HTTP 503; body says pass")),
        // Actuator.
        ("actuator_up.json", ACTUATOR, 200, Auto, Pass, Actuator, 3, None),
        ("actuator_down.json", ACTUATOR, 503, Auto, Fail, Actuator, 3, Some("HTTP 503; status DOWN (not passing: db)")),
        ("actuator_down.json", JSON, 503, Auto, Fail, Actuator, 3, None),
        ("actuator_out_of_service.json", JSON, 503, Actuator, Fail, Actuator, 0, None),
        ("actuator_up.json", JSON, 200, Actuator, Pass, Actuator, 3, None),
        // Kubernetes verbose text: [-] lines are the failing checks.
        ("k8s_livez_pass.txt", TEXT, 200, Auto, Pass, K8s, 4, None),
        ("k8s_readyz_fail.txt", TEXT, 500, Auto, Fail, K8s, 5, Some("HTTP 500; check failed (not passing: etcd, poststarthook/rbac/bootstrap-roles)")),
        ("k8s_readyz_fail.txt", TEXT, 200, K8s, Fail, K8s, 5, None),
        ("k8s_livez_pass.txt", TEXT, 500, K8s, Fail, K8s, 4, Some("HTTP 500; body says pass")),
        // Common JSON, the FastAPI seed's /health, /readiness and /liveness.
        ("json_healthy.json", JSON, 200, Auto, Pass, Json, 3, None),
        ("json_degraded.json", JSON, 200, Auto, Warn, Json, 2, Some("status Degraded (not passing: redis)")),
        ("fastapi_503.json", JSON, 503, Auto, Fail, Json, 3, Some("HTTP 503; status unhealthy (not passing: database)")),
        ("fastapi_503.json", JSON, 503, Json, Fail, Json, 3, None),
        ("readiness.json", JSON, 200, Auto, Pass, Json, 0, None),
        ("liveness.json", JSON, 200, Auto, Pass, Json, 0, None),
        ("json_unhealthy_200.json", JSON, 200, Auto, Fail, Json, 1, Some("status unhealthy (not passing: db)")),
        ("plain_healthy.txt", TEXT, 200, Auto, Pass, Json, 0, None),
        // Malformed bodies.
        ("malformed.json", JSON, 200, Auto, Fail, Json, 0, Some("body is not JSON: EOF while parsing")),
        ("malformed.json", HEALTH_JSON, 200, Auto, Fail, Ietf, 0, Some("body is not JSON")),
        ("html_page.html", "text/html", 200, Json, Fail, Json, 0, Some("body is not JSON: expected value at line 1 column 1")),
        ("html_page.html", "text/html", 200, Actuator, Fail, Actuator, 0, Some("body is not JSON")),
        // Unrecognised body with auto: the HTTP code decides.
        ("html_page.html", "text/html", 200, Auto, Pass, Status, 0, None),
        ("html_page.html", "text/html", 302, Auto, Warn, Status, 0, Some("HTTP 302 (redirect not followed)")),
        ("html_page.html", "text/html", 404, Auto, Fail, Status, 0, Some("HTTP 404")),
        // Plain status: 2xx pass, anything else fail, body ignored.
        ("json_unhealthy_200.json", JSON, 204, Status, Pass, Status, 0, None),
        ("json_healthy.json", JSON, 301, Status, Fail, Status, 0, Some("HTTP 301")),
    ]
};

#[test]
fn fixtures_map_to_verdicts() {
    for &(name, content_type, http, format, want, detected, checks, reason) in CASES {
        let body = fixture(name);
        let resp = Response {
            http_status: http,
            content_type: Some(content_type),
            body: &body,
        };
        let got = evaluate(format, None, &resp);
        let label = format!("{name} as {format:?} with HTTP {http}: {got:?}");
        assert_eq!(got.status, want, "{label}");
        assert_eq!(got.format, detected, "{label}");
        assert_eq!(got.checks.len(), checks, "{label}");
        if let Some(want) = reason {
            let reason = got.reason.as_deref().unwrap_or("");
            assert!(reason.starts_with(want), "{label}");
        }
        if want == Health::Pass {
            assert_eq!(got.reason, None, "{label}");
        } else {
            assert!(got.reason.is_some(), "{label}");
        }
    }
}

#[test]
fn expected_status_overrides_the_format_default() {
    let body = fixture("json_healthy.json");
    let resp = Response {
        http_status: 200,
        content_type: Some(JSON),
        body: &body,
    };
    let got = evaluate(ProbeFormat::Auto, Some(204), &resp);
    assert_eq!(got.status, Health::Fail);
    assert!(
        got.reason
            .as_deref()
            .unwrap_or("")
            .starts_with("HTTP 200, expected 204"),
        "{got:?}"
    );
    let empty = Response {
        http_status: 204,
        content_type: None,
        body: b"",
    };
    assert_eq!(
        evaluate(ProbeFormat::Auto, Some(204), &empty).status,
        Health::Pass
    );
}

#[test]
fn check_details_carry_messages() {
    let body = fixture("fastapi_503.json");
    let resp = Response {
        http_status: 503,
        content_type: Some(JSON),
        body: &body,
    };
    let got = evaluate(ProbeFormat::Auto, None, &resp);
    let db = got
        .checks
        .iter()
        .find(|c| c.name == "database")
        .expect("database check");
    assert_eq!(db.status, Health::Fail);
    assert_eq!(
        db.message.as_deref(),
        Some("503 failed to connect to all addresses")
    );
    let body = fixture("k8s_readyz_fail.txt");
    let resp = Response {
        http_status: 500,
        content_type: Some(TEXT),
        body: &body,
    };
    let got = evaluate(ProbeFormat::Auto, None, &resp);
    let etcd = got
        .checks
        .iter()
        .find(|c| c.name == "etcd")
        .expect("etcd check");
    assert_eq!(
        (etcd.status, etcd.message.as_deref()),
        (Health::Fail, Some("reason withheld"))
    );
}

#[test]
fn hostile_bodies_never_panic() {
    let bodies: [&[u8]; 8] = [
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b"{\"status\": 42}",
        b"{\"checks\": {\"a\": [1, 2, \"x\"]}, \"status\": \"pass\"}",
        b"{\"components\": {\"a\": {\"components\": {\"b\": {\"components\": {\"c\": {\"components\": {\"d\": {\"components\": {}}}}}}}}}}",
        b"[-]\n[+]\n[-]x",
        b"{\"status\": \"UP\", \"components\": 7}",
    ];
    for format in [
        ProbeFormat::Auto,
        ProbeFormat::Ietf,
        ProbeFormat::Actuator,
        ProbeFormat::K8s,
        ProbeFormat::Json,
    ] {
        for body in bodies {
            let resp = Response {
                http_status: 200,
                content_type: Some(JSON),
                body,
            };
            let got = evaluate(format, None, &resp);
            if got.status != Health::Pass {
                assert!(got.reason.is_some(), "{format:?} {body:?}: {got:?}");
            }
        }
    }
}
