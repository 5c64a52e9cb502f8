//! The Cloud Run provider against the sandbox over loopback, with every request body the
//! provider sends and every response the sandbox gives checked against the discovery document.

mod support {
    pub mod discovery;
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use flightdeck::providers::auth::TokenSource;
use flightdeck::providers::cloudrun::CloudRunClient;
use flightdeck::providers::cloudrun_wire::{Service, TrafficTarget};
use flightdeck::providers::retry::RetryPolicy;
use flightdeck::sandbox::faults::FaultRule;
use flightdeck::sandbox::{SandboxState, router};
use serde_json::Value;
use support::discovery::Discovery;

const PROD: &str = "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-prod";

#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    request: Vec<u8>,
    status: u16,
    response: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Exchange>>>;

async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let (method, path) = (parts.method.to_string(), parts.uri.path().to_string());
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    let (rparts, rbody) = response.into_parts();
    let rbody = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    log.lock().unwrap().push(Exchange {
        method,
        path,
        request: body.to_vec(),
        status: rparts.status.as_u16(),
        response: rbody.to_vec(),
    });
    Response::from_parts(rparts, Body::from(rbody))
}

/// A sandbox at `speed` on 127.0.0.1:0 behind a recorder; returns (client, state, log, base URL).
async fn sandbox(speed: f64) -> (CloudRunClient, Arc<SandboxState>, Log, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(SandboxState::new(speed, &base));
    let log: Log = Arc::default();
    let app =
        router(state.clone()).layer(axum::middleware::from_fn_with_state(log.clone(), record));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = CloudRunClient::new(reqwest::Client::new(), &base, TokenSource::None);
    (client, state, log, base)
}

fn schema_for(exchange: &Exchange) -> Option<&'static str> {
    let p = exchange.path.as_str();
    match exchange.method.as_str() {
        "GET" if p.ends_with("/revisions") => Some("GoogleCloudRunV2ListRevisionsResponse"),
        "GET" if p.contains("/operations/") => Some("GoogleLongrunningOperation"),
        "GET" if p.contains("/services/") => Some("GoogleCloudRunV2Service"),
        "PATCH" => Some("GoogleLongrunningOperation"),
        _ => None,
    }
}

/// Every exchange so far is valid against the discovery document.
fn assert_wire_valid(log: &Log) {
    let discovery = Discovery::cloud_run();
    let log = log.lock().unwrap();
    assert!(!log.is_empty());
    for exchange in log.iter().filter(|e| e.path.starts_with("/v2/")) {
        if exchange.method == "PATCH" {
            let body: Value = serde_json::from_slice(&exchange.request).unwrap();
            let problems = discovery.validate("GoogleCloudRunV2Service", &body);
            assert!(
                problems.is_empty(),
                "PATCH body {}: {problems:?}",
                exchange.path
            );
        }
        if exchange.status == 200 {
            let schema =
                schema_for(exchange).unwrap_or_else(|| panic!("unexpected {}", exchange.path));
            let body: Value = serde_json::from_slice(&exchange.response).unwrap();
            let problems = discovery.validate(schema, &body);
            assert!(
                problems.is_empty(),
                "{} {}: {problems:?}",
                exchange.method,
                exchange.path
            );
        }
    }
}

/// Cloud Run gives `latestReadyRevision` as a full name; traffic names revisions by the short one.
fn short(full: Option<&str>) -> String {
    flightdeck::providers::cloudrun_wire::last_segment(full.unwrap()).to_string()
}

/// The sandbox's services have a sidecar before the ingress container.
fn ingress(service: &Service) -> usize {
    flightdeck::providers::cloudrun_wire::ingress_index(
        &service.template.as_ref().unwrap().containers,
    )
    .unwrap()
}

