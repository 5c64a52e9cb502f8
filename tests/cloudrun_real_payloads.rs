//! The Cloud Run provider against responses in the real API's exact shapes
//! (`tests/fixtures/real/cloudrun/`): ordinary deploys (LATEST traffic, full revision names,
//! filled `template.revision`), pinned traffic with tags and a sidecar before the ingress
//! container, enums as numbers, long-running operations in flight, done and failed, and errors
//! with details. The last test serves them over loopback to count requests and check paging.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use flightdeck::commands::wire::{Change, is_applied, modify, tag_canary};
use flightdeck::model::lane::{EnvValue, EnvVar};
use flightdeck::providers::auth::TokenSource;
use flightdeck::providers::cloudrun::{CloudRunClient, service_state};
use flightdeck::providers::cloudrun_error::from_body;
use flightdeck::providers::cloudrun_state::tag_uri;
use flightdeck::providers::cloudrun_wire::{
    self as wire, ListRevisionsResponse, Operation, Service,
};

fn text(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/real/cloudrun/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn service(name: &str) -> Service {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn revisions() -> Vec<wire::Revision> {
    let mut all = Vec::new();
    for page in ["revisions_page1.json", "revisions_page2.json"] {
        let page: ListRevisionsResponse = serde_json::from_str(&text(page)).unwrap();
        all.extend(page.revisions);
    }
    all
}

fn hello_revision() -> wire::Revision {
    serde_json::from_value(serde_json::json!({
        "name": "projects/acme-prod-4821/locations/us-central1/services/hello/revisions/hello-00002-xiz",
        "service": "hello",
        "createTime": "2024-05-15T16:40:22.038244Z",
        "containers": [{"image": "us-docker.pkg.dev/acme-prod-4821/apps/hello:1.4.2", "ports": [{"containerPort": 8080}]}],
        "conditions": [{"type": "Ready", "state": "CONDITION_SUCCEEDED"}]
    }))
    .unwrap()
}

#[test]
fn an_ordinary_deploy_serves_its_latest_ready_revision() {
    for name in ["service_latest.json", "service_latest_int_enums.json"] {
        let svc = service(name);
        let state = service_state(&svc, &[hello_revision()]);
        assert_eq!(state.version(), Some("1.4.2"), "{name}: not `?`");
        let primary = state.primary().expect("LATEST serves");
        assert_eq!(primary.revision, "hello-00002-xiz", "{name}");
        assert_eq!(primary.percent, 100);
        assert_eq!(state.latest_ready.as_deref(), Some("00002-xiz"));
        assert!(
            state.settled(),
            "{name}: CONDITION_SUCCEEDED as a name or as 4"
        );
        assert_eq!(state.generation, 2);
    }
}

#[test]
fn a_pinned_service_with_a_sidecar_and_tags() {
    let svc = service("service_pinned_sidecar.json");
    let state = service_state(&svc, &revisions());
    assert_eq!(state.split_text(), "00007-kal 90% · 00008-wok 10%");
    assert_eq!(state.version(), Some("2.6.3"));
    assert_eq!(
        state.image, "europe-docker.pkg.dev/acme-prod-4821/apps/shop:2.7.0",
        "the ingress container, not the sidecar"
    );
    let canary = &state.traffic[1];
    assert_eq!(
        (canary.version.as_str(), canary.tag.as_deref()),
        ("2.7.0", Some("canary"))
    );
    assert_eq!(
        tag_uri(&svc, "canary").as_deref(),
        Some("https://canary---shop-q2w3e4r5ta-ew.a.run.app")
    );
    let failed = state
        .revisions
        .iter()
        .find(|r| r.name == "shop-00009-bad")
        .unwrap();
    assert!(!failed.ready, "CONDITION_FAILED is not ready");
    assert_eq!(state.revisions[0].name, "shop-00009-bad", "newest first");
    // What the lane detail compares: the ingress container's env and limits, not the sidecar's.
    let template = state.template.expect("a Cloud Run service has a template");
    assert_eq!(template.image, state.image);
    assert_eq!(
        template.env,
        [
            EnvVar {
                name: "SPRING_PROFILES_ACTIVE".into(),
                value: EnvValue::Plain("prod".into()),
            },
            EnvVar {
                name: "DB_PASSWORD".into(),
                value: EnvValue::Secret {
                    secret: "shop-db-password".into(),
                    version: "3".into(),
                },
            },
        ]
    );
    assert_eq!(
        (
            template.min_instances,
            template.max_instances,
            template.concurrency
        ),
        (Some(1), Some(40), Some(80))
    );
    assert_eq!(
        (template.cpu.as_deref(), template.memory.as_deref()),
        (Some("2"), Some("1Gi"))
    );
}

#[test]
fn an_image_change_touches_the_ingress_container_only_and_keeps_everything_else() {
    let svc = service("service_pinned_sidecar.json");
    let image = "europe-docker.pkg.dev/acme-prod-4821/apps/shop:2.8.0";
    let change = Change::Image {
        image: image.into(),
        pin_to: Some(
            "projects/acme-prod-4821/locations/europe-west1/services/shop/revisions/shop-00007-kal"
                .into(),
        ),
    };
    assert!(!is_applied(&svc, &change));
    let (body, mask) = modify(&svc, &change).unwrap();
    assert_eq!(mask, None, "a template change sends the whole service");
    let before = serde_json::to_value(&svc).unwrap();
    let after = serde_json::to_value(&body).unwrap();
    let template = &after["template"];
    assert_eq!(template["containers"][1]["image"], image);
    assert_eq!(
        template["containers"][0], before["template"]["containers"][0],
        "the sidecar is untouched"
    );
    assert!(
        template.get("revision").is_none(),
        "a reused revision name would be refused"
    );
    for kept in [
        "volumes",
        "scaling",
        "vpcAccess",
        "serviceAccount",
        "executionEnvironment",
    ] {
        assert_eq!(template[kept], before["template"][kept], "{kept}");
    }
    assert_eq!(
        template["containers"][1]["env"],
        before["template"]["containers"][1]["env"]
    );
    for kept in [
        "ingress",
        "labels",
        "annotations",
        "customAudiences",
        "etag",
    ] {
        assert_eq!(after[kept], before[kept], "{kept}");
    }
    let traffic: Vec<(Option<&str>, Option<i64>, Option<&str>)> = after["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["revision"].as_str(),
                t["percent"].as_i64(),
                t["tag"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        traffic,
        vec![
            (Some("shop-00007-kal"), Some(100), None),
            (Some("shop-00006-fen"), None, Some("blue"))
        ],
        "pinned by short name; the user's tag kept, our old canary tag gone"
    );
}

#[test]
fn a_canary_split_is_tagged_and_sent_alone_with_update_mask_traffic() {
    let svc = service("service_pinned_sidecar.json");
    let change = tag_canary(
        Change::Traffic(vec![
            ("shop-00008-wok".into(), 10),
            ("shop-00007-kal".into(), 90),
        ]),
        Some(
            "projects/acme-prod-4821/locations/europe-west1/services/shop/revisions/shop-00008-wok",
        ),
    );
    assert!(
        is_applied(&svc, &change),
        "the fixture serves exactly this split, tag included"
    );
    let shift = tag_canary(
        Change::Traffic(vec![
            ("shop-00008-wok".into(), 50),
            ("shop-00007-kal".into(), 50),
        ]),
        Some("shop-00008-wok"),
    );
    let (body, mask) = modify(&svc, &shift).unwrap();
    assert_eq!(mask, Some("traffic"));
    let tags: Vec<(String, Option<String>)> = body
        .traffic
        .iter()
        .map(|t| (t.revision.clone().unwrap(), t.tag.clone()))
        .collect();
    assert_eq!(
        tags,
        vec![
            ("shop-00008-wok".into(), Some("canary".into())),
            ("shop-00007-kal".into(), None),
            ("shop-00006-fen".into(), Some("blue".into()))
        ]
    );
}

#[test]
fn operations_in_flight_done_and_failed() {
    let running: Operation = serde_json::from_str(&text("operation_running.json")).unwrap();
    assert!(!running.done && running.error.is_none());
    let meta: Service = serde_json::from_value(running.metadata.unwrap()).unwrap();
    let state = service_state(&meta, &revisions());
    assert!(state.reconciling && !state.settled());
    assert_eq!(state.latest_created.as_deref(), Some("00009-bad"));

    let done: Operation = serde_json::from_str(&text("operation_done.json")).unwrap();
    assert!(done.done && done.error.is_none());
    assert_eq!(
        done.response.unwrap()["@type"],
        "type.googleapis.com/google.cloud.run.v2.Service"
    );

    let failed: Operation = serde_json::from_str(&text("operation_failed.json")).unwrap();
    let error = failed.error.expect("an error");
    assert_eq!(error.code, 9, "FAILED_PRECONDITION as a number");
    assert!(error.message.contains("shop-00009-bad"));
    let meta: Service = serde_json::from_value(failed.metadata.unwrap()).unwrap();
    let state = service_state(&meta, &revisions());
    assert_eq!(
        state.condition.readiness,
        flightdeck::model::lane::Readiness::Failed
    );
    assert_eq!(
        state.version(),
        Some("2.6.3"),
        "traffic stayed where it was"
    );
}

#[test]
fn errors_with_details() {
    let limited = from_body(
        "GET",
        "https://run.googleapis.com/v2/x".into(),
        429,
        &text("error_rate_limited.json"),
        Some(5),
    );
    assert_eq!(limited.status.as_deref(), Some("RESOURCE_EXHAUSTED"));
    assert_eq!(
        limited.retry_after,
        Some(28),
        "RetryInfo.retryDelay 27.5s wins over Retry-After"
    );
    assert!(limited.retryable());
    let exists = from_body(
        "PATCH",
        "u".into(),
        409,
        &text("error_already_exists.json"),
        None,
    );
    assert_eq!(exists.status.as_deref(), Some("ALREADY_EXISTS"));
    assert!(!exists.retryable());
    let expired = from_body(
        "GET",
        "u".into(),
        401,
        &text("error_unauthenticated.json"),
        None,
    );
    assert!(
        expired.to_string().contains("gcloud auth login"),
        "{expired}"
    );
    let bad = from_body(
        "PATCH",
        "u".into(),
        400,
        &text("error_invalid_traffic.json"),
        None,
    );
    assert!(bad.message.contains("with traffic not found"));
}

type Seen = Arc<Mutex<Vec<String>>>;

async fn fixtures(State(seen): State<Seen>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    seen.lock().unwrap().push(format!("{path}?{query}"));
    let name = if path.ends_with("/revisions") {
        let token = query
            .split('&')
            .find_map(|p| p.strip_prefix("pageToken="))
            .map(|t| {
                t.replace("%2F", "/")
                    .replace("%2B", "+")
                    .replace("%3D", "=")
            });
        match token.as_deref() {
            None => "revisions_page1.json",
            Some("CkQKGnNob3AtMDAwMDgtd29rEiYKJGFiYy9kZWYrZ2hpPT0=") => "revisions_page2.json",
            Some(other) => panic!("page token mangled: {other}"),
        }
    } else {
        "service_pinned_sidecar.json"
    };
    ([("content-type", "application/json")], text(name)).into_response()
}

#[tokio::test]
async fn steady_state_costs_one_request_per_poll_and_page_tokens_are_encoded() {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(fixtures)
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = CloudRunClient::new(reqwest::Client::new(), &base, TokenSource::None);
    let name = "projects/acme-prod-4821/locations/europe-west1/services/shop";
    let first = client.fetch_state(name).await.unwrap();
    assert_eq!(first.revisions.len(), 3, "both pages");
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "service + two pages of revisions"
    );
    for _ in 0..5 {
        assert_eq!(client.clone().fetch_state(name).await.unwrap(), first);
    }
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        3 + 5,
        "one GET per poll while nothing changed: {requests:#?}"
    );
    assert!(
        requests[2].contains("pageToken=CkQKGnNob3AtMDAwMDgtd29rEiYKJGFiYy9kZWYrZ2hpPT0%3D"),
        "{}",
        requests[2]
    );
}

/// A command keeps what it read as data (`ReadValue::Json`) and its planner reads it back: the
/// real payloads come back the same, and make the same lane.
#[test]
fn real_services_and_revisions_kept_as_data_read_back_the_same() {
    let revisions = revisions();
    let kept = serde_json::to_value(&revisions).unwrap();
    let back: Vec<wire::Revision> = serde_json::from_value(kept).unwrap();
    assert_eq!(back, revisions);
    for name in [
        "service_latest.json",
        "service_latest_int_enums.json",
        "service_pinned_sidecar.json",
    ] {
        let svc = service(name);
        let back: Service = serde_json::from_value(serde_json::to_value(&svc).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, svc, "{name}");
        assert_eq!(
            flightdeck::providers::cloudrun::service_state(&back, &revisions),
            flightdeck::providers::cloudrun::service_state(&svc, &revisions),
            "{name}"
        );
    }
}
