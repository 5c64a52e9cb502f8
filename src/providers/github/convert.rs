//! Wire → model: a workflow run, its jobs and pending deployments as a [`Pipeline`].

use crate::model::phase_detail::{Annotation, Step};
use crate::model::pipeline::{
    Approval, ExpectedDurations, Phase, PhaseState, Pipeline, Reviewer, RunState,
};

use super::PipelineConfig;
use super::wire::{Job, PendingDeployment, WorkflowRun};

/// Seed-000 midpoints overridden by the profile's `expected_minutes`, divided by `speed`
/// (1.0 for real GitHub; the sandbox's speed factor for the sandbox profile).
pub fn expected_durations(cfg: Option<&PipelineConfig>, speed: f64) -> ExpectedDurations {
    let mut e = ExpectedDurations::seed();
    for (name, minutes) in cfg.map(|c| &c.expected_minutes).into_iter().flatten() {
        if minutes.is_finite() && *minutes >= 0.0 {
            e = e.with(
                name,
                chrono::TimeDelta::milliseconds((minutes * 60_000.0).round() as i64),
            );
        }
    }
    e.scaled(speed)
}

fn run_state(run: &WorkflowRun) -> RunState {
    match (run.status.as_deref(), run.conclusion.as_deref()) {
        (Some("completed"), Some("success" | "neutral" | "skipped")) => RunState::Succeeded,
        (Some("completed"), Some("cancelled")) => RunState::Cancelled,
        (Some("completed"), _) => RunState::Failed,
        (Some("in_progress"), _) => RunState::Running,
        (Some("waiting" | "action_required"), _) => RunState::WaitingApproval,
        _ => RunState::Queued,
    }
}

/// A job's or a step's state from its `status` and `conclusion`.
fn phase_state(status: &str, conclusion: Option<&str>) -> PhaseState {
    match (status, conclusion) {
        ("completed", Some("failure" | "timed_out" | "startup_failure")) => PhaseState::Failed,
        ("completed", Some("cancelled")) => PhaseState::Cancelled,
        ("completed", Some("skipped")) => PhaseState::Skipped,
        ("completed", Some("action_required")) => PhaseState::WaitingApproval,
        ("completed", _) => PhaseState::Succeeded,
        ("in_progress", _) => PhaseState::Running,
        ("waiting", _) => PhaseState::WaitingApproval,
        _ => PhaseState::Pending,
    }
}

fn phase(job: &Job, expected: &ExpectedDurations) -> Phase {
    let state = phase_state(&job.status, job.conclusion.as_deref());
    let done = job.steps.iter().filter(|s| s.status == "completed").count();
    let failed_step = job
        .steps
        .iter()
        .find(|s| matches!(s.conclusion.as_deref(), Some("failure" | "timed_out")))
        .map(|s| s.name.clone());
    Phase {
        name: job.name.clone(),
        state,
        started_at: job.started_at.filter(|_| state != PhaseState::Pending),
        completed_at: job.completed_at,
        steps_done: u32::try_from(done).unwrap_or(u32::MAX),
        steps_total: u32::try_from(job.steps.len()).unwrap_or(u32::MAX),
        current_step: job
            .steps
            .iter()
            .find(|s| s.status == "in_progress")
            .map(|s| s.name.clone()),
        failed_step,
        conclusion: job.conclusion.clone(),
        expected: expected.get(&job.name),
        check_run_id: Some(job.check_run_id()),
        steps: job.steps.iter().map(step).collect(),
    }
}

fn step(s: &super::wire::Step) -> Step {
    Step {
        number: s.number,
        name: s.name.clone(),
        state: phase_state(&s.status, s.conclusion.as_deref()),
        conclusion: s.conclusion.clone(),
        started_at: s.started_at,
        completed_at: s.completed_at,
    }
}

/// A check-run annotation as the model keeps it.
pub fn annotation(a: &super::wire::CheckAnnotation) -> Annotation {
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    Annotation {
        level: a
            .annotation_level
            .clone()
            .unwrap_or_else(|| "notice".into()),
        title: non_empty(&a.title),
        message: a.message.clone().unwrap_or_default(),
        path: a.path.clone(),
        start_line: a.start_line,
        end_line: a.end_line,
        raw_details: non_empty(&a.raw_details),
    }
}

fn approval(p: &PendingDeployment) -> Approval {
    let reviewers = p
        .reviewers
        .iter()
        .map(|r| {
            let who = &r.reviewer;
            if r.kind == "Team" {
                Reviewer::Team(
                    who.slug
                        .clone()
                        .or_else(|| who.name.clone())
                        .unwrap_or_default(),
                )
            } else {
                Reviewer::User(
                    who.login
                        .clone()
                        .or_else(|| who.name.clone())
                        .unwrap_or_default(),
                )
            }
        })
        .collect();
    Approval {
        environment: p.environment.name.clone(),
        environment_id: p.environment.id,
        reviewers,
        current_user_can_approve: p.current_user_can_approve,
        wait_timer_minutes: p.wait_timer,
        wait_timer_started_at: p.wait_timer_started_at,
    }
}

/// Builds the cockpit's view of a run. Jobs keep the order GitHub lists them in.
pub fn to_pipeline(
    run: &WorkflowRun,
    jobs: &[Job],
    pending: &[PendingDeployment],
    expected: &ExpectedDurations,
) -> Pipeline {
    let state = run_state(run);
    let mut phases: Vec<Phase> = jobs.iter().map(|j| phase(j, expected)).collect();
    // A run waiting on an environment whose job GitHub still lists as queued: flag that job.
    if state == RunState::WaitingApproval
        && !phases
            .iter()
            .any(|p| p.state == PhaseState::WaitingApproval)
        && let Some(p) = phases.iter_mut().find(|p| p.state == PhaseState::Pending)
    {
        p.state = PhaseState::WaitingApproval;
    }
    Pipeline {
        run_id: run.id,
        run_number: run.run_number,
        title: if run.display_title.is_empty() {
            run.name.clone().unwrap_or_default()
        } else {
            run.display_title.clone()
        },
        html_url: run.html_url.clone(),
        state,
        conclusion: run.conclusion.clone(),
        created_at: run.created_at,
        started_at: run.run_started_at,
        updated_at: run.updated_at,
        phases,
        approvals: pending.iter().map(approval).collect(),
    }
}