async fn wait_done(client: &CloudRunClient, operation: &str) -> Value {
    for _ in 0..400 {
        let op = client.get_operation(operation).await.unwrap();
        if op.done {
            return op.response.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("operation {operation} never finished");
}

#[tokio::test]
async fn three_lanes_are_read_from_the_sandbox() {
    let (client, _, log, _) = sandbox(20.0).await;
    for (env, version) in [("dev", "1.4.2"), ("staging", "1.4.1"), ("prod", "1.4.0")] {
        let name = format!(
            "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-{env}"
        );
        let state = client.fetch_state(&name).await.unwrap();
        assert_eq!(state.version(), Some(version), "{env}");
        assert!(state.settled());
        assert_eq!(state.split_text().matches('%').count(), 1);
        assert!(state.revisions.len() >= 3, "{env} has past revisions");
    }
    assert_wire_valid(&log);
}

#[tokio::test]
async fn a_new_image_makes_a_new_revision_through_a_long_running_operation() {
    let (client, _, log, _) = sandbox(2000.0).await;
    let mut service: Service = client.get_service(PROD).await.unwrap();
    let before = client.list_revisions(PROD).await.unwrap().len();
    let app = ingress(&service);
    let image = service.template.as_ref().unwrap().containers[app]
        .image
        .replace("1.4.0", "1.5.0");
    service.template.as_mut().unwrap().containers[app].image = image;
    let current = short(service.latest_ready_revision.as_deref());
    service.traffic = vec![TrafficTarget::to_revision(&current, 100)];
    let op = client.patch_service(&service, None).await.unwrap();
    assert!(!op.done);
    let during = client.fetch_state(PROD).await.unwrap();
    assert!(
        during.reconciling && !during.settled(),
        "the lane sees the operation in flight"
    );
    let response = wait_done(&client, &op.name).await;
    assert_eq!(
        response["@type"],
        "type.googleapis.com/google.cloud.run.v2.Service"
    );
    let after = client.fetch_state(PROD).await.unwrap();
    assert_eq!(client.list_revisions(PROD).await.unwrap().len(), before + 1);
    assert_eq!(after.revisions[0].version, "1.5.0");
    assert_eq!(
        after.version(),
        Some("1.4.0"),
        "no traffic moved to the new revision yet"
    );
    assert!(after.settled());
    assert_wire_valid(&log);
}

#[tokio::test]
async fn traffic_splits_show_in_the_lane_and_in_which_revision_answers_health() {
    let (client, _, log, base) = sandbox(2000.0).await;
    let mut service = client.get_service(PROD).await.unwrap();
    let app = ingress(&service);
    let image = service.template.as_ref().unwrap().containers[app]
        .image
        .replace("1.4.0", "1.5.0-bad");
    service.template.as_mut().unwrap().containers[app].image = image;
    let old = short(service.latest_ready_revision.as_deref());
    service.traffic = vec![TrafficTarget::to_revision(&old, 100)];
    let op = client.patch_service(&service, None).await.unwrap();
    wait_done(&client, &op.name).await;
    let mut service = client.get_service(PROD).await.unwrap();
    let new = short(service.latest_ready_revision.as_deref());
    service.traffic = vec![
        TrafficTarget::to_revision(&new, 50),
        TrafficTarget::to_revision(&old, 50),
    ];
    let op = client
        .patch_service(&service, Some("traffic"))
        .await
        .unwrap();
    wait_done(&client, &op.name).await;
    let state = client.fetch_state(PROD).await.unwrap();
    let split: Vec<(String, u8)> = state
        .traffic
        .iter()
        .map(|s| (s.version.clone(), s.percent))
        .collect();
    assert_eq!(
        split,
        vec![("1.5.0-bad".to_string(), 50), ("1.4.0".to_string(), 50)]
    );
    let uri = state.uri.unwrap();
    assert!(uri.starts_with(&base));
    let (mut healthy, mut unhealthy) = (0, 0);
    for _ in 0..200 {
        let response = reqwest::get(format!("{uri}/health")).await.unwrap();
        match response.status().as_u16() {
            200 => healthy += 1,
            503 => {
                let body: Value = response.json().await.unwrap();
                assert_eq!(
                    body["detail"]["status"], "unhealthy",
                    "FastAPI wraps the 503 body in detail"
                );
                unhealthy += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        healthy > 40 && unhealthy > 40,
        "both revisions answer: {healthy} / {unhealthy}"
    );
    assert_wire_valid(&log);
}

#[tokio::test]
async fn errors_name_the_url_and_say_what_to_do() {
    let (client, _, _, base) = sandbox(20.0).await;
    let missing = "projects/clarity-sandbox/locations/us-central1/services/nope";
    let error = client.get_service(missing).await.unwrap_err();
    assert_eq!(error.http, Some(404));
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("GET {base}/v2/{missing}: HTTP 404 NOT_FOUND")),
        "{text}"
    );
    assert!(text.contains("check project, region and service"), "{text}");

    reqwest::Client::new()
        .post(format!("{base}/_sandbox/faults"))
        .body(r#"{"throttle_next": 1, "retry_after_secs": 30}"#)
        .send()
        .await
        .unwrap();
    let throttled = client.get_service(PROD).await.unwrap_err();
    // A wait longer than the retry policy's limit is handed back, not slept through.
    assert_eq!(
        (throttled.http, throttled.retry_after),
        (Some(429), Some(30))
    );
    assert!(throttled.retryable());
    assert!(
        client.get_service(PROD).await.is_ok(),
        "only the next request was throttled"
    );

    let closed = CloudRunClient::new(
        reqwest::Client::new(),
        "http://127.0.0.1:9",
        TokenSource::None,
    );
    let unreachable = closed.get_service(PROD).await.unwrap_err().to_string();
    assert!(
        unreachable.starts_with("GET http://127.0.0.1:9/v2/"),
        "{unreachable}"
    );
    assert!(
        unreachable.contains("is the API reachable"),
        "{unreachable}"
    );
}

/// Sets the sandbox's fault rules (`KIND@PATTERN#COUNT` specs).
fn set_faults(state: &SandboxState, specs: &[&str]) {
    state.lock_faults().rules = specs
        .iter()
        .map(|spec| FaultRule::parse(spec).unwrap())
        .collect();
}

#[tokio::test]
async fn every_get_shares_one_retry_policy_and_never_retries_a_patch() {
    // Without the recorder, which would turn a cut-off body into a complete empty one.
    let running = flightdeck::sandbox::start("127.0.0.1:0".parse().unwrap(), 20.0)
        .await
        .unwrap();
    let state = running.state.clone();
    let client = CloudRunClient::new(
        reqwest::Client::new(),
        &running.base_url(),
        TokenSource::None,
    );
    let client = client.with_retry(
        RetryPolicy {
            base: Duration::from_millis(20),
            ..RetryPolicy::GET
        },
        None,
    );
    // The revision list (never retried before) rides out two 503s.
    set_faults(&state, &["error:503@/v2/*/revisions#2"]);
    let lane = client
        .fetch_state(PROD)
        .await
        .expect("retried past two 503s");
    assert!(!lane.revisions.is_empty());
    assert_eq!(state.requests_seen("GET", "*/revisions"), 3);
    assert_eq!(
        state.requests_seen("GET", "*/services/clarity-backend-prod"),
        1
    );
    // A 502 HTML page from a proxy, a reset and a cut-off body: each retried, then answered.
    for (spec, path) in [
        (
            "error:502:html@*/clarity-backend-dev#1",
            "*/clarity-backend-dev",
        ),
        (
            "reset@*/clarity-backend-staging#1",
            "*/clarity-backend-staging",
        ),
        (
            "truncated@*/clarity-backend-prod#1",
            "*/clarity-backend-prod",
        ),
    ] {
        set_faults(&state, &[spec]);
        let name = PROD.replace("clarity-backend-prod", &path[2..]);
        let before = state.requests_seen("GET", path);
        client.get_service(&name).await.expect(spec);
        assert_eq!(state.requests_seen("GET", path) - before, 2, "{spec}");
    }
    // RetryInfo (1 s) is honoured: the second try waits at least that long.
    set_faults(&state, &["throttle:1:retryinfo@*/clarity-backend-prod#1"]);
    let started = std::time::Instant::now();
    client.get_service(PROD).await.expect("after RetryInfo");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // A 404 is final: one request.
    let before = state.requests_seen("GET", "*/services/nope");
    let missing = PROD.replace("clarity-backend-prod", "nope");
    assert_eq!(
        client.get_service(&missing).await.unwrap_err().http,
        Some(404)
    );
    assert_eq!(state.requests_seen("GET", "*/services/nope") - before, 1);
    // A PATCH whose answer is lost is not re-sent by the client: the command engine re-reads.
    let service = client.get_service(PROD).await.unwrap();
    set_faults(&state, &["error:503@*/clarity-backend-prod#1"]);
    let patches = state.requests_seen("PATCH", "*");
    let error = client.patch_service(&service, None).await.unwrap_err();
    assert_eq!(error.http, Some(503));
    assert_eq!(
        state.requests_seen("PATCH", "*") - patches,
        1,
        "no PATCH retried"
    );
    // Attempts run out: the error names what failed.
    set_faults(&state, &["error:503@*/clarity-backend-prod"]);
    let before = state.requests_seen("GET", "*/clarity-backend-prod");
    let error = client.get_service(PROD).await.unwrap_err();
    assert_eq!(error.http, Some(503));
    assert_eq!(
        state.requests_seen("GET", "*/clarity-backend-prod") - before,
        3
    );
}

#[tokio::test]
async fn a_bad_traffic_split_is_refused_like_google_does() {
    let (client, _, _, _) = sandbox(20.0).await;
    let mut service = client.get_service(PROD).await.unwrap();
    let current = service.latest_ready_revision.clone().unwrap();
    service.traffic = vec![TrafficTarget::to_revision(&current, 60)];
    let error = client
        .patch_service(&service, Some("traffic"))
        .await
        .unwrap_err();
    assert_eq!(error.http, Some(400));
    assert_eq!(error.status.as_deref(), Some("INVALID_ARGUMENT"));
    assert!(error.message.contains("add up to 60"), "{}", error.message);
}

#[test]
fn the_validator_rejects_what_google_would() {
    let discovery = Discovery::cloud_run();
    let bad = serde_json::json!({
        "name": "s",
        "generation": 3,
        "trafic": [],
        "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_NEWEST", "percent": "10"}],
        "createTime": "yesterday"
    });
    let problems = discovery.validate("GoogleCloudRunV2Service", &bad);
    let expected = [
        "$.generation: expected string",
        "$.trafic: not a field of this schema",
        "$.traffic[0].type: `TRAFFIC_TARGET_ALLOCATION_TYPE_NEWEST` is not one of the enum values",
        "$.traffic[0].percent: expected integer",
        "$.createTime: `yesterday` is not an RFC 3339 time",
    ];
    for want in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(want)),
            "missing {want:?} in {problems:?}"
        );
    }
}

