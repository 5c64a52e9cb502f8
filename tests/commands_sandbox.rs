//! End to end against the embedded sandbox over loopback: trigger → dev → staging → prod through
//! the canary, a bad canary aborted by hand and by the guard, rollback, and a PATCH timeout that
//! must not deploy twice. Every PATCH body is captured by a recording proxy and checked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use flightdeck::commands::driver::{self, Control, DriveOptions};
use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::commands::run::{Context, Request as Cmd, execute};
use flightdeck::commands::wire::Target;
use flightdeck::commands::{Progress, ProgressSink, TriggerVia, WireOptions};
use flightdeck::config::Profile;
use flightdeck::config::profile::SANDBOX_PROFILE;
use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::model::rollout::{Phase, Rollout};
use flightdeck::model::rollout_drive::{Drive, DriveEvent};
use flightdeck::providers::cloudrun::CloudRunClient;
use flightdeck::providers::cloudrun_wire as wire;
use flightdeck::sandbox::{self, RunningSandbox};

type Recorded = Arc<Mutex<Vec<String>>>;

/// Forwards `/v2/…` to the sandbox and records every PATCH body.
async fn proxy(
    State((upstream, recorded)): State<(String, Recorded)>,
    request: Request,
) -> Response {
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let body: Bytes = axum::body::to_bytes(request.into_body(), 10 << 20)
        .await
        .unwrap_or_default();
    if method == Method::PATCH {
        recorded
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&body).into_owned());
    }
    let client = reqwest::Client::new();
    let m = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let answer = client
        .request(m, format!("{upstream}{path}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    match answer {
        Ok(r) => {
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
            (status, r.bytes().await.unwrap_or_default()).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn start_proxy(upstream: String, recorded: Recorded) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(proxy)
        .with_state((upstream, recorded));
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}")
}

fn actor(name: &str) -> Actor {
    Actor {
        account: name.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

struct World {
    sandbox: RunningSandbox,
    _dir: tempfile::TempDir,
    ctx: Context,
}

async fn world(api_base: Option<String>) -> World {
    let sandbox = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut profile =
        Profile::parse(std::path::Path::new("sandbox.toml"), SANDBOX_PROFILE).unwrap();
    let base = api_base.unwrap_or_else(|| sandbox.base_url());
    for env in &mut profile.environments {
        env.cloudrun.as_mut().unwrap().base_url = Some(base.clone());
    }
    let ctx = Context {
        profile,
        http: reqwest::Client::new(),
        actor: actor("carol"),
        ledger_path: dir.path().join("ledger.jsonl"),
        read_only: false,
        wire: WireOptions {
            call_timeout: Duration::from_secs(5),
            poll_initial: Duration::from_millis(50),
            poll_max: Duration::from_millis(200),
            op_deadline: Duration::from_secs(60),
            max_attempts: 6,
            backoff_base: Duration::from_millis(50),
        },
        probe_every: Some(Duration::from_millis(20)),
        progress: flightdeck::commands::quiet(),
        yes: true,
        override_reason: None,
        confirm: None,
        control: Default::default(),
        release: Default::default(),
        lease: Duration::from_secs(5),
        github_token: Default::default(),
    };
    World {
        sandbox,
        _dir: dir,
        ctx,
    }
}

/// alice and bob sign every cell of prod's grid GO for `release`.
fn sign_prod(ctx: &Context, release: &str) {
    let ledger = Ledger::open(&ctx.ledger_path).unwrap();
    for item in &ctx.profile.signoff.items {
        for (i, role) in ctx.profile.signoff.roles.iter().enumerate() {
            let payload = Payload::Signoff {
                env: "prod".into(),
                release: release.into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: Decision::Go,
                comment: None,
            };
            ledger
                .append(&actor(if i % 2 == 0 { "alice" } else { "bob" }), payload)
                .unwrap();
        }
    }
}

fn revisions(w: &World, env: &str) -> usize {
    let name =
        format!("projects/clarity-sandbox/locations/us-central1/services/clarity-backend-{env}");
    w.sandbox
        .state
        .lock_cloudrun()
        .service(&name)
        .unwrap()
        .revisions
        .len()
}

fn serving(w: &World, env: &str) -> Vec<(String, i32)> {
    let name =
        format!("projects/clarity-sandbox/locations/us-central1/services/clarity-backend-{env}");
    w.sandbox
        .state
        .lock_cloudrun()
        .service(&name)
        .unwrap()
        .serving
        .clone()
}

fn assert_done(o: &Outcome) {
    assert_eq!(o.status, Status::Done, "{}", o.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_then_promote_to_prod_through_the_canary_then_roll_back() {
    let recorded: Recorded = Arc::default();
    let mut w = world(None).await;
    let proxy = start_proxy(w.sandbox.base_url(), recorded.clone()).await;
    for env in &mut w.ctx.profile.environments {
        env.cloudrun.as_mut().unwrap().base_url = Some(proxy.clone());
    }
    let ctx = &w.ctx;
    let prod_before = serving(&w, "prod")[0].0.clone();
    assert_done(
        &execute(
            ctx,
            Cmd::Trigger {
                version: "1.5.0".into(),
                via: TriggerVia::CloudRun,
            },
        )
        .await,
    );
    assert_done(
        &execute(
            ctx,
            Cmd::Promote {
                from: "dev".into(),
                to: "staging".into(),
                bake_secs: None,
            },
        )
        .await,
    );
    sign_prod(ctx, "1.5.0");
    let prod = execute(
        ctx,
        Cmd::Promote {
            from: "staging".into(),
            to: "prod".into(),
            bake_secs: Some(0),
        },
    )
    .await;
    assert_done(&prod);
    let new = prod.to_revision.clone().unwrap();
    assert_eq!(serving(&w, "prod"), vec![(new.clone(), 100)]);

    // The canary's PATCHes: new image pinned to the old revision, then 10, 50, 100. An image
    // change sends the full object from GET; a traffic change sends only `{traffic}`
    // (`updateMask=traffic`), the canary tagged so the guard can probe it alone.
    let bodies: Vec<serde_json::Value> = recorded
        .lock()
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).expect("JSON"))
        .collect();
    assert_eq!(
        bodies.len(),
        2 + 4,
        "one PATCH each for dev and staging, four for prod"
    );
    for body in [&bodies[0], &bodies[1], &bodies[2]] {
        let service: wire::Service = serde_json::from_value(body.clone()).unwrap();
        assert!(
            service.uid.is_some() && service.generation.is_some() && service.uri.is_some(),
            "the full object from GET"
        );
        let containers = &service.template.as_ref().unwrap().containers;
        assert_eq!(containers.len(), 2, "the sidecar is kept");
        assert_eq!(
            wire::ingress_image(containers),
            "us-docker.pkg.dev/clarity-sandbox/clarity/clarity-backend:1.5.0"
        );
    }
    let splits: Vec<Vec<(String, i32, Option<String>)>> = bodies[2..]
        .iter()
        .map(|b| {
            let traffic: Vec<wire::TrafficTarget> =
                serde_json::from_value(b["traffic"].clone()).unwrap();
            traffic
                .into_iter()
                .map(|t| (t.revision.unwrap(), t.percent.unwrap_or(0), t.tag))
                .collect()
        })
        .collect();
    for body in &bodies[3..] {
        assert_eq!(body.as_object().unwrap().len(), 1, "only traffic: {body}");
    }
    let previous = Some("previous".to_string());
    let canary = Some("canary".to_string());
    let prod_older = |splits: &Vec<Vec<(String, i32, Option<String>)>>| splits[0][1].0.clone();
    let older = prod_older(&splits);
    assert_eq!(
        splits,
        vec![
            vec![
                (prod_before.clone(), 100, None),
                (older.clone(), 0, previous.clone())
            ],
            vec![
                (new.clone(), 10, canary.clone()),
                (prod_before.clone(), 90, None),
                (older.clone(), 0, previous.clone())
            ],
            vec![
                (new.clone(), 50, canary.clone()),
                (prod_before.clone(), 50, None),
                (older.clone(), 0, previous.clone())
            ],
            vec![
                (new.clone(), 100, None),
                (older.clone(), 0, previous.clone())
            ]
        ]
    );

    // Every command is in the ledger before its outcome, with the same request id.
    let entries = Ledger::open(&ctx.ledger_path).unwrap().read_all().unwrap();
    let commands: Vec<(u64, String)> = entries
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Command { request_id, .. } => Some((e.seq, request_id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(commands.len(), 3);
    for (seq, id) in &commands {
        let outcome = entries.iter().find(|e| matches!(&e.payload, Payload::CommandOutcome { request_id, ok: true, .. } if request_id == id)).expect("an outcome");
        assert!(outcome.seq > *seq);
    }

    let rollback = execute(
        ctx,
        Cmd::Rollback {
            env: "prod".into(),
            to: None,
        },
    )
    .await;
    assert_done(&rollback);
    assert_eq!(rollback.to_revision.as_deref(), Some(prod_before.as_str()));
    assert!(
        rollback.healthy_after_secs.unwrap() < 120.0,
        "seed 003: sub-2-minute rollback"
    );
    assert_eq!(serving(&w, "prod"), vec![(prod_before, 100)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_canary_is_rolled_back_by_the_guard_and_the_override_is_recorded() {
    let mut w = world(None).await;
    assert_done(
        &execute(
            &w.ctx,
            Cmd::Trigger {
                version: "9.9.9-bad".into(),
                via: TriggerVia::CloudRun,
            },
        )
        .await,
    );
    sign_prod(&w.ctx, "9.9.9-bad");
    let old = serving(&w, "prod")[0].0.clone();
    let refused = execute(
        &w.ctx,
        Cmd::Promote {
            from: "dev".into(),
            to: "prod".into(),
            bake_secs: Some(1),
        },
    )
    .await;
    assert_eq!(
        refused.status,
        Status::Refused,
        "dev's probes fail: {}",
        refused.message
    );
    w.ctx.override_reason = Some("testing the guard".into());
    let o = execute(
        &w.ctx,
        Cmd::Promote {
            from: "dev".into(),
            to: "prod".into(),
            bake_secs: Some(1),
        },
    )
    .await;
    assert_eq!(o.status, Status::Aborted, "{}", o.message);
    assert!(
        o.message
            .contains("auto-rollback: 3 consecutive failing probes"),
        "{}",
        o.message
    );
    assert_eq!(serving(&w, "prod"), vec![(old, 100)]);
    let entries = Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap();
    assert!(entries.iter().any(|e| matches!(&e.payload, Payload::Override { gate, reason, .. } if gate == "source_green" && reason == "testing the guard")));
    let outcome = entries
        .iter()
        .rev()
        .find_map(|e| match &e.payload {
            Payload::CommandOutcome { ok, detail, .. } => Some((*ok, detail.clone())),
            _ => None,
        })
        .unwrap();
    assert!(!outcome.0);
    assert!(
        outcome.1["phase"]["reason"]
            .as_str()
            .unwrap()
            .contains("auto-rollback")
    );
    // A rollback now goes to the revision before the one serving, never to the aborted canary.
    let before = serving(&w, "prod")[0].0.clone();
    let rolled = execute(
        &w.ctx,
        Cmd::Rollback {
            env: "prod".into(),
            to: None,
        },
    )
    .await;
    assert_done(&rolled);
    let now = serving(&w, "prod");
    assert_ne!(now[0].0, before);
    assert!(!rolled.to_revision.unwrap_or_default().is_empty());
    assert!(
        !rolled.release.unwrap_or_default().contains("bad"),
        "the aborted bad canary is newer than what served: not a rollback target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_canary_is_aborted_by_hand() {
    let w = world(None).await;
    let target = Target {
        env: "prod".into(),
        client: CloudRunClient::new(
            reqwest::Client::new(),
            &w.sandbox.base_url(),
            flightdeck::providers::auth::TokenSource::None,
        ),
        service: "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-prod"
            .into(),
    };
    let old = serving(&w, "prod")[0].0.clone();
    let image = "us-docker.pkg.dev/clarity-sandbox/clarity/clarity-backend:9.9.9-bad";
    let rollout = Rollout::new(
        "req-hand",
        "prod",
        &old,
        image,
        vec![10, 50, 100],
        30,
        None,
        chrono::Utc::now(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    // The operator presses abort as soon as the first bake starts.
    let progress: ProgressSink = Arc::new(move |p: &Progress| {
        if matches!(p, Progress::Baking { percent: 10, .. }) {
            let _ = tx.try_send(Control::Abort("503s from the canary".into()));
        }
    });
    let opts = DriveOptions {
        wire: w.ctx.wire.clone(),
        probe_every: Duration::from_millis(20),
        health: None,
        http: reqwest::Client::new(),
    };
    let ledger = driver::DriveLedger {
        ledger: Ledger::open(&w.ctx.ledger_path).unwrap().into(),
        actor: w.ctx.actor.clone(),
    };
    let mut drive = Drive::new(rollout, "test driver", chrono::Duration::seconds(5));
    let hands = driver::Hands {
        controls: Some(&mut rx),
        release: None,
    };
    driver::drive(
        &target,
        &mut drive,
        DriveEvent::Start,
        &opts,
        &ledger,
        hands,
        &progress,
    )
    .await;
    let rollout = drive.rollout;
    assert_eq!(
        rollout.phase,
        Phase::Aborted {
            reason: "503s from the canary".into()
        }
    );
    assert_eq!(serving(&w, "prod"), vec![(old, 100)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_timeout_during_promote_does_not_deploy_twice() {
    let mut w = world(None).await;
    w.ctx.wire.call_timeout = Duration::from_millis(300);
    let state = w.sandbox.state.clone();
    let (slowed, uncertain) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let (s, u) = (slowed.clone(), uncertain.clone());
    // The first PATCH answers after the client gave up; the fault is lifted once we noticed.
    w.ctx.progress = Arc::new(move |p: &Progress| match p {
        Progress::Sending { .. } if !s.swap(true, Ordering::SeqCst) => {
            state.lock_faults().slow_ms = 1000
        }
        Progress::Uncertain { .. } => {
            u.store(true, Ordering::SeqCst);
            state.lock_faults().slow_ms = 0;
        }
        _ => {}
    });
    let before = revisions(&w, "staging");
    let o = execute(
        &w.ctx,
        Cmd::Promote {
            from: "dev".into(),
            to: "staging".into(),
            bake_secs: None,
        },
    )
    .await;
    assert_done(&o);
    assert!(uncertain.load(Ordering::SeqCst), "the PATCH timed out");
    // Let a late-landing first PATCH (if the server still applies it) finish, then count.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        revisions(&w, "staging"),
        before + 1,
        "exactly one new revision"
    );
    assert_eq!(serving(&w, "staging").len(), 1);
}

#[tokio::test]
async fn a_command_that_fails_reading_state_is_recorded_with_its_outcome() {
    let w = world(None).await;
    w.sandbox
        .state
        .lock_faults()
        .rules
        .push(flightdeck::sandbox::faults::FaultRule::parse("error:400@/v2/*").unwrap());
    let o = execute(
        &w.ctx,
        Cmd::Promote {
            from: "dev".into(),
            to: "staging".into(),
            bake_secs: None,
        },
    )
    .await;
    assert!(!o.ok(), "{o:?}");
    let id = o.request_id.clone().expect("the attempt has a request id");
    let entries = Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap();
    let kinds: Vec<(&str, bool)> = entries
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Command {
                request_id, action, ..
            } if *request_id == id => Some((action.as_str(), true)),
            Payload::CommandOutcome { request_id, ok, .. } if *request_id == id => {
                Some(("outcome", *ok))
            }
            _ => None,
        })
        .collect();
    assert_eq!(kinds, [("promote", true), ("outcome", false)]);
}

#[tokio::test]
async fn without_yes_a_prod_change_is_confirmed_through_the_callers_prompt_and_refused_without_one()
{
    let mut w = world(None).await;
    w.ctx.yes = false;
    let rollback = || Cmd::Rollback {
        env: "prod".into(),
        to: None,
    };
    let before = serving(&w, "prod");

    // No prompt (the cockpit confirmed in its dialog, a script passed no --yes): refused.
    let o = execute(&w.ctx, rollback()).await;
    assert_eq!(o.status, Status::Refused, "{}", o.message);
    assert_eq!(serving(&w, "prod"), before, "nothing was sent");

    // The caller's prompt is asked with the environment's name; "no" refuses.
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let answer = Arc::new(AtomicBool::new(false));
    let (log, said) = (asked.clone(), answer.clone());
    w.ctx.confirm = Some(Arc::new(move |env: &str| {
        log.lock().unwrap().push(env.to_string());
        said.load(Ordering::SeqCst)
    }));
    let o = execute(&w.ctx, rollback()).await;
    assert_eq!(o.status, Status::Refused, "{}", o.message);
    assert_eq!(serving(&w, "prod"), before, "nothing was sent");

    answer.store(true, Ordering::SeqCst);
    let o = execute(&w.ctx, rollback()).await;
    assert_done(&o);
    assert_ne!(serving(&w, "prod"), before, "the rollback was applied");
    assert_eq!(*asked.lock().unwrap(), ["prod", "prod"]);
}

/// The prod promotes recorded in the ledger.
fn prod_promotes(w: &World) -> usize {
    Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .read_all()
        .unwrap()
        .iter()
        .filter(|e| {
            matches!(&e.payload, Payload::Command { action, env, .. } if action == "promote" && env == "prod")
        })
        .count()
}

/// The gates read the ledger, then the typed confirmation waits for a human: what is appended
/// meanwhile is not passed over. A GO withdrawn while the name is typed refuses the promote
/// once typed; any other entry only makes the command decide again (the record refuses to go
/// after an entry the decision did not rest on).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_appended_while_the_name_is_typed_are_decided_on_before_anything_is_sent() {
    let mut w = world(None).await;
    for (from, to) in [(None, "dev"), (Some("dev"), "staging")] {
        let request = match from {
            None => Cmd::Trigger {
                version: "1.5.0".into(),
                via: TriggerVia::CloudRun,
            },
            Some(from) => Cmd::Promote {
                from: from.into(),
                to: to.into(),
                bake_secs: None,
            },
        };
        assert_done(&execute(&w.ctx, request).await);
    }
    sign_prod(&w.ctx, "1.5.0");
    let notes = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = notes.clone();
    w.ctx.progress = Arc::new(move |p: &Progress| {
        if let Progress::Note { text, .. } = p {
            seen.lock().unwrap().push(text.clone());
        }
    });
    w.ctx.yes = false;
    let asked = Arc::new(Mutex::new(0usize));
    let ledger_path = w.ctx.ledger_path.clone();
    let typing = |then: Payload| {
        let (asked, path) = (asked.clone(), ledger_path.clone());
        let then = Mutex::new(Some(then));
        Arc::new(move |_: &str| {
            *asked.lock().unwrap() += 1;
            if let Some(payload) = then.lock().unwrap().take() {
                Ledger::open(&path)
                    .unwrap()
                    .append(&actor("alice"), payload)
                    .unwrap();
            }
            true
        })
    };
    let promote = || Cmd::Promote {
        from: "staging".into(),
        to: "prod".into(),
        bake_secs: Some(0),
    };
    let signoff = |decision: Decision, comment: Option<&str>| Payload::Signoff {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: w.ctx.profile.signoff.items[0].clone(),
        role: w.ctx.profile.signoff.roles[0].name.clone(),
        decision,
        comment: comment.map(str::to_string),
    };
    let before = serving(&w, "prod");

    w.ctx.confirm = Some(typing(signoff(
        Decision::NoGo,
        Some("smoke fails on 1.5.0"),
    )));
    let o = execute(&w.ctx, promote()).await;
    assert_eq!(o.status, Status::Refused, "{}", o.message);
    assert!(o.message.to_lowercase().contains("sign"), "{}", o.message);
    assert_eq!(serving(&w, "prod"), before, "nothing was sent");
    assert_eq!(prod_promotes(&w), 0, "nothing was recorded");
    assert_eq!(*asked.lock().unwrap(), 1, "refused on what was typed over");

    // alice signs GO again; while the name is typed someone only comments.
    Ledger::open(&w.ctx.ledger_path)
        .unwrap()
        .append(&actor("alice"), signoff(Decision::Go, None))
        .unwrap();
    *asked.lock().unwrap() = 0;
    let comment = Payload::Comment {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: w.ctx.profile.signoff.items[0].clone(),
        role: w.ctx.profile.signoff.roles[0].name.clone(),
        text: "watching the dashboards".into(),
    };
    w.ctx.confirm = Some(typing(comment));
    let o = execute(&w.ctx, promote()).await;
    assert_done(&o);
    assert_eq!(*asked.lock().unwrap(), 2, "decided and confirmed again");
    assert!(
        notes
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("checking them again")),
        "the record found the comment after the entry decided on: {:?}",
        notes.lock().unwrap()
    );
    assert_eq!(prod_promotes(&w), 1, "recorded once");
    assert_eq!(serving(&w, "prod"), vec![(o.to_revision.unwrap(), 100)]);
}
