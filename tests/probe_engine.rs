//! The scheduler against a loopback server: reports flow, a probe never overlaps itself, the
//! set can be replaced, and stopping ends every task (the report channel closes).

mod probe_support;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use flightdeck::probes::engine::first_offset;
use flightdeck::probes::http::default_client;
use flightdeck::probes::{Health, ProbeEngine, ProbeId, ProbeReport, ResolvedProbe};
use probe_support::{Behaviour, fixture, serve};
use tokio::sync::mpsc;

fn probe(url: String, interval_ms: u64, timeout_ms: u64) -> ResolvedProbe {
    let mut p = ResolvedProbe::get(url);
    p.interval = Duration::from_millis(interval_ms);
    p.timeout = Duration::from_millis(timeout_ms);
    p
}

/// Receives until `enough` holds; a generous guard turns a hang into a failure.
async fn collect(
    rx: &mut mpsc::Receiver<ProbeReport>,
    mut enough: impl FnMut(&HashMap<String, Vec<ProbeReport>>) -> bool,
) -> HashMap<String, Vec<ProbeReport>> {
    let mut seen: HashMap<String, Vec<ProbeReport>> = HashMap::new();
    let guard = tokio::time::timeout(Duration::from_secs(30), async {
        while !enough(&seen) {
            let Some(r) = rx.recv().await else { break };
            seen.entry(r.id.to_string()).or_default().push(r);
        }
    });
    guard.await.expect("reports arrive");
    seen
}

fn routes() -> Vec<(&'static str, Behaviour)> {
    vec![
        (
            "/health",
            Behaviour::Respond {
                status: 200,
                content_type: "application/json",
                body: fixture("json_healthy.json"),
            },
        ),
        (
            "/down",
            Behaviour::Respond {
                status: 503,
                content_type: "application/json",
                body: fixture("fastapi_503.json"),
            },
        ),
        ("/slow", Behaviour::Slow(Duration::from_millis(150))),
        ("/hang", Behaviour::Hang),
    ]
}

#[tokio::test]
async fn reports_flow_and_never_overlap() {
    let server = serve(routes()).await;
    let (tx, mut rx) = mpsc::channel(64);
    let probes = vec![
        (
            ProbeId::new("dev", "health"),
            probe(server.url("/health"), 50, 1000),
        ),
        (
            ProbeId::new("prod", "health"),
            probe(server.url("/down"), 50, 1000),
        ),
        // Slower than its interval: must still never run twice at once.
        (
            ProbeId::new("prod", "slow"),
            probe(server.url("/slow"), 20, 1000),
        ),
        (
            ProbeId::new("prod", "hang"),
            probe(server.url("/hang"), 20, 100),
        ),
    ];
    let handle =
        ProbeEngine::start(default_client().expect("client"), probes, tx).expect("runtime");
    assert_eq!(handle.len(), 4);
    let seen = collect(&mut rx, |s| {
        s.len() == 4 && s.values().all(|v| v.len() >= 3)
    })
    .await;
    assert!(
        seen["dev/health"]
            .iter()
            .all(|r| r.outcome.status == Health::Pass)
    );
    assert!(
        seen["prod/health"]
            .iter()
            .all(|r| r.outcome.status == Health::Fail)
    );
    assert!(
        seen["prod/hang"]
            .iter()
            .all(|r| r.outcome.reason.as_deref() == Some("timeout after 100 ms"))
    );
    assert_eq!(
        server.stats("/slow").max_in_flight.load(Ordering::SeqCst),
        1
    );
    assert_eq!(
        server.stats("/hang").max_in_flight.load(Ordering::SeqCst),
        1
    );
    handle.stop();
    // Every task ended and dropped its sender: the channel drains then closes.
    while rx.recv().await.is_some() {}
}

#[tokio::test]
async fn replace_restarts_changed_probes_and_keeps_the_rest() {
    let server = serve(routes()).await;
    let (tx, mut rx) = mpsc::channel(64);
    let dev = ProbeId::new("dev", "health");
    let prod = ProbeId::new("prod", "health");
    let mut handle = ProbeEngine::start(
        default_client().expect("client"),
        vec![
            (dev.clone(), probe(server.url("/health"), 40, 1000)),
            (prod.clone(), probe(server.url("/down"), 40, 1000)),
        ],
        tx,
    )
    .expect("runtime");
    collect(&mut rx, |s| {
        s.get("prod/health").is_some_and(|v| !v.is_empty())
    })
    .await;
    // The prod service URI changed: it now answers healthy; dev goes away; a new probe appears.
    let ready = ProbeId::new("prod", "readiness");
    handle.replace(vec![
        (prod.clone(), probe(server.url("/health"), 40, 1000)),
        (ready.clone(), probe(server.url("/health"), 40, 1000)),
    ]);
    let mut ids: Vec<String> = handle.ids().map(ToString::to_string).collect();
    ids.sort();
    assert_eq!(ids, ["prod/health", "prod/readiness"]);
    let seen = collect(&mut rx, |s| {
        s.get("prod/health")
            .is_some_and(|v| v.last().is_some_and(|r| r.outcome.status == Health::Pass))
            && s.contains_key("prod/readiness")
    })
    .await;
    assert!(
        seen["prod/readiness"]
            .iter()
            .all(|r| r.outcome.status == Health::Pass)
    );
    drop(handle);
    while rx.recv().await.is_some() {}
}

#[test]
fn start_outside_a_runtime_is_an_error_not_a_panic() {
    let (tx, _rx) = mpsc::channel(1);
    let client = default_client().expect("client");
    assert!(ProbeEngine::start(client, Vec::new(), tx).is_err());
}

#[test]
fn first_fire_is_deterministic_and_spread() {
    let interval = Duration::from_secs(5);
    let offsets: Vec<Duration> = (0..1000)
        .map(|i| first_offset(&ProbeId::new("lane", format!("p{i}")), interval))
        .collect();
    assert!(offsets.iter().all(|o| *o < interval));
    assert_eq!(
        offsets[7],
        first_offset(&ProbeId::new("lane", "p7"), interval)
    );
    // 1000 probes over 50 slots of 100 ms: every slot used, none holding more than 5 %.
    let mut slots = [0usize; 50];
    for o in &offsets {
        slots[(o.as_millis() / 100) as usize] += 1;
    }
    assert!(slots.iter().all(|n| *n > 0 && *n <= 50), "{slots:?}");
}
