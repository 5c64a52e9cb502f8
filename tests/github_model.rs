//! The pipeline model at several moments of a ten-phase run (queued, running phase 4,
//! failed at phase 6, waiting for approval, done). Time is injected; nothing reads the clock.

use chrono::{DateTime, TimeDelta, Utc};
use flightdeck::model::pipeline::{
    ExpectedDurations, Phase, PhaseState, Pipeline, RunState, SEED_PHASES,
};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

/// Seed midpoints in whole seconds: 5, 10, 3.5, 20, 10, 6.5, 7.5, 3.5, 15, 10 minutes = 91 min.
fn expected() -> ExpectedDurations {
    ExpectedDurations::seed()
}

fn pipeline(state: RunState) -> Pipeline {
    let exp = expected();
    let phases = SEED_PHASES
        .iter()
        .map(|(name, _, _)| Phase {
            name: (*name).to_string(),
            state: PhaseState::Pending,
            started_at: None,
            completed_at: None,
            steps_done: 0,
            steps_total: 3,
            current_step: None,
            failed_step: None,
            conclusion: None,
            expected: exp.get(name),
            check_run_id: None,
            steps: Vec::new(),
        })
        .collect();
    Pipeline {
        run_id: 7,
        run_number: 3,
        title: "release 1.2.3".into(),
        html_url: "http://127.0.0.1/run/7".into(),
        state,
        conclusion: None,
        created_at: t0(),
        started_at: Some(t0()),
        updated_at: t0(),
        phases,
        approvals: vec![],
    }
}

/// Completes phases `0..n` back to back, each taking `factor` × its expected duration.
fn complete_first(p: &mut Pipeline, n: usize, factor: i32) -> DateTime<Utc> {
    let mut t = t0();
    for ph in p.phases.iter_mut().take(n) {
        let d = ph.expected.unwrap() * factor;
        ph.state = PhaseState::Succeeded;
        ph.started_at = Some(t);
        ph.completed_at = Some(t + d);
        ph.steps_done = 3;
        ph.conclusion = Some("success".into());
        t += d;
    }
    t
}

#[test]
fn github_model_expected_durations_are_seed_midpoints_by_name() {
    let e = expected();
    assert_eq!(e.get("Test Suite Execution"), Some(mins(20)));
    assert_eq!(
        e.get("test-suite execution"),
        Some(mins(20)),
        "case and punctuation ignored"
    );
    assert_eq!(
        e.get("Code Quality & Security Verification"),
        Some(TimeDelta::seconds(210))
    );
    assert_eq!(e.get("lint"), None);
    let fast = expected().scaled(20.0);
    assert_eq!(
        fast.get("Test Suite Execution"),
        Some(TimeDelta::seconds(60))
    );
    let custom = expected().with("lint", mins(2));
    assert_eq!(custom.get("LINT"), Some(mins(2)));
}

#[test]
fn github_model_queued_run() {
    let p = pipeline(RunState::Queued);
    assert_eq!(p.current_phase(), Some(0));
    assert_eq!(p.progress(t0()), 0.0);
    assert_eq!(p.speed_ratio(), 1.0);
    assert_eq!(p.remaining(t0()), Some(mins(91)));
    assert_eq!(p.eta(t0()), Some(t0() + mins(91)));
}

#[test]
fn github_model_running_phase_4_on_schedule() {
    let mut p = pipeline(RunState::Running);
    let start4 = complete_first(&mut p, 3, 1);
    assert_eq!(start4, t0() + TimeDelta::seconds(1110)); // 5 + 10 + 3.5 minutes
    let ph = &mut p.phases[3];
    ph.state = PhaseState::Running;
    ph.started_at = Some(start4);
    ph.steps_done = 1;
    ph.current_step = Some("Integration Tests".into());
    let now = start4 + mins(5);
    assert_eq!(p.current_phase(), Some(3));
    assert_eq!(p.phases[3].elapsed(now), Some(mins(5)));
    assert_eq!(p.speed_ratio(), 1.0);
    // 15 min left of phase 4, then 10 + 6.5 + 7.5 + 3.5 + 15 + 10 = 52.5 min.
    assert_eq!(p.remaining(now), Some(TimeDelta::seconds(15 * 60 + 3150)));
    let progress = p.progress(now);
    // Phase 4 counts by steps (1/3) since that beats time (5 of 20 min); weights are seconds.
    let expected = (1110.0 + 1200.0 / 3.0) / 5460.0;
    assert!(
        (progress - expected).abs() < 1e-9,
        "{progress} vs {expected}"
    );
}

#[test]
fn github_model_running_slow_pipeline_stretches_eta() {
    let mut p = pipeline(RunState::Running);
    let start4 = complete_first(&mut p, 3, 2); // every phase took twice as long as expected
    p.phases[3].state = PhaseState::Running;
    p.phases[3].started_at = Some(start4);
    assert_eq!(p.speed_ratio(), 2.0);
    // (20 + 52.5) min × 2 still to go.
    assert_eq!(p.remaining(start4), Some(mins(145)));
    assert_eq!(p.eta(start4), Some(start4 + mins(145)));
}

#[test]
fn github_model_failed_at_phase_6() {
    let mut p = pipeline(RunState::Failed);
    p.conclusion = Some("failure".into());
    let t = complete_first(&mut p, 5, 1);
    let ph = &mut p.phases[5];
    ph.state = PhaseState::Failed;
    ph.started_at = Some(t);
    ph.completed_at = Some(t + mins(2));
    ph.steps_done = 2;
    ph.failed_step = Some("Data Privacy Verification".into());
    ph.conclusion = Some("failure".into());
    for ph in &mut p.phases[6..] {
        ph.state = PhaseState::Skipped;
        ph.conclusion = Some("skipped".into());
    }
    assert_eq!(p.current_phase(), Some(5));
    let (i, failed) = p.failure().unwrap();
    assert_eq!(i, 5);
    assert_eq!(failed.name, "HIPAA Compliance Verification");
    assert_eq!(
        failed.failed_step.as_deref(),
        Some("Data Privacy Verification")
    );
    assert_eq!(failed.conclusion.as_deref(), Some("failure"));
    assert_eq!(p.eta(t + mins(3)), None, "no ETA for a failed run");
    assert_eq!(
        p.progress(t + mins(3)),
        1.0,
        "finished, even though it failed"
    );
}

#[test]
fn github_model_waiting_for_approval_before_production_deployment() {
    let mut p = pipeline(RunState::WaitingApproval);
    let t = complete_first(&mut p, 8, 1);
    p.phases[8].state = PhaseState::WaitingApproval;
    assert_eq!(p.current_phase(), Some(8));
    assert_eq!(p.phases[8].name, "Production Deployment");
    assert_eq!(p.phases[8].fraction(t + mins(30)), 0.0);
    // Waiting time is not charged to the phase: 15 + 10 minutes remain whenever we look.
    assert_eq!(p.remaining(t + mins(30)), Some(mins(25)));
}

#[test]
fn github_model_done() {
    let mut p = pipeline(RunState::Succeeded);
    let end = complete_first(&mut p, 10, 1);
    p.conclusion = Some("success".into());
    assert_eq!(end, t0() + TimeDelta::seconds(5460));
    assert_eq!(p.current_phase(), Some(9));
    assert_eq!(p.progress(end), 1.0);
    assert_eq!(p.eta(end), None);
    assert!(p.phases.iter().all(|ph| ph.state.is_done()));
}
