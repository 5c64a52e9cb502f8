//! A build pipeline run as release phases: one phase per job, in order, with progress and ETA.
//!
//! Pure data: no I/O, no clock reads (every time-dependent helper takes `now`), no ratatui.
//! The GitHub provider builds a [`Pipeline`] from a workflow run and its jobs.

use chrono::{DateTime, TimeDelta, Utc};

/// The ten build phases of seed 000 with their expected range in minutes (low, high).
pub const SEED_PHASES: [(&str, u32, u32); 10] = [
    ("Environment Setup & Validation", 0, 10),
    ("Dependency Installation & Security Audit", 5, 15),
    ("Code Quality & Security Verification", 2, 5),
    ("Test Suite Execution", 10, 30),
    ("ML Model Validation", 5, 15),
    ("HIPAA Compliance Verification", 3, 10),
    ("Build & Package Creation", 5, 10),
    ("Deployment Readiness Check", 2, 5),
    ("Production Deployment", 10, 20),
    ("Post-Deployment Verification", 5, 15),
];

/// The state of one phase (a job). Queued and pending jobs are both `Pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhaseState {
    Pending,
    Running,
    /// Blocked on an environment approval (see [`Pipeline::approvals`]).
    WaitingApproval,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

impl PhaseState {
    /// Finished, whatever the outcome.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            PhaseState::Succeeded
                | PhaseState::Failed
                | PhaseState::Skipped
                | PhaseState::Cancelled
        )
    }

    /// A word for the screen (colour is never the only signal).
    pub fn label(self) -> &'static str {
        match self {
            PhaseState::Pending => "pending",
            PhaseState::Running => "running",
            PhaseState::WaitingApproval => "waiting for approval",
            PhaseState::Succeeded => "succeeded",
            PhaseState::Failed => "failed",
            PhaseState::Skipped => "skipped",
            PhaseState::Cancelled => "cancelled",
        }
    }
}

/// The overall state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunState {
    Queued,
    Running,
    WaitingApproval,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunState {
    pub fn is_done(self) -> bool {
        matches!(
            self,
            RunState::Succeeded | RunState::Failed | RunState::Cancelled
        )
    }
}

/// One phase (a job of the run).
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub state: PhaseState,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Completed steps (k of `steps_total`).
    pub steps_done: u32,
    pub steps_total: u32,
    /// The step in progress, if any.
    pub current_step: Option<String>,
    /// The step that failed, when the phase failed.
    pub failed_step: Option<String>,
    /// The raw job conclusion (`failure`, `timed_out`, …) when the phase finished.
    pub conclusion: Option<String>,
    pub expected: Option<TimeDelta>,
    /// The job's check run (its annotations say why it failed); `None` when unknown.
    pub check_run_id: Option<u64>,
    pub steps: Vec<super::phase_detail::Step>,
}

impl Phase {
    /// Time spent so far (or in total, once completed). `None` before it starts.
    pub fn elapsed(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        let start = self.started_at?;
        let end = self.completed_at.unwrap_or(now);
        Some((end - start).max(TimeDelta::zero()))
    }

    /// Fraction done in 0..=1: by expected duration while running (capped below 1), else by steps.
    pub fn fraction(&self, now: DateTime<Utc>) -> f64 {
        match self.state {
            s if s.is_done() => 1.0,
            PhaseState::Pending | PhaseState::WaitingApproval => 0.0,
            _ => {
                let by_steps = if self.steps_total > 0 {
                    f64::from(self.steps_done) / f64::from(self.steps_total)
                } else {
                    0.0
                };
                let by_time = match (self.elapsed(now), self.expected) {
                    (Some(e), Some(x)) if x > TimeDelta::zero() => secs(e) / secs(x),
                    _ => 0.0,
                };
                by_steps.max(by_time).min(0.99)
            }
        }
    }
}

/// Who may approve a waiting deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewer {
    User(String),
    Team(String),
}

/// A deployment waiting for an environment approval.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub environment: String,
    pub environment_id: u64,
    pub reviewers: Vec<Reviewer>,
    pub current_user_can_approve: bool,
    /// Minutes GitHub holds the job after the approval (the environment's wait timer).
    pub wait_timer_minutes: u64,
    pub wait_timer_started_at: Option<DateTime<Utc>>,
}

impl Approval {
    /// Logins and `team slug`s, for "who may approve".
    pub fn reviewer_names(&self) -> Vec<String> {
        self.reviewers
            .iter()
            .map(|r| match r {
                Reviewer::User(login) => login.clone(),
                Reviewer::Team(slug) => format!("team {slug}"),
            })
            .collect()
    }
}

/// A pipeline run as the cockpit shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub run_id: u64,
    pub run_number: u64,
    pub title: String,
    pub html_url: String,
    pub state: RunState,
    pub conclusion: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub phases: Vec<Phase>,
    pub approvals: Vec<Approval>,
}

