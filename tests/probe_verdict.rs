//! Thresholds, hysteresis, staleness and lane verdicts: table tests with an injected clock.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use flightdeck::probes::{
    Health, ProbeId, ProbeOutcome, ProbeReport, ProbeState, Verdict, lane_verdict,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::seconds(secs)
}

fn outcome(h: Health) -> ProbeOutcome {
    ProbeOutcome {
        http_status: Some(if h == Health::Fail { 503 } else { 200 }),
        latency: Duration::from_millis(12),
        status: h,
        format: None,
        checks: Vec::new(),
        reason: (h != Health::Pass).then(|| format!("status {h}")),
        body: String::new(),
    }
}

/// A state with interval 1 s, timeout 1 s (stale after 3 s).
fn state(failure: u32, success: u32) -> ProbeState {
    ProbeState::new(
        failure,
        success,
        Duration::from_secs(1),
        Duration::from_secs(1),
    )
}

/// Feeds `pattern` ('P' pass, 'W' warn, 'F' fail), one result per second from t0; returns the
/// verdict right after each result.
fn run(st: &mut ProbeState, pattern: &str) -> String {
    pattern
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let h = match c {
                'P' => Health::Pass,
                'W' => Health::Warn,
                _ => Health::Fail,
            };
            let when = at(i as i64);
            st.record(ProbeReport {
                id: ProbeId::new("prod", "health"),
                at: when,
                outcome: outcome(h),
            });
            match st.verdict(when).verdict {
                Verdict::Pass => 'P',
                Verdict::Warn => 'W',
                Verdict::Fail => 'F',
                Verdict::Stale => 'S',
                Verdict::Unknown => 'U',
            }
        })
        .collect()
}

#[test]
fn hysteresis_table() {
    // (failure_threshold, success_threshold, results, verdict after each result)
    let table = [
        (3, 1, "PPP", "PPP"),
        (3, 1, "FFF", "WWF"),
        (3, 1, "FFFP", "WWFP"), // a confirmed recovery from Fail is not flapping
        (3, 1, "FFFPF", "WWFPW"), // a new failure after it is
        (3, 1, "FFPFF", "WWWWW"), // never 3 in a row: warn, not fail
        (1, 1, "PF", "PF"),
        (3, 2, "FFFPP", "WWFFP"),   // needs 2 successes to leave Fail
        (3, 2, "FFFPFP", "WWFFFF"), // a failure resets the success streak
        (3, 1, "PWP", "PWP"),       // the service itself says warn
        (3, 1, "FPPPPPPPPPP", "WWWWWWWWWWP"), // the failure ages out of the 10-result window
        (0, 0, "F", "F"),           // thresholds below 1 act as 1
    ];
    for (failure, success, pattern, want) in table {
        let mut st = state(failure, success);
        assert_eq!(
            run(&mut st, pattern),
            want,
            "thresholds {failure}/{success} on {pattern}"
        );
    }
}

#[test]
fn reasons_explain_the_verdict() {
    let mut st = state(3, 1);
    run(&mut st, "PPPPPPPPPF");
    let v = st.verdict(at(9));
    assert_eq!(v.verdict, Verdict::Warn);
    assert_eq!(
        v.reason.as_deref(),
        Some("flapping: 1 of last 10 failed (status fail)")
    );
    run(&mut st, "FF");
    let v = st.verdict(at(2));
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.reason.as_deref(), Some("status fail (3 in a row)"));
}

#[test]
fn unknown_then_stale_by_the_given_clock() {
    let mut st = state(3, 1);
    assert_eq!(st.verdict(t0()).verdict, Verdict::Unknown);
    run(&mut st, "P");
    // stale_after = 2 × 1 s + 1 s timeout
    assert_eq!(st.verdict(at(3)).verdict, Verdict::Pass);
    let stale = st.verdict(at(4));
    assert_eq!(stale.verdict, Verdict::Stale);
    assert_eq!(
        stale.reason.as_deref(),
        Some("stale: last result 4 s ago (was pass)")
    );
    assert_eq!(st.settled(), Verdict::Pass);
    // A clock behind the report (skew) is not stale.
    assert_eq!(st.verdict(at(-5)).verdict, Verdict::Pass);
}

#[test]
fn latency_history_is_bounded() {
    let mut st = state(3, 1);
    run(&mut st, &"P".repeat(45));
    assert_eq!(st.latencies().len(), 30);
    assert!(
        st.latencies()
            .all(|s| s.latency_ms == 12 && s.status == Health::Pass)
    );
    assert_eq!(st.last().map(|r| r.at), Some(at(44)));
}

#[test]
fn lane_is_the_worst_probe_and_unknown_is_never_green() {
    use Verdict::*;
    let table: [(&[Verdict], Verdict); 7] = [
        (&[], Unknown),
        (&[Pass, Pass], Pass),
        (&[Pass, Unknown], Unknown),
        (&[Unknown, Stale, Pass], Stale),
        (&[Stale, Warn], Warn),
        (&[Warn, Fail, Pass], Fail),
        (&[Fail, Stale, Unknown], Fail),
    ];
    for (probes, want) in table {
        assert_eq!(lane_verdict(probes.iter().copied()), want, "{probes:?}");
    }
}

/// The sandbox's bad revision: at 10 % canary about 1 request in 10 fails; at 100 % all fail.
#[test]
fn canary_bad_revision_flaps_then_fails() {
    let mut st = state(3, 1);
    // Deterministic 1-in-10 failures (the 5th of every 10 fails).
    let canary: String = (1..=50)
        .map(|i| if i % 10 == 5 { 'F' } else { 'P' })
        .collect();
    let verdicts = run(&mut st, &canary);
    assert!(
        !verdicts.contains('F'),
        "10 % failures never reach Fail with threshold 3: {verdicts}"
    );
    assert!(
        verdicts[5..].chars().all(|v| v == 'W'),
        "and flap as Warn: {verdicts}"
    );
    let full = run(&mut st, "FFFF");
    assert_eq!(full, "WWFF");
}
