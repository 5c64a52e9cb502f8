//! End to end through the CLI commands over the sandbox in its ordinary-deploy configuration
//! (dev and staging serve LATEST with `template.revision` filled in, prod is pinned with a tagged
//! previous revision, every service has a sidecar before the ingress container, env, a secret, a
//! volume and scaling): trigger → promote → canary → rollback. Each change is applied once
//! (PATCHes counted in the sandbox), nothing of the service is lost, traffic ends where asked.
//! A source lane answering `200 {"status":"DOWN"}` refuses a promote and trips the guard.

use clap::Parser;
use flightdeck::cli::{Cli, exit};
use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::providers::cloudrun_wire::{self as wire, Service};
use flightdeck::sandbox::{self, RunningSandbox};
use serde_json::Value;

const PREFIX: &str = "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-";

async fn run(sandbox: &RunningSandbox, ledger: &std::path::Path, args: &[&str]) -> i32 {
    let addr = sandbox.addr.to_string();
    let ledger = ledger.display().to_string();
    let mut argv = vec!["flightdeck", "--profile", "sandbox", "--sandbox", &addr];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--ledger", &ledger]);
    flightdeck::cli::main(Cli::try_parse_from(argv).expect("valid arguments")).await
}

fn service(sandbox: &RunningSandbox, env: &str) -> Service {
    let now = sandbox.state.clock.now();
    let sim = sandbox.state.lock_cloudrun();
    sim.service_json(&format!("{PREFIX}{env}"), now).unwrap()
}

/// Accepted PATCHes per environment, in order: `(env, update mask)`.
fn patches(sandbox: &RunningSandbox) -> Vec<(String, Option<String>)> {
    let sim = sandbox.state.lock_cloudrun();
    assert!(
        sim.patch_log.iter().all(|p| p.accepted),
        "no PATCH was refused: {:?}",
        sim.patch_log
    );
    sim.patch_log
        .iter()
        .map(|p| {
            let env = p.service.trim_start_matches(PREFIX).to_string();
            (env, p.update_mask.clone())
        })
        .collect()
}

fn sign_prod(ledger: &std::path::Path, release: &str) {
    let profile = flightdeck::config::Profile::parse(
        std::path::Path::new("sandbox.toml"),
        flightdeck::config::profile::SANDBOX_PROFILE,
    )
    .unwrap();
    let ledger = Ledger::open(ledger).unwrap();
    for item in &profile.signoff.items {
        for (i, role) in profile.signoff.roles.iter().enumerate() {
            let actor = Actor {
                account: if i % 2 == 0 { "alice" } else { "bob" }.into(),
                uid: 1000,
                host: "bastion".into(),
                ssh_origin: None,
            };
            let payload = Payload::Signoff {
                env: "prod".into(),
                release: release.into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: Decision::Go,
                comment: None,
            };
            ledger.append(&actor, payload).unwrap();
        }
    }
}

/// What must survive every change: everything but the ingress image, the revision name and the
/// traffic shares.
fn kept(svc: &Service) -> Value {
    let mut template = serde_json::to_value(svc.template.as_ref().unwrap()).unwrap();
    let app = wire::ingress_index(&svc.template.as_ref().unwrap().containers).unwrap();
    template["containers"][app]["image"] = Value::Null;
    template["revision"] = Value::Null;
    let tags: Vec<(Option<String>, Option<String>)> = svc
        .traffic
        .iter()
        .filter(|t| t.tag.is_some())
        .map(|t| (t.tag.clone(), t.revision.clone()))
        .collect();
    let mut fields = svc.other.clone();
    fields.remove("updateTime");
    serde_json::json!({"template": template, "fields": fields, "tags": tags})
}

