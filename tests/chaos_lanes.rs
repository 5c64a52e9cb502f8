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
use flightdeck::app::Session;
use flightdeck::cli::Cli;
use flightdeck::model::Model;
use flightdeck::model::lane::Freshness;
use flightdeck::msg::Action;
use flightdeck::msg::{Cmd, Msg};
use flightdeck::runtime::LaneSource;
use flightdeck::sandbox::{self, faults::FaultRule};
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

async fn set_rules(base: &str, rules: &[FaultRule]) {
    let body = serde_json::json!({ "rules": rules });
    let answer = reqwest::Client::new()
        .post(format!("{base}/_sandbox/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{body}");
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
    let mut session = Session::open(&cli).await.unwrap();
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
