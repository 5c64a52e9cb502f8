//! Chaos: each fault of the sandbox's switchboard on the Cloud Run API, with the cockpit's lane
//! polling (the real sources, `update` and `view` on a TestBackend) driven by this test. For each
//! fault: while it lasts no lane is drawn healthy once its data is older than two intervals, every
//! lane is STALE within two poll intervals plus one second, keys are answered; once the fault is
//! cleared, every lane shows fresh data within one poll interval (plus a scheduling allowance).
//!
//! Time here is real (the sandbox is a real server); the bounds asserted are the product's promises.

use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use flightdeck::cli::Cli;
use flightdeck::commands::WireOptions;
use flightdeck::commands::wire::{self, Change, Target};
use flightdeck::model::Model;
use flightdeck::model::lane::Freshness;
use flightdeck::msg::Action;
use flightdeck::msg::{Cmd, Msg};
use flightdeck::providers::auth::TokenSource;
use flightdeck::providers::cloudrun::CloudRunClient;
use flightdeck::runtime::{LaneSource, PipelinePoll};
use flightdeck::sandbox::{self, faults::FaultRule};
use flightdeck::session::Session;
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

const INTERVAL_SECS: u64 = 1;
/// Time for tasks and the loopback round trip, beyond the promised bounds.
const SLACK: Duration = Duration::from_millis(300);

struct Cockpit {
    model: Model,
    sources: Vec<LaneSource>,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    next_poll: Instant,
}

impl Cockpit {
    fn run(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            if let Cmd::FetchLane { lane } = cmd {
                let source = self.sources[lane].clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = source.fetch().await;
                    let _ = tx.send(Msg::LaneFetched {
                        lane,
                        at: Utc::now(),
                        result: result.map(Box::new),
                    });
                });
            }
        }
    }

    /// One turn of the loop: poll when due, fold in answers, advance the clock by ~50 ms.
    async fn step(&mut self) {
        if Instant::now() >= self.next_poll {
            self.next_poll += Duration::from_secs(INTERVAL_SECS);
            let cmds = update(&mut self.model, Msg::PollDue { now: Utc::now() });
            self.run(cmds);
        }
        if let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
        {
            let cmds = update(&mut self.model, msg);
            self.run(cmds);
        }
        update(&mut self.model, Msg::Tick { now: Utc::now() });
    }

    fn screen(&self) -> String {
        let ui = UiContext {
            theme: Theme::default_for(false),
            symbols: Symbols::ASCII,
        };
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal
            .draw(|frame| ui::view(&self.model, &ui, frame))
            .unwrap();
        terminal.backend().to_string()
    }

    fn all(&self, freshness: Freshness) -> bool {
        let now = self.model.now;
        self.model
            .lanes
            .iter()
            .all(|l| l.freshness(now, INTERVAL_SECS) == freshness)
    }

    /// Every lane whose newest data is older than two intervals is drawn STALE, never healthy.
    fn assert_truthful(&self, fault: &str) {
        let screen = self.screen();
        let now = self.model.now;
        for lane in &self.model.lanes {
            let old = lane
                .fetched_at
                .is_none_or(|at| (now - at).num_milliseconds() > 2000 * INTERVAL_SECS as i64);
            if !old {
                continue;
            }
            // The lane cards' title row names every lane; this lane's title runs to its border.
            let titles = screen
                .lines()
                .find(|l| l.contains('+') && self.model.lanes.iter().all(|x| l.contains(&x.env)))
                .unwrap_or_default();
            let header = titles.find(&format!("{} ", lane.env)).map_or("", |at| {
                let title = &titles[at..];
                &title[..title.find('+').unwrap_or(title.len())]
            });
            assert!(
                header.contains("STALE") || header.contains('?'),
                "{fault}: lane {} has old data but its header is `{header}`\n{screen}",
                lane.env
            );
        }
    }
}

/// A sandbox control request (`/_sandbox/…`) that must succeed.
async fn control(url: String, body: serde_json::Value) {
    let answer = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{body}");
}

