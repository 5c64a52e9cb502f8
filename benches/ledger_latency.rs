//! Append latency (p50/p99) and follow latency of the file ledger vs the PostgreSQL ledger.
//!
//! `benches/ledger_latency.sh` runs it (`cargo bench --bench ledger_latency -- --run`); under plain
//! `cargo bench` it does nothing. PostgreSQL is a temporary local server (tests/support/postgres.rs)
//! reached over TCP on 127.0.0.1; the follower is a second connection, as another host's would be.
//! The file follower polls every 500 ms, as the cockpit does.

#[path = "../tests/support/postgres.rs"]
mod support;

use std::time::{Duration, Instant};

use flightdeck::ledger::postgres::follow::{FollowEvent, FollowTiming, follow};
use flightdeck::ledger::postgres::{PgLedger, PgTarget};
use flightdeck::ledger::{Actor, Follower, Ledger, Payload};

const APPENDS: usize = 500;
const FOLLOWS: usize = 50;

fn actor() -> Actor {
    Actor {
        account: "bench".into(),
        uid: 1000,
        host: "bench".into(),
        ssh_origin: None,
    }
}

fn note(i: usize) -> Payload {
    Payload::Override {
        gate: "freeze".into(),
        reason: format!("bench {i}"),
        request_id: "r".into(),
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn report(what: &str, samples: &mut [Duration]) {
    let p50 = percentile(samples, 0.50);
    let p99 = percentile(samples, 0.99);
    println!(
        "{what:<44} n={:<4} p50 {:>8.2} ms   p99 {:>8.2} ms",
        samples.len(),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--run") {
        eprintln!("ledger_latency: run benches/ledger_latency.sh");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = Ledger::open(dir.path().join("ledger.jsonl")).expect("file ledger");
    let mut samples: Vec<Duration> = (0..APPENDS)
        .map(|i| {
            let start = Instant::now();
            file.append(&actor(), note(i)).expect("append");
            start.elapsed()
        })
        .collect();
    report("file ledger: append (lock, write, fsync)", &mut samples);

    // The follower polls on its own 500 ms clock; appends land at any point of its cycle.
    let (seen_tx, seen_rx) = std::sync::mpsc::channel::<Instant>();
    let mut follower = Follower::new(file.path());
    follower.poll().expect("history");
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let news = follower.poll().expect("poll");
            if news.is_some_and(|r| !r.entries.is_empty()) && seen_tx.send(Instant::now()).is_err()
            {
                return;
            }
        }
    });
    let mut samples: Vec<Duration> = (0..FOLLOWS)
        .map(|i| {
            std::thread::sleep(Duration::from_millis(((i * 37) % 500) as u64 + 10));
            let start = Instant::now();
            file.append(&actor(), note(i)).expect("append");
            seen_rx.recv().expect("follower alive") - start
        })
        .collect();
    report(
        "file ledger: seen by a follower (500 ms poll)",
        &mut samples,
    );

    let server = support::TempPostgres::start();
    server.create_db("bench");
    let target = PgTarget::parse(&server.url("bench"), None).expect("url");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let ledger = PgLedger::open(target.clone()).await.expect("open");
        let mut samples = Vec::with_capacity(APPENDS);
        for i in 0..APPENDS {
            let start = Instant::now();
            ledger.append(&actor(), note(i)).await.expect("append");
            samples.push(start.elapsed());
        }
        report("postgres ledger: append (one transaction)", &mut samples);

        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(follow(target.clone(), None, FollowTiming::default(), tx));
        while let Some(event) = events.recv().await {
            if matches!(event, FollowEvent::Entries(_)) {
                break; // the history
            }
        }
        let mut samples = Vec::with_capacity(FOLLOWS);
        for i in 0..FOLLOWS {
            tokio::time::sleep(Duration::from_millis(((i * 37) % 100) as u64)).await;
            let start = Instant::now();
            ledger.append(&actor(), note(i)).await.expect("append");
            loop {
                match events.recv().await {
                    Some(FollowEvent::Entries(entries)) if !entries.is_empty() => break,
                    Some(_) => {}
                    None => panic!("follower stopped"),
                }
            }
            samples.push(start.elapsed());
        }
        report("postgres ledger: seen by another connection", &mut samples);
    });
}