fn serving(svc: &Service) -> Vec<(Option<String>, Option<i32>, Option<String>)> {
    svc.traffic
        .iter()
        .map(|t| (t.kind.clone(), t.percent, t.revision.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_promote_canary_rollback_apply_each_change_once_and_lose_nothing() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let before: Vec<Service> = ["dev", "staging", "prod"]
        .iter()
        .map(|e| service(&sandbox, e))
        .collect();
    assert!(before[0].template.as_ref().unwrap().revision.is_some());
    assert_eq!(
        before[0].traffic[0].kind.as_deref(),
        Some(wire::TRAFFIC_LATEST)
    );
    let prod_before =
        wire::last_segment(before[2].latest_ready_revision.as_deref().unwrap()).to_string();

    assert_eq!(
        run(&sandbox, &ledger, &["trigger", "1.5.0"]).await,
        exit::OK
    );
    assert_eq!(
        run(&sandbox, &ledger, &["promote", "dev", "staging", "--yes"]).await,
        exit::OK
    );
    assert_eq!(
        run(&sandbox, &ledger, &["promote", "dev", "staging", "--yes"]).await,
        exit::OK,
        "nothing to promote is not an error"
    );
    sign_prod(&ledger, "1.5.0");
    let promote = ["promote", "staging", "prod", "--yes", "--bake-secs", "1"];
    assert_eq!(run(&sandbox, &ledger, &promote).await, exit::OK);
    let after_canary = service(&sandbox, "prod");
    let new =
        wire::last_segment(after_canary.latest_ready_revision.as_deref().unwrap()).to_string();
    assert_ne!(new, prod_before);
    assert_eq!(
        run(&sandbox, &ledger, &["rollback", "prod", "--yes"]).await,
        exit::OK
    );

    let traffic = Some("traffic".to_string());
    assert_eq!(
        patches(&sandbox),
        vec![
            ("dev".into(), None),
            ("staging".into(), None),
            ("prod".into(), None),
            ("prod".into(), traffic.clone()),
            ("prod".into(), traffic.clone()),
            ("prod".into(), traffic.clone()),
            ("prod".into(), traffic.clone()),
        ],
        "one PATCH per change, none for the promote of what staging already runs"
    );

    let after: Vec<Service> = ["dev", "staging", "prod"]
        .iter()
        .map(|e| service(&sandbox, e))
        .collect();
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(kept(a), kept(b), "{}: nothing lost", a.name);
        assert_eq!(a.template.as_ref().unwrap().containers.len(), 2);
    }
    let image = |s: &Service| wire::ingress_image(&s.template.as_ref().unwrap().containers);
    assert!(image(&after[0]).ends_with(":1.5.0") && image(&after[1]).ends_with(":1.5.0"));
    let latest = (Some(wire::TRAFFIC_LATEST.to_string()), Some(100), None);
    assert_eq!(serving(&after[0]), vec![latest.clone()], "dev: 100% latest");
    assert_eq!(serving(&after[1]), vec![latest], "staging: 100% latest");
    let pinned: Vec<_> = serving(&after[2])
        .into_iter()
        .filter(|(_, p, _)| p.unwrap_or(0) > 0)
        .collect();
    assert_eq!(
        pinned,
        vec![(
            Some(wire::TRAFFIC_REVISION.to_string()),
            Some(100),
            Some(prod_before)
        )],
        "prod: rolled back where it was"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_answering_200_down_refuses_a_promote_and_trips_the_guard() {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    assert_eq!(
        run(&sandbox, &ledger, &["trigger", "1.6.0-down"]).await,
        exit::OK
    );
    let staging_before = service(&sandbox, "staging");
    assert_eq!(
        run(&sandbox, &ledger, &["promote", "dev", "staging", "--yes"]).await,
        exit::REFUSED,
        "dev answers 200 {{\"status\":\"DOWN\"}}: not green"
    );
    assert_eq!(
        service(&sandbox, "staging").generation,
        staging_before.generation
    );
    // Past the gate by an override, the canary in prod is judged the same way.
    let override_args = [
        "promote",
        "dev",
        "staging",
        "--yes",
        "--override-reason",
        "exercise the guard",
    ];
    assert_eq!(run(&sandbox, &ledger, &override_args).await, exit::OK);
    sign_prod(&ledger, "1.6.0-down");
    let prod_before = service(&sandbox, "prod");
    let promote = [
        "promote",
        "staging",
        "prod",
        "--yes",
        "--bake-secs",
        "5",
        "--override-reason",
        "exercise the guard",
    ];
    assert_eq!(
        run(&sandbox, &ledger, &promote).await,
        exit::FAILURE,
        "aborted by the guard"
    );
    let prod = service(&sandbox, "prod");
    let serving: Vec<_> = prod
        .traffic
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(|t| (t.revision.clone(), t.percent))
        .collect();
    assert_eq!(
        serving,
        vec![(
            Some(
                wire::last_segment(prod_before.latest_ready_revision.as_deref().unwrap())
                    .to_string()
            ),
            Some(100)
        )]
    );
    let log = Ledger::open(&ledger).unwrap().read_all().unwrap();
    let aborted = log.iter().any(|e| {
        matches!(&e.payload, Payload::CommandOutcome { ok: false, detail, .. }
            if detail.to_string().contains("auto-rollback"))
    });
    assert!(aborted, "the ledger says the guard rolled it back");
}
