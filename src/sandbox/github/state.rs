//! The simulated GitHub's state, shared by every route: the repository, its runs, the fault
//! plan, the rate-limit budget and the request counters.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::breathe::Breath;
use super::fault_plan::Faults;
use super::sim::{QUEUE_SECS, SimRun, duration};

/// Request counters (`GET /_sandbox/github/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubStats {
    /// All API requests received.
    pub requests: u64,
    /// Requests that counted against the rate limit (not 304, not refused).
    pub counted: u64,
    pub not_modified: u64,
    pub rate_limited: u64,
    /// Counted requests per client: the `User-Agent` without its version (`flightdeck`,
    /// `GitHub CLI`, `PyGithub`…), so that clients watching side by side can be compared.
    #[serde(default)]
    pub counted_by_client: std::collections::BTreeMap<String, u64>,
}

pub(super) struct SimState {
    pub(super) speed: f64,
    pub(super) epoch: Instant,
    pub(super) wall0: DateTime<Utc>,
    pub(super) owner: String,
    pub(super) repo: String,
    pub(super) workflow: String,
    pub(super) workflow_id: u64,
    pub(super) runs: Vec<SimRun>,
    pub(super) next_id: u64,
    pub(super) faults: Faults,
    /// Real seconds a dispatched run stays out of run lists.
    pub(super) list_delay: f64,
    pub(super) remaining: u64,
    pub(super) reset: i64,
    pub(super) stats: GithubStats,
    /// The demo's next build, when this sandbox breathes (see [`Breath`]).
    pub(super) breath: Option<Breath>,
    pub(super) reviews: Vec<Review>,
}

/// One `POST …/pending_deployments` as received (`GET /_sandbox/github/reviews`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub run_id: u64,
    pub environment_ids: Vec<u64>,
    pub state: String,
    pub comment: String,
}

impl SimState {
    /// The environment runs wait on.
    pub(super) fn gate_env(&self) -> &str {
        self.faults
            .approval_environment
            .as_deref()
            .unwrap_or("prod")
    }
}

pub(super) const RATE_LIMIT: u64 = 5000;
/// Real seconds between a dispatch and its run showing in run lists, by default.
pub(super) const LIST_DELAY_SECS: f64 = 3.0;

impl SimState {
    /// Simulated seconds since the sandbox started.
    pub(super) fn now(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() * self.speed
    }

    /// The wall clock as the sandbox sees it (start + real elapsed).
    pub(super) fn wall_now(&self) -> DateTime<Utc> {
        let ms = i64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.wall0 + TimeDelta::milliseconds(ms)
    }

    pub(super) fn add_run(&mut self, version: &str, event: &str, start: f64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let digest = sha_hex(format!("{id}{version}").as_bytes());
        self.runs.push(SimRun {
            id,
            run_number: id - 9_000_000,
            version: version.into(),
            head_sha: digest[..40].into(),
            git_ref: "main".into(),
            event: event.into(),
            start,
            fail_at: None,
            gate: false,
            approved_at: None,
            rejected_at: None,
            cancelled_at: None,
            job_count: self.faults.jobs.unwrap_or(10).clamp(1, 1000),
            job_secs: self.faults.job_secs.filter(|s| s.is_finite() && *s > 0.0),
            listed_from: start,
        });
        id
    }

    /// Starts breathing: the first demo build is already running.
    pub(super) fn start_breathing(&mut self) {
        self.breath = Some(Breath::first());
        self.breathe();
    }

    /// Adds every demo build due by now.
    fn breathe(&mut self) {
        let now = self.now();
        let due = self.breath.as_mut().map(|b| b.due(now)).unwrap_or_default();
        for (version, start) in due {
            self.add_run(&version, "workflow_dispatch", start);
        }
    }

