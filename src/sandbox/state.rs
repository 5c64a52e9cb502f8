//! What every sandbox route shares: the simulated clock, the simulations behind their locks,
//! the fault switchboard and the request counters.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::clock::{Rng, SimClock};
use super::clouddeploy::sim::DeploySim;
use super::cloudrun_sim::CloudRunSim;
use super::fault_spec::{self, Faults};
use super::google_auth::GoogleAuth;

pub const PROJECT: &str = "clarity-sandbox";
pub const REGION: &str = "us-central1";

/// One sandbox's world, shared by every route (as axum state).
pub struct SandboxState {
    pub clock: SimClock,
    cloudrun: Mutex<CloudRunSim>,
    clouddeploy: Mutex<DeploySim>,
    faults: Mutex<Faults>,
    /// The demo's sandbox keeps producing work (see `github::breathe`); tests want it still.
    pub breathing: bool,
    google_auth: Mutex<GoogleAuth>,
    /// Requests answered (faulted or not) per `METHOD /path`, control routes excepted.
    requests: Mutex<BTreeMap<String, u64>>,
}

impl SandboxState {
    pub fn new(speed: f64, base_uri: &str) -> SandboxState {
        let clock = SimClock::new(speed);
        SandboxState {
            cloudrun: Mutex::new(CloudRunSim::seeded(
                PROJECT,
                REGION,
                base_uri,
                &clock,
                Rng::from_time(),
            )),
            clouddeploy: Mutex::new(DeploySim::seeded(PROJECT, REGION)),
            faults: Mutex::new(Faults::default()),
            breathing: false,
            google_auth: Mutex::new(GoogleAuth::default()),
            requests: Mutex::default(),
            clock,
        }
    }

    // A poisoned lock only means a handler panicked mid-update; the simulation stays usable.
    pub fn lock_cloudrun(&self) -> MutexGuard<'_, CloudRunSim> {
        self.cloudrun
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn lock_clouddeploy(&self) -> MutexGuard<'_, DeploySim> {
        self.clouddeploy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn lock_google_auth(&self) -> MutexGuard<'_, GoogleAuth> {
        self.google_auth
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn count_request(&self, method: &str, path: &str) {
        let mut seen = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *seen.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// Requests seen so far whose method is `method` and whose path matches `pattern` (a fault
    /// rule's pattern: `*` is any run of characters).
    pub fn requests_seen(&self, method: &str, pattern: &str) -> u64 {
        let seen = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        seen.iter()
            .filter_map(|(key, n)| {
                let (m, path) = key.split_once(' ')?;
                (m.eq_ignore_ascii_case(method) && fault_spec::glob(pattern, path)).then_some(*n)
            })
            .sum()
    }

    /// Every request seen so far, counted per `METHOD /path`.
    pub fn requests_by_route(&self) -> BTreeMap<String, u64> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn lock_faults(&self) -> MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