#[tokio::test]
async fn the_api_requires_a_bearer_token_when_the_sandbox_says_so() {
    let (_, _, _, base) = sandbox(20.0).await;
    let rule = serde_json::json!({"tokens": ["ya29.good"], "expired": ["ya29.old"]});
    let set = reqwest::Client::new()
        .post(format!("{base}/_sandbox/cloudrun/auth"))
        .body(rule.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let bare = reqwest::get(format!("{base}/v2/{PROD}")).await.unwrap();
    assert_eq!(bare.status(), 401);
    let body: Value = bare.json().await.unwrap();
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["details"][0]["reason"], "CREDENTIALS_MISSING");
    let token = |t: &str| TokenSource::Static(flightdeck::providers::auth::Secret::new(t));
    let expired = CloudRunClient::new(reqwest::Client::new(), &base, token("ya29.old"));
    let refused = expired.get_service(PROD).await.unwrap_err();
    assert_eq!(refused.http, Some(401));
    assert!(
        refused.to_string().contains("gcloud auth login"),
        "{refused}"
    );
    assert!(
        !refused.to_string().contains("ya29"),
        "the token never shows"
    );
    let good = CloudRunClient::new(reqwest::Client::new(), &base, token("ya29.good"));
    assert!(good.fetch_state(PROD).await.unwrap().settled());
    let probe = reqwest::get(format!("{base}/apps/clarity-backend-prod/health"))
        .await
        .unwrap();
    assert_eq!(probe.status(), 200, "the services themselves stay public");
}

