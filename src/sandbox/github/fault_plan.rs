//! The sandbox-only fault plan of the GitHub subset (`POST /_sandbox/github/faults`; see the
//! module docs of [`super`]): what the next requests and dispatched runs do wrong.

use serde::{Deserialize, Serialize};

/// A sandbox-only fault plan (see the module docs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    #[serde(default)]
    pub rate_limit: Option<RateFault>,
    /// 1-based phase at which the next dispatched run fails.
    #[serde(default)]
    pub fail_at_phase: Option<usize>,
    #[serde(default)]
    pub approval_gate: bool,
    /// Runs dispatched from then on have this many jobs (a matrix past 100 exercises paging).
    #[serde(default)]
    pub jobs: Option<usize>,
    /// Runs dispatched from then on: every job lasts this many simulated seconds.
    #[serde(default)]
    pub job_secs: Option<f64>,
    /// The next dispatch creates its run but answers this status (e.g. 502: the answer is lost).
    #[serde(default)]
    pub dispatch_status: Option<u16>,
    /// Dispatches answer 204 without run details (as servers before `return_run_details` do).
    #[serde(default)]
    pub no_run_details: bool,
    /// Real seconds before a dispatched run shows in run lists (default 3).
    #[serde(default)]
    pub list_delay_secs: Option<f64>,
    /// The name of the environment runs wait on (default `prod`), e.g. `production`.
    #[serde(default)]
    pub approval_environment: Option<String>,
    /// The token's user is not a required reviewer: `current_user_can_approve` is false.
    #[serde(default)]
    pub not_reviewer: bool,
    /// The next review is applied but answered with this status (e.g. 502: the answer is lost).
    #[serde(default)]
    pub review_status: Option<u16>,
    #[serde(default, skip_serializing)]
    pub clear: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateFault {
    pub count: u32,
    #[serde(default = "default_fault_status")]
    pub status: u16,
    #[serde(default = "default_retry_after")]
    pub retry_after: u64,
}

fn default_fault_status() -> u16 {
    429
}

fn default_retry_after() -> u64 {
    60
}
