//! The pure rollout state machine: canary steps, bakes, pause/resume/advance/abort, the guard.

use chrono::{DateTime, Duration, TimeZone, Utc};
use flightdeck::model::rollout::{NextAction, Phase, Rollout};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
}

fn canary() -> Rollout {
    Rollout::new(
        "req-1",
        "prod",
        "old",
        "repo:1.5.0",
        vec![10, 50, 100],
        30,
        Some(3),
        t0(),
    )
}

fn split(pairs: &[(&str, u8)]) -> Option<NextAction> {
    Some(NextAction::SetTraffic {
        split: pairs.iter().map(|(r, p)| (r.to_string(), *p)).collect(),
    })
}

#[test]
fn canary_walks_10_50_100_with_bakes_and_a_verification_bake() {
    let mut r = canary();
    assert_eq!(
        r.start(),
        NextAction::Deploy {
            image: "repo:1.5.0".into(),
            pin_to: Some("old".into())
        }
    );
    assert_eq!(
        r.on_op_done(t0(), Some("new")),
        split(&[("new", 10), ("old", 90)])
    );
    assert_eq!(r.on_op_done(t0(), None), None);
    assert_eq!(
        r.phase,
        Phase::Baking {
            until: t0() + Duration::seconds(30)
        }
    );
    assert_eq!(
        r.on_tick(t0() + Duration::seconds(29)),
        None,
        "still baking"
    );
    assert_eq!(
        r.on_tick(t0() + Duration::seconds(30)),
        split(&[("new", 50), ("old", 50)])
    );
    let t1 = t0() + Duration::seconds(40);
    r.on_op_done(t1, None);
    assert_eq!(
        r.on_tick(t1 + Duration::seconds(30)),
        split(&[("new", 100)])
    );
    let t2 = t1 + Duration::seconds(40);
    r.on_op_done(t2, None);
    assert_eq!(r.current_percent(), 100);
    assert!(
        matches!(r.phase, Phase::Baking { .. }),
        "verification bake at 100%"
    );
    assert_eq!(r.on_tick(t2 + Duration::seconds(30)), None);
    assert_eq!(r.phase, Phase::Done);
    assert!(r.is_finished());
}

#[test]
fn without_steps_the_deploy_is_the_whole_rollout() {
    let mut r = Rollout::new("req", "dev", "old", "repo:2", vec![], 0, None, t0());
    assert_eq!(
        r.start(),
        NextAction::Deploy {
            image: "repo:2".into(),
            pin_to: None
        }
    );
    assert_eq!(r.on_op_done(t0(), Some("new")), None);
    assert_eq!(r.phase, Phase::Done);
}

#[test]
fn a_deploy_without_a_new_revision_fails() {
    let mut r = canary();
    assert_eq!(r.on_op_done(t0(), None), None);
    assert!(matches!(r.phase, Phase::Failed { .. }));
}

#[test]
fn pause_keeps_the_remaining_bake_and_resume_restarts_it() {
    let mut r = canary();
    r.on_op_done(t0(), Some("new"));
    r.on_op_done(t0(), None);
    r.pause(t0() + Duration::seconds(10));
    assert_eq!(r.phase, Phase::Paused { remaining_secs: 20 });
    assert_eq!(
        r.on_tick(t0() + Duration::seconds(500)),
        None,
        "paused: the clock does not run"
    );
    let later = t0() + Duration::seconds(600);
    r.resume(later);
    assert_eq!(
        r.phase,
        Phase::Baking {
            until: later + Duration::seconds(20)
        }
    );
}

#[test]
fn pause_during_a_shift_takes_effect_when_it_is_done() {
    let mut r = canary();
    r.on_op_done(t0(), Some("new"));
    r.pause(t0());
    assert!(r.pause_requested);
    r.on_op_done(t0(), None);
    assert_eq!(r.phase, Phase::Paused { remaining_secs: 30 });
}

#[test]
fn advance_skips_the_bake() {
    let mut r = canary();
    r.on_op_done(t0(), Some("new"));
    r.on_op_done(t0(), None);
    assert_eq!(r.advance(), split(&[("new", 50), ("old", 50)]));
    assert_eq!(r.advance(), None, "nothing to advance while shifting");
}

#[test]
fn abort_sends_all_traffic_back_and_ends_aborted() {
    let mut r = canary();
    r.on_op_done(t0(), Some("new"));
    r.on_op_done(t0(), None);
    assert_eq!(
        r.abort("looks wrong"),
        Some(NextAction::RollBack { to: "old".into() })
    );
    assert_eq!(r.abort("again"), None, "one rollback at a time");
    r.on_op_done(t0(), None);
    assert_eq!(
        r.phase,
        Phase::Aborted {
            reason: "looks wrong".into()
        }
    );
}

#[test]
fn a_failed_shift_rolls_back_and_a_failed_rollback_fails() {
    let mut r = canary();
    r.on_op_done(t0(), Some("new"));
    assert_eq!(
        r.on_op_failed("HTTP 400"),
        Some(NextAction::RollBack { to: "old".into() })
    );
    assert_eq!(r.on_op_failed("HTTP 503"), None);
    assert!(matches!(&r.phase, Phase::Failed { reason } if reason.contains("rollback failed")));
}

#[test]
fn guard_rolls_back_after_n_consecutive_failures_only() {
    let mut r = canary();
    assert_eq!(
        r.on_probe_result(false),
        None,
        "not watching while deploying"
    );
    r.on_op_done(t0(), Some("new"));
    r.on_op_done(t0(), None);
    assert_eq!(r.on_probe_result(false), None);
    assert_eq!(r.on_probe_result(false), None);
    assert_eq!(r.on_probe_result(true), None, "a pass resets the count");
    assert_eq!(r.on_probe_result(false), None);
    assert_eq!(r.on_probe_result(false), None);
    let fired = r.on_probe_result(false).expect("third failure in a row");
    assert_eq!(fired.action, NextAction::RollBack { to: "old".into() });
    assert!(
        fired
            .reason
            .contains("3 consecutive failing probes of new at 10%"),
        "{}",
        fired.reason
    );
    assert!(matches!(r.phase, Phase::RollingBack { .. }));
}

#[test]
fn no_guard_without_a_threshold() {
    let mut r = Rollout::new("req", "prod", "old", "img", vec![50, 100], 1, None, t0());
    r.on_op_done(t0(), Some("new"));
    for _ in 0..10 {
        assert_eq!(r.on_probe_result(false), None);
    }
}