/// `auth = "google"` through Google's own credential code: the sandbox's metadata server mints
/// short-lived tokens, the API accepts them until they expire, and the process's credentials
/// fetch a fresh one before the old one runs out — with no 401 on the way.
#[tokio::test]
async fn google_tokens_come_from_the_metadata_server_and_are_refreshed_before_expiry() {
    use flightdeck::providers::auth::{GoogleAuth, GoogleOrigin};
    let (_, state, log, base) = sandbox(20.0).await;
    // Under four minutes of life the crate refreshes every 10 s: 15 s leaves 5 s to spare.
    state.lock_google_auth().rule = Some(
        flightdeck::sandbox::google_auth::AuthRule::metadata_tokens(15),
    );
    let unflavored = reqwest::get(format!(
        "{base}/computeMetadata/v1/instance/service-accounts/default/token"
    ))
    .await
    .unwrap();
    assert_eq!(
        unflavored.status(),
        403,
        "the real server wants Metadata-Flavor"
    );
    let before = state.lock_google_auth().minted.len();
    let auth = Arc::new(GoogleAuth::new(GoogleOrigin::MetadataServer {
        endpoint: Some(base.clone()),
    }));
    let client = CloudRunClient::new(
        reqwest::Client::new(),
        &base,
        TokenSource::Google(Arc::clone(&auth)),
    );
    assert!(client.fetch_state(PROD).await.unwrap().settled());
    let first = auth.token().await.unwrap();
    assert_eq!(
        state.lock_google_auth().minted.len(),
        before + 1,
        "one token, cached across calls"
    );
    let first_expiry = state.lock_google_auth().minted[before].1;
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    let second = loop {
        let token = auth.token().await.unwrap();
        if token.expose() != first.expose() {
            break token;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no refresh within 40 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let minted = state.lock_google_auth().minted.clone();
    let refreshed_at = minted
        .iter()
        .find(|(t, _)| t == second.expose())
        .map(|(_, exp)| *exp - Duration::from_secs(15))
        .unwrap();
    assert!(
        refreshed_at < first_expiry,
        "the new token was fetched before the old one expired"
    );
    assert!(client.fetch_state(PROD).await.unwrap().settled());
    let refusals: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|x| x.status == 401)
        .map(|x| x.path.clone())
        .collect();
    assert!(refusals.is_empty(), "no call was refused: {refusals:?}");
    let stale = CloudRunClient::new(
        reqwest::Client::new(),
        &base,
        TokenSource::Static(first.clone()),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let refused = loop {
        match stale.get_service(PROD).await {
            Err(e) => break e,
            Ok(_) => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "an expired token still works"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    assert_eq!(refused.http, Some(401), "{refused}");
    assert!(!refused.to_string().contains("ya29"), "{refused}");
}
