//! Fixtures of a release run's phases and steps, for the phases pane's snapshots and tests.

use super::fixtures::clock;
use super::phase_detail::Step;
use super::pipeline::{Phase, PhaseState};

/// Moments of a ten-phase release run, for the phases pane's snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMoment {
    Queued,
    RunningPhase4,
    FailedAtPhase6,
    WaitingApproval,
    Done,
}

/// The seed's ten phases at `moment`; phases before it took their expected time (phase 2 twice
/// as long, so the ETA is corrected); the clock of [`clock`] is "now".
pub fn pipeline(moment: RunMoment) -> super::pipeline::Pipeline {
    use super::pipeline::{Approval, ExpectedDurations, Pipeline, Reviewer, RunState, SEED_PHASES};
    let expected = ExpectedDurations::seed();
    let (done, current) = match moment {
        RunMoment::Queued => (0, None),
        RunMoment::RunningPhase4 => (3, Some(PhaseState::Running)),
        RunMoment::FailedAtPhase6 => (5, Some(PhaseState::Failed)),
        RunMoment::WaitingApproval => (8, Some(PhaseState::WaitingApproval)),
        RunMoment::Done => (10, None),
    };
    let durations: Vec<chrono::TimeDelta> = SEED_PHASES
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            expected.get(name).unwrap_or_default() * if i == 1 { 2 } else { 1 }
        })
        .collect();
    let elapsed_before: chrono::TimeDelta = durations.iter().take(done).sum();
    let start = clock() - elapsed_before - chrono::Duration::minutes(4);
    let mut t = start;
    let phases = SEED_PHASES
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            let mut phase = Phase {
                name: (*name).to_string(),
                state: PhaseState::Pending,
                started_at: None,
                completed_at: None,
                steps_done: 0,
                steps_total: 3,
                current_step: None,
                failed_step: None,
                conclusion: None,
                expected: expected.get(name),
                check_run_id: Some(399_444_496 + i as u64),
                steps: Vec::new(),
            };
            if i < done {
                phase.state = PhaseState::Succeeded;
                phase.started_at = Some(t);
                t += durations[i];
                phase.completed_at = Some(t);
                phase.steps_done = 3;
                phase.conclusion = Some("success".into());
            } else if i == done && current.is_some() {
                phase.state = current.unwrap_or(PhaseState::Running);
                phase.started_at = Some(t);
                phase.steps_done = 1;
                phase.current_step = Some("Run checks".into());
                if phase.state == PhaseState::Failed {
                    phase.completed_at = Some(t + chrono::Duration::minutes(4));
                    phase.failed_step = Some("Verify data privacy".into());
                    phase.conclusion = Some("failure".into());
                }
            } else if moment == RunMoment::FailedAtPhase6 && i > done {
                phase.state = PhaseState::Skipped;
            }
            phase.steps = fixture_steps(&phase);
            phase
        })
        .collect();
    let (state, conclusion) = match moment {
        RunMoment::Queued => (RunState::Queued, None),
        RunMoment::RunningPhase4 => (RunState::Running, None),
        RunMoment::FailedAtPhase6 => (RunState::Failed, Some("failure".to_string())),
        RunMoment::WaitingApproval => (RunState::WaitingApproval, None),
        RunMoment::Done => (RunState::Succeeded, Some("success".to_string())),
    };
    let approvals = if moment == RunMoment::WaitingApproval {
        vec![Approval {
            environment: "prod".into(),
            environment_id: 161_171_787,
            reviewers: vec![
                Reviewer::User("oncall-lead".into()),
                Reviewer::Team("release-managers".into()),
            ],
            current_user_can_approve: false,
            wait_timer_minutes: 0,
            wait_timer_started_at: None,
        }]
    } else {
        Vec::new()
    };
    Pipeline {
        run_id: 42,
        run_number: 17,
        title: "Release 1.5.0".into(),
        html_url: "https://github.com/clarity/clarity-backend/actions/runs/42".into(),
        state,
        conclusion,
        created_at: start,
        started_at: Some(start),
        updated_at: clock(),
        phases,
        approvals,
    }
}

/// Three steps consistent with the phase: "Set up job", "Run checks" (running while the phase
/// runs) and "Verify data privacy" (where a failed phase fails), each a third of its time.
fn fixture_steps(phase: &Phase) -> Vec<Step> {
    let names = ["Set up job", "Run checks", "Verify data privacy"];
    let start = phase.started_at;
    let third = match (start, phase.completed_at) {
        (Some(s), Some(c)) => (c - s) / 3,
        _ => chrono::TimeDelta::minutes(1),
    };
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let k32 = k as i32;
            let begins = start.map(|s| s + third * k32);
            let (state, conclusion) = match phase.state {
                PhaseState::Succeeded => (PhaseState::Succeeded, Some("success")),
                PhaseState::Failed if k == 2 => (PhaseState::Failed, Some("failure")),
                PhaseState::Failed => (PhaseState::Succeeded, Some("success")),
                PhaseState::Running | PhaseState::WaitingApproval if k == 0 => {
                    (PhaseState::Succeeded, Some("success"))
                }
                PhaseState::Running if k == 1 => (PhaseState::Running, None),
                PhaseState::Skipped => (PhaseState::Skipped, Some("skipped")),
                _ => (PhaseState::Pending, None),
            };
            let ran = !matches!(state, PhaseState::Pending | PhaseState::Skipped);
            Step {
                number: k as u64 + 1,
                name: (*name).to_string(),
                state,
                conclusion: conclusion.map(str::to_string),
                started_at: begins.filter(|_| ran),
                completed_at: begins
                    .map(|b| b + third)
                    .filter(|_| ran && state != PhaseState::Running),
            }
        })
        .collect()
}
