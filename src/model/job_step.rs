//! A job as GitHub reports it: its state and its steps. Below both the pipeline (which lists the
//! jobs as phases) and the phase detail (which shows one in depth).

use chrono::{DateTime, TimeDelta, Utc};

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

/// One step of a job (`job.steps[]`), in GitHub's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub number: u64,
    pub name: String,
    pub state: PhaseState,
    /// The raw conclusion (`success`, `failure`, `timed_out`, …) once the step finished.
    pub conclusion: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Step {
    /// Time spent so far (or in total, once completed). `None` before it starts.
    pub fn elapsed(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        let start = self.started_at?;
        let end = self.completed_at.unwrap_or(now);
        Some((end - start).max(TimeDelta::zero()))
    }
}