async fn set_rules(base: &str, rules: &[FaultRule]) {
    control(
        format!("{base}/_sandbox/faults"),
        serde_json::json!({ "rules": rules }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_turns_lanes_stale_in_time_and_recovery_is_fresh_within_an_interval() {
    let running = sandbox::start("127.0.0.1:0".parse().unwrap(), 20.0)
        .await
        .unwrap();
    let base = running.base_url();
    let addr = running.addr.to_string();
    let cli = Cli::try_parse_from(["flightdeck", "--profile", "sandbox", "--sandbox", &addr])
        .expect("valid arguments");
    let mut session = Session::open(&cli.globals.profile, cli.globals.sandbox)
        .await
        .unwrap();
    session.profile.poll.interval_secs = INTERVAL_SECS;
    let http = session.client();
    let (tx, rx) = mpsc::unbounded_channel();
    let mut cockpit = Cockpit {
        model: session.model(true),
        sources: session.lane_sources(&http),
        tx,
        rx,
        next_poll: Instant::now(),
    };
    let started = Instant::now();
    while !cockpit.all(Freshness::Fresh) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "lanes never became fresh"
        );
        cockpit.step().await;
    }
    let faults = [
        "stall@/v2/*",
        "error:503@/v2/*",
        "error:502:html@/v2/*",
        "throttle:30@/v2/*",
        "throttle:30:retryinfo@/v2/*",
        "reset@/v2/*",
        "truncated@/v2/*",
        "malformed@/v2/*",
        "latency:5000@/v2/*",
        "drip:16@/v2/*",
    ];
    let promise_stale = Duration::from_secs(2 * INTERVAL_SECS + 1) + SLACK;
    let promise_fresh = Duration::from_secs(INTERVAL_SECS) + SLACK;
    let mut report = Vec::new();
    for spec in faults {
        set_rules(&base, &[FaultRule::parse(spec).unwrap()]).await;
        let fault_at = Instant::now();
        while !cockpit.all(Freshness::Stale) {
            assert!(
                fault_at.elapsed() <= promise_stale,
                "{spec}: not every lane STALE after {:?}\n{}",
                fault_at.elapsed(),
                cockpit.screen()
            );
            cockpit.step().await;
            cockpit.assert_truthful(spec);
        }
        let stale_after = fault_at.elapsed();
        // Keys are answered while the API misbehaves.
        let selected = cockpit.model.selected_lane;
        let key = if selected == 0 {
            Action::NextLane
        } else {
            Action::PrevLane
        };
        update(&mut cockpit.model, Msg::Action(key));
        assert_ne!(
            cockpit.model.selected_lane, selected,
            "{spec}: a key was not answered"
        );
        for _ in 0..10 {
            cockpit.step().await;
            cockpit.assert_truthful(spec);
        }
        set_rules(&base, &[]).await;
        let cleared_at = Instant::now();
        while !cockpit.all(Freshness::Fresh) {
            assert!(
                cleared_at.elapsed() <= promise_fresh,
                "{spec}: not fresh {:?} after the fault cleared\n{}",
                cleared_at.elapsed(),
                cockpit.screen()
            );
            cockpit.step().await;
        }
        report.push(format!(
            "{spec}: stale after {stale_after:?}, fresh {:?} after clearing",
            cleared_at.elapsed()
        ));
    }
    eprintln!("{}", report.join("\n"));
}

/// A cockpit over `session`'s lanes, polled every [`INTERVAL_SECS`].
fn cockpit_of(session: &mut Session) -> Cockpit {
    session.profile.poll.interval_secs = INTERVAL_SECS;
    let http = session.client();
    let (tx, rx) = mpsc::unbounded_channel();
    Cockpit {
        model: session.model(true),
        sources: session.lane_sources(&http),
        tx,
        rx,
        next_poll: Instant::now(),
    }
}

/// Cloud Deploy and script lanes have a poll timeout too: a stalled API (or a status script stuck
/// on one) turns them STALE in time and they are fresh within an interval once it answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_deploy_and_script_lanes_are_stale_in_time_and_fresh_after_a_stall() {
    let running = sandbox::start("127.0.0.1:0".parse().unwrap(), 20.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stall = dir.path().join("stalled");
    let status = dir.path().join("status.sh");
    std::fs::write(
        &status,
        format!(
            "#!/bin/sh\nwhile [ -e '{}' ]; do sleep 0.05; done\necho '{{\"version\": \"1.4.2\"}}'\n",
            stall.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&status, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let profile = dir.path().join("mixed.toml");
    std::fs::write(
        &profile,
        format!(
            "[service]\nname = \"clarity\"\n[sandbox]\nspeed = 20\n\
             [[environments]]\nname = \"dev\"\n[environments.clouddeploy]\nproject = \"clarity-sandbox\"\n\
             region = \"us-central1\"\npipeline = \"clarity\"\ntarget = \"dev\"\n\
             [[environments]]\nname = \"ops\"\n[environments.script]\nstatus = [\"{}\"]\n",
            status.display()
        ),
    )
    .unwrap();
    let addr = running.addr.to_string();
    let cli = Cli::try_parse_from([
        "flightdeck",
        "--profile",
        profile.to_str().unwrap(),
        "--sandbox",
        &addr,
    ])
    .unwrap();
    let mut session = Session::open(&cli.globals.profile, cli.globals.sandbox)
        .await
        .unwrap();
    let mut cockpit = cockpit_of(&mut session);
    let started = Instant::now();
    while !cockpit.all(Freshness::Fresh) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "lanes never became fresh\n{}",
            cockpit.screen()
        );
        cockpit.step().await;
    }
    set_rules(
        &running.base_url(),
        &[FaultRule::parse("stall@/v1/*").unwrap()],
    )
    .await;
    std::fs::write(&stall, "").unwrap();
    let fault_at = Instant::now();
    while !cockpit.all(Freshness::Stale) {
        assert!(
            fault_at.elapsed() <= Duration::from_secs(2 * INTERVAL_SECS + 1) + SLACK,
            "not every lane STALE after {:?}\n{}",
            fault_at.elapsed(),
            cockpit.screen()
        );
        cockpit.step().await;
        cockpit.assert_truthful("stall");
    }
    // Long enough that, without a poll timeout, both lanes' polls would still hang.
    for _ in 0..30 {
        cockpit.step().await;
        cockpit.assert_truthful("stall");
    }
    set_rules(&running.base_url(), &[]).await;
    std::fs::remove_file(&stall).unwrap();
    let cleared_at = Instant::now();
    while !cockpit.all(Freshness::Fresh) {
        assert!(
            cleared_at.elapsed() <= Duration::from_secs(INTERVAL_SECS) + SLACK,
            "not fresh {:?} after the stall ended\n{}",
            cleared_at.elapsed(),
            cockpit.screen()
        );
        cockpit.step().await;
    }
}

/// GitHub's outages on the pipeline poll: each is told (naming the URL), none panics or holds the
/// poll past its timeout, a short secondary rate limit (403 or 429 with Retry-After) is waited
/// out, a long one stops requests until it ends, and the next poll after a fault clears is good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_route_faults_are_told_and_ridden_out() {
    let running = sandbox::start("127.0.0.1:0".parse().unwrap(), 20.0)
        .await
        .unwrap();
    let base = running.base_url();
    let addr = running.addr.to_string();
    let cli = Cli::try_parse_from(["flightdeck", "--profile", "sandbox", "--sandbox", &addr])
        .expect("valid arguments");
    let mut session = Session::open(&cli.globals.profile, cli.globals.sandbox)
        .await
        .unwrap();
    // The default interval: a poll may then wait out a 1 s Retry-After within its timeout.
    let interval = 2;
    session.profile.poll.interval_secs = interval;
    let source = session
        .pipeline_source()
        .await
        .unwrap()
        .expect("a pipeline");
    let healthy = |poll: &PipelinePoll| !matches!(poll, PipelinePoll::Failed { .. });
    assert!(healthy(&source.poll(None, true).await));
    let limit = Duration::from_secs(interval) + SLACK;
    for spec in [
        "error:502:html@/repos/*",
        "error:503:github@/repos/*",
        "reset@/repos/*",
        "truncated@/repos/*",
        "malformed@/repos/*",
        "stall@/repos/*",
        "drip:16@/repos/*",
    ] {
        // A client without cached ETags, so the fault hits a full answer, not a 304.
        let source = session
            .pipeline_source()
            .await
            .unwrap()
            .expect("a pipeline");
        set_rules(&base, &[FaultRule::parse(spec).unwrap()]).await;
        let asked = Instant::now();
        let poll = source.poll(None, true).await;
        assert!(
            asked.elapsed() <= limit,
            "{spec}: held {:?}",
            asked.elapsed()
        );
        let PipelinePoll::Failed { error, .. } = &poll else {
            panic!("{spec}: a failing API looked healthy: {poll:?}")
        };
        assert!(error.contains(&base), "{spec}: {error}");
        set_rules(&base, &[]).await;
        assert!(
            healthy(&source.poll(None, true).await),
            "{spec}: no recovery"
        );
    }
    let runs = "/repos/*/actions/workflows/*/runs";
    for (status, plan) in [(429, "throttle"), (403, "github")] {
        let before = running.state.requests_seen("GET", runs);
        match plan {
            "throttle" => {
                set_rules(&base, &[FaultRule::parse("throttle:1@/repos/*#1").unwrap()]).await
            }
            _ => github_faults(
                &base,
                serde_json::json!({"rate_limit": {"count": 1, "status": 403, "retry_after": 1}}),
            )
            .await,
        }
        let poll = source.poll(None, true).await;
        assert!(
            healthy(&poll),
            "{status}: a 1 s secondary limit is waited out: {poll:?}"
        );
        assert!(
            running.state.requests_seen("GET", runs) - before >= 2,
            "{status}: retried"
        );
    }
    set_rules(
        &base,
        &[FaultRule::parse("throttle:60@/repos/*#1").unwrap()],
    )
    .await;
    let poll = source.poll(None, true).await;
    let PipelinePoll::Failed {
        retry_at: Some(until),
        ..
    } = poll
    else {
        panic!("a 60 s limit is handed back: {poll:?}")
    };
    assert!(until > Utc::now() + chrono::TimeDelta::seconds(50));
    let before = running.state.requests_seen("GET", "/repos/*");
    assert!(!healthy(&source.poll(None, true).await));
    assert_eq!(
        running.state.requests_seen("GET", "/repos/*"),
        before,
        "no request while the limit lasts"
    );
}

