//! The command engine: trigger, promote (with canary steps) and rollback through Cloud Run.
//!
//! - [`wire`]: one change to one service, safely: GET → modify → PATCH → follow the LRO → re-read.
//!   A PATCH whose fate is unknown (timeout, transport error, 429/503) is never re-sent blindly:
//!   the service is re-read and the change is re-sent only if it did not apply.
//! - [`driver`]: hosts the pure rollout machine ([`crate::model::rollout_drive`]): runs its
//!   effects (ledger appends with the driver's lease, one change, one probe) and feeds answers back.
//! - [`rollout`]: rollouts beyond one process: in-flight check, rollback target, hosting the machine;
//!   [`rollout_control`]: `flightdeck rollout …` and takeover.
//! - [`health`]: one-shot HTTP probes (source green, health after rollback, canary guard).
//! - Every command is read and planned first ([`prepared`]: a
//!   [`crate::model::command_plan::CommandPlan`], plain data). Planning is pure ([`plan`]): a
//!   planner names the one read it needs next, which its host makes ([`read`], one wire
//!   operation) and adds to what it knows, until it plans. [`route`] picks the planner:
//!   [`clouddeploy`], [`clouddeploy_gate`], [`clouddeploy_rollback`], [`script`], [`dispatch`]
//!   and [`approve`] (GitHub environment approvals) for the environments those providers run;
//!   Cloud Run's trigger and promote in `cloudrun`, its rollback in [`rollback`].
//! - Then its gates ([`guard`]), its record at the entry they rest on ([`record`]), and its send:
//!   the rollout or change machine, or one provider call ([`perform`], [`clouddeploy_send`]).
//!   The cockpit's `update` hosts those steps; the CLI hosts them in [`carry_out`].
//! - [`outcome`]: the result. Their clap arguments and CLI glue live in `cli/`.

pub mod approve;
mod approve_comment;
mod approve_send;
mod carry_out;
pub mod clouddeploy;
pub mod clouddeploy_gate;
mod clouddeploy_policy;
mod clouddeploy_rollback;
mod clouddeploy_send;
pub mod clouddeploy_wire;
mod cloudrun;
pub mod context;
pub mod dispatch;
pub mod driver;
pub mod guard;
pub mod health;
pub mod outcome;
pub mod perform;
pub mod plan;
#[cfg(test)]
#[doc(hidden)]
pub mod plan_fixtures;
#[cfg(test)]
mod plan_tests;
pub mod prepared;
pub mod read;
pub mod record;
mod request_checks;
pub mod rollback;
pub mod rollout;
pub mod rollout_control;
pub mod route;
pub mod run;
pub mod script;
pub mod wire;
mod wire_change;

use std::sync::Arc;
use std::time::Duration;

pub use crate::model::command::{Progress, TriggerVia};
use crate::providers::cloudrun::ApiError;

/// Timeouts and backoff for the calls of a command.
#[derive(Debug, Clone)]
pub struct WireOptions {
    /// Per API call; past it the call counts as a transport error (outcome unknown).
    pub call_timeout: Duration,
    /// LRO polling: first wait, then ×1.5 up to `poll_max`.
    pub poll_initial: Duration,
    pub poll_max: Duration,
    /// Overall deadline for one operation to be done and the service settled.
    pub op_deadline: Duration,
    /// Tries of one change (re-reads after uncertain or refused PATCHes included).
    pub max_attempts: u32,
    /// First retry wait without Retry-After, doubled each time up to 32× this.
    pub backoff_base: Duration,
}

impl WireOptions {
    /// The shared GET retry policy with this command's attempts and first wait.
    pub fn read_retry(&self) -> crate::providers::retry::RetryPolicy {
        crate::providers::retry::RetryPolicy {
            attempts: self.max_attempts.max(1),
            base: self.backoff_base,
            max_backoff: self.backoff_base * 32,
            max_server_wait: Duration::from_secs(120),
        }
    }
}

impl Default for WireOptions {
    fn default() -> Self {
        WireOptions {
            call_timeout: Duration::from_secs(30),
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(10),
            op_deadline: Duration::from_secs(15 * 60),
            max_attempts: 6,
            backoff_base: Duration::from_secs(1),
        }
    }
}

/// Receives progress; cheap to clone into tasks.
pub type ProgressSink = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Tells each retry of a read in `env` as [`Progress::Retrying`].
pub fn retry_observer(env: &str, progress: &ProgressSink) -> crate::providers::retry::Observer {
    let (env, progress) = (env.to_string(), progress.clone());
    crate::providers::retry::Observer::new(move |error, wait| {
        progress(&Progress::Retrying {
            env: env.clone(),
            wait_secs: wait.as_secs_f64(),
            error: error.to_string(),
        });
    })
}

/// A sink that drops everything.
pub fn quiet() -> ProgressSink {
    Arc::new(|_| {})
}

#[derive(Debug, Clone, PartialEq)]
pub enum CommandError {
    /// The API refused or could not be reached (after retries).
    Api(ApiError),
    /// The operation or the service did not get done in time, or ended failed.
    Failed(String),
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::Api(e) => write!(f, "{e}"),
            CommandError::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<ApiError> for CommandError {
    fn from(e: ApiError) -> Self {
        CommandError::Api(e)
    }
}
