//! Parsing and verdict throughput: `cargo bench --bench probe_parse`.

use std::hint::black_box;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use flightdeck::probes::formats::{Response, evaluate};
use flightdeck::probes::{Health, ProbeFormat, ProbeId, ProbeOutcome, ProbeReport, ProbeState};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/probes/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default()
}

fn parse(c: &mut Criterion) {
    let cases = [
        (
            "ietf_warn",
            "application/health+json",
            200,
            fixture("ietf_warn.json"),
        ),
        (
            "actuator_down",
            "application/vnd.spring-boot.actuator.v3+json",
            503,
            fixture("actuator_down.json"),
        ),
        (
            "k8s_readyz_fail",
            "text/plain",
            500,
            fixture("k8s_readyz_fail.txt"),
        ),
        (
            "fastapi_503",
            "application/json",
            503,
            fixture("fastapi_503.json"),
        ),
        (
            "json_healthy",
            "application/json",
            200,
            fixture("json_healthy.json"),
        ),
    ];
    let mut group = c.benchmark_group("evaluate_auto");
    for (name, ct, status, body) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let resp = Response {
                    http_status: *status,
                    content_type: Some(ct),
                    body,
                };
                black_box(evaluate(ProbeFormat::Auto, None, black_box(&resp)))
            })
        });
    }
    group.finish();
}

fn verdict(c: &mut Criterion) {
    let t0 = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let report = |i: i64| ProbeReport {
        id: ProbeId::new("prod", "health"),
        at: t0 + chrono::Duration::seconds(i),
        outcome: ProbeOutcome {
            http_status: Some(200),
            latency: Duration::from_millis(3),
            status: if i % 10 == 0 {
                Health::Fail
            } else {
                Health::Pass
            },
            format: None,
            checks: Vec::new(),
            reason: None,
            body: String::new(),
        },
    };
    c.bench_function("record_and_verdict", |b| {
        let mut st = ProbeState::new(3, 1, Duration::from_secs(1), Duration::from_secs(2));
        let mut i = 0;
        b.iter(|| {
            i += 1;
            st.record(report(i));
            black_box(st.verdict(t0 + chrono::Duration::seconds(i)))
        })
    });
}

criterion_group!(benches, parse, verdict);
criterion_main!(benches);