    /// Applies a fault plan: `clear` first, then every field set (flags only turn on).
    pub(super) fn apply_faults(&mut self, f: Faults) {
        if f.clear {
            self.faults = Faults::default();
            self.list_delay = LIST_DELAY_SECS;
        }
        if f.rate_limit.is_some() {
            self.faults.rate_limit = f.rate_limit;
        }
        if f.fail_at_phase.is_some() {
            self.faults.fail_at_phase = f.fail_at_phase;
        }
        self.faults.approval_gate |= f.approval_gate;
        if f.dispatch_status.is_some() {
            self.faults.dispatch_status = f.dispatch_status;
        }
        self.faults.no_run_details |= f.no_run_details;
        if f.jobs.is_some() {
            self.faults.jobs = f.jobs;
        }
        if f.job_secs.is_some() {
            self.faults.job_secs = f.job_secs;
        }
        if f.approval_environment.is_some() {
            self.faults.approval_environment = f.approval_environment;
        }
        self.faults.not_reviewer |= f.not_reviewer;
        if f.review_status.is_some() {
            self.faults.review_status = f.review_status;
        }
        if let Some(d) = f.list_delay_secs.filter(|d| d.is_finite() && *d >= 0.0) {
            self.list_delay = d;
            // Runs not listed yet follow the new delay too.
            let (now, speed) = (self.now(), self.speed);
            for run in self.runs.iter_mut().filter(|r| r.listed_from > now) {
                run.listed_from = run.start + d * speed;
            }
        }
    }
}

pub(super) fn sha_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// The simulated GitHub: cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct GithubSim {
    inner: Arc<Mutex<SimState>>,
}

impl GithubSim {
    /// A sandbox for `clarity/clarity-backend`, workflow `release.yml` (the sandbox profile),
    /// with one successful past run. `speed` = simulated seconds per real second (> 0).
    pub fn new(speed: f64) -> Self {
        GithubSim::with_repo(speed, "clarity", "clarity-backend", "release.yml")
    }

    pub fn with_repo(speed: f64, owner: &str, repo: &str, workflow: &str) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let wall0 = Utc::now();
        let mut st = SimState {
            speed,
            epoch: Instant::now(),
            wall0,
            owner: owner.into(),
            repo: repo.into(),
            workflow: workflow.into(),
            workflow_id: 161_335,
            runs: Vec::new(),
            next_id: 9_000_001,
            faults: Faults::default(),
            list_delay: LIST_DELAY_SECS,
            remaining: RATE_LIMIT,
            reset: wall0.timestamp() + 3600,
            stats: GithubStats::default(),
            breath: None,
            reviews: Vec::new(),
        };
        let total: f64 = (0..10).map(duration).sum();
        st.add_run("1.4.2", "workflow_dispatch", -(total + QUEUE_SECS + 3600.0));
        GithubSim {
            inner: Arc::new(Mutex::new(st)),
        }
    }

    /// The demo's sandbox: a build in progress from the start, and a new one after each ends.
    pub fn breathing(self) -> Self {
        self.lock().start_breathing();
        self
    }

    /// The state, with the demo's builds due by now added (when breathing).
    pub(super) fn lock(&self) -> MutexGuard<'_, SimState> {
        // Plain data; a panicking handler cannot leave it inconsistent in a way that matters.
        let mut st = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        st.breathe();
        st
    }

    pub fn stats(&self) -> GithubStats {
        self.lock().stats.clone()
    }

    /// Every review received, in order.
    pub fn reviews(&self) -> Vec<Review> {
        self.lock().reviews.clone()
    }

    /// Applies a fault plan (as `POST /_sandbox/github/faults` does).
    pub fn set_faults(&self, f: Faults) {
        self.lock().apply_faults(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breathing_sandbox_starts_mid_build_and_a_still_one_does_not() {
        let still = GithubSim::new(20.0);
        assert_eq!(still.lock().runs.len(), 1, "only the past build");
        let demo = GithubSim::new(20.0).breathing();
        let st = demo.lock();
        assert_eq!(st.runs.len(), 2);
        let run = &st.runs[1];
        assert_eq!(run.version, "1.4.3");
        let view = run.view(st.now());
        assert_eq!(view.status, "in_progress");
        assert_eq!(view.jobs[0].conclusion, Some("success"), "phase 1 is done");
        assert_eq!(view.jobs[1].status, "in_progress", "phase 2 runs");
    }
}