impl Pipeline {
    /// The phase to highlight: running or waiting, else the first failed/cancelled, else the next
    /// pending one, else (all done) the last. `None` only when there are no phases.
    pub fn current_phase(&self) -> Option<usize> {
        let find = |f: &dyn Fn(PhaseState) -> bool| self.phases.iter().position(|p| f(p.state));
        find(&|s| matches!(s, PhaseState::Running | PhaseState::WaitingApproval))
            .or_else(|| find(&|s| matches!(s, PhaseState::Failed | PhaseState::Cancelled)))
            .or_else(|| find(&|s| s == PhaseState::Pending))
            .or_else(|| self.phases.len().checked_sub(1))
    }

    /// Overall progress in 0..=1, each phase weighted by its expected duration.
    pub fn progress(&self, now: DateTime<Utc>) -> f64 {
        if self.state.is_done() {
            return 1.0;
        }
        let fallback = self.mean_expected().unwrap_or(TimeDelta::minutes(1));
        let (mut done, mut total) = (0.0, 0.0);
        for p in &self.phases {
            let w = secs(p.expected.unwrap_or(fallback)).max(1.0);
            done += w * p.fraction(now);
            total += w;
        }
        if total > 0.0 { done / total } else { 0.0 }
    }

    /// Observed speed: actual / expected over succeeded phases with a known expectation
    /// (1.0 when nothing has completed yet), clamped to 0.1..=10.
    pub fn speed_ratio(&self) -> f64 {
        let (mut actual, mut expected) = (0.0, 0.0);
        for p in self
            .phases
            .iter()
            .filter(|p| p.state == PhaseState::Succeeded)
        {
            if let (Some(x), Some(s), Some(c)) = (p.expected, p.started_at, p.completed_at) {
                actual += secs(c - s).max(0.0);
                expected += secs(x);
            }
        }
        if expected > 0.0 {
            (actual / expected).clamp(0.1, 10.0)
        } else {
            1.0
        }
    }

    /// Time still to go: expected durations of unfinished phases scaled by [`Self::speed_ratio`],
    /// minus the time the running phase has already spent. `None` when the run is finished or
    /// failed, or no phase has an expected duration.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        if self.state.is_done() || self.phases.iter().any(|p| p.state == PhaseState::Failed) {
            return None;
        }
        let fallback = self.mean_expected()?;
        let ratio = self.speed_ratio();
        let mut left = 0.0;
        for p in self.phases.iter().filter(|p| !p.state.is_done()) {
            let expected = secs(p.expected.unwrap_or(fallback)) * ratio;
            let spent = match p.state {
                PhaseState::Running => p.elapsed(now).map_or(0.0, secs),
                _ => 0.0,
            };
            left += (expected - spent).max(0.0);
        }
        // Rounded to whole milliseconds; the float is finite (sums of finite values).
        Some(TimeDelta::milliseconds((left * 1000.0).round() as i64))
    }

    /// Estimated completion time (see [`Self::remaining`]).
    pub fn eta(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.remaining(now).map(|r| now + r)
    }

    /// The phase that failed, with its failing step and job conclusion.
    pub fn failure(&self) -> Option<(usize, &Phase)> {
        self.phases
            .iter()
            .enumerate()
            .find(|(_, p)| p.state == PhaseState::Failed)
    }

    fn mean_expected(&self) -> Option<TimeDelta> {
        let known: Vec<TimeDelta> = self.phases.iter().filter_map(|p| p.expected).collect();
        let n = i32::try_from(known.len()).ok().filter(|n| *n > 0)?;
        Some(known.iter().fold(TimeDelta::zero(), |a, b| a + *b) / n)
    }
}

/// Expected phase durations by name: the profile's, else the seed midpoints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExpectedDurations {
    entries: Vec<(String, TimeDelta)>,
}

impl ExpectedDurations {
    /// The seed-000 midpoints (e.g. "Test Suite Execution" 10-30 min → 20 min).
    pub fn seed() -> Self {
        let entries = SEED_PHASES
            .iter()
            .map(|(n, lo, hi)| (norm(n), TimeDelta::seconds(i64::from(lo + hi) * 30)))
            .collect();
        ExpectedDurations { entries }
    }

    /// Divides every duration by `speed` (a sandbox running `speed` simulated seconds per second).
    pub fn scaled(mut self, speed: f64) -> Self {
        if speed.is_finite() && speed > 0.0 {
            for (_, d) in &mut self.entries {
                *d = TimeDelta::milliseconds((secs(*d) * 1000.0 / speed).round() as i64);
            }
        }
        self
    }

    /// Sets (or adds) the expectation for one phase name.
    pub fn with(mut self, name: &str, d: TimeDelta) -> Self {
        let key = norm(name);
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, d));
        self
    }

    /// Looks a job name up, ignoring case, spaces and punctuation.
    pub fn get(&self, name: &str) -> Option<TimeDelta> {
        let key = norm(name);
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, d)| *d)
    }
}

fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn secs(d: TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