async fn github_faults(base: &str, plan: serde_json::Value) {
    control(format!("{base}/_sandbox/github/faults"), plan).await;
}

/// No command is applied twice under faults: a PATCH that is reset, cut off, stalled or refused
/// is followed by a re-read, and re-sent only if the change is not there. The sandbox then holds
/// exactly one new revision with the image, and the service's generation rose by exactly one.
/// Meanwhile the revision list answers 503 twice: the command still succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_hit_by_faults_on_its_patch_is_applied_exactly_once() {
    let running = sandbox::start("127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let service = "projects/clarity-sandbox/locations/us-central1/services/clarity-backend-dev";
    let client = CloudRunClient::new(
        reqwest::Client::new(),
        &running.base_url(),
        TokenSource::None,
    );
    let target = Target {
        env: "dev".into(),
        client: client.clone(),
        service: service.into(),
    };
    let opts = WireOptions {
        call_timeout: Duration::from_millis(800),
        poll_initial: Duration::from_millis(50),
        poll_max: Duration::from_millis(200),
        op_deadline: Duration::from_secs(30),
        max_attempts: 6,
        backoff_base: Duration::from_millis(50),
    };
    let generation = |svc: &flightdeck::providers::cloudrun_wire::Service| {
        svc.generation
            .as_deref()
            .and_then(|g| g.parse::<u64>().ok())
            .unwrap_or_default()
    };
    for (n, fault) in ["reset", "truncated", "stall", "error:503"]
        .into_iter()
        .enumerate()
    {
        let mut rule = FaultRule::parse(&format!("{fault}@/v2/*/clarity-backend-dev#1")).unwrap();
        rule.method = Some("PATCH".into());
        let before = client.get_service(service).await.unwrap();
        let patches = running.state.requests_seen("PATCH", "*");
        // The command's own reads ride out errors too: two 503s on the revision list.
        let revisions_503 = FaultRule::parse("error:503@/v2/*/revisions#2").unwrap();
        running.state.lock_faults().rules = vec![rule, revisions_503];
        let image = format!("us-docker.pkg.dev/clarity-sandbox/clarity/clarity-backend:7.7.{n}");
        let change = Change::Image {
            image: image.clone(),
            pin_to: None,
        };
        let applied = wire::apply(&target, &change, &opts, &flightdeck::commands::quiet())
            .await
            .unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert!(
            running.state.lock_faults().rules.is_empty(),
            "{fault}: both faults were met (the revision list's twice)"
        );
        let after = client.get_service(service).await.unwrap();
        let revisions = client.list_revisions(service).await.unwrap();
        let with_image = revisions
            .iter()
            .filter(|r| r.containers.iter().any(|c| c.image == image))
            .count();
        let sent = running.state.requests_seen("PATCH", "*") - patches;
        assert_eq!(with_image, 1, "{fault}: one revision runs {image}");
        assert_eq!(
            generation(&after),
            generation(&before) + 1,
            "{fault}: applied once"
        );
        assert!(applied.new_revision.is_some(), "{fault}");
        eprintln!("{fault}: {sent} PATCH sent, applied once");
    }
}
