//! Answers for a planner's reads from the sandbox's simulated Cloud Run (the JSON the real API
//! answers) and a ledger as given: for tests that feed a planner, or `update`, only answers.

use chrono::Utc;

use crate::config::Profile;
use crate::ledger::Entry;
use crate::model::command_read::{LedgerRead, Read, ReadAnswer, ReadFailure, ReadValue};
use crate::model::outcome::Status;
use crate::sandbox::state::SandboxState;

/// The built-in sandbox profile (dev, staging, prod on Cloud Run).
pub fn sandbox_profile() -> Profile {
    (*crate::model::fixtures::sandbox_setup().profile).clone()
}

/// A cloud that answers every read: the seeded sandbox's services, every probe green unless
/// named in `failing_probes`, the ledger `entries` ending at `tail_seq`.
pub struct Cloud {
    pub profile: Profile,
    pub sandbox: SandboxState,
    pub entries: Vec<Entry>,
    pub tail_seq: u64,
    /// `(env, probe index)` that answer 503.
    pub failing_probes: Vec<(String, usize)>,
    /// Reads that fail with this status and message.
    pub failing: Vec<(Read, Status, String)>,
}

impl Cloud {
    pub fn new() -> Cloud {
        Cloud {
            profile: sandbox_profile(),
            sandbox: SandboxState::new(1.0, "http://127.0.0.1:9"),
            entries: Vec::new(),
            tail_seq: 0,
            failing_probes: Vec::new(),
            failing: Vec::new(),
        }
    }

    fn service_name(&self, env: &str) -> String {
        self.profile
            .environment(env)
            .and_then(|e| e.cloudrun.as_ref())
            .map(|c| c.service_name())
            .unwrap_or_default()
    }

    pub fn answer(&self, read: &Read) -> ReadAnswer {
        if let Some((_, status, message)) = self.failing.iter().find(|(r, _, _)| r == read) {
            return Err(ReadFailure {
                status: *status,
                message: message.clone(),
            });
        }
        let sim = self.sandbox.lock_cloudrun();
        let json = |value: serde_json::Value| Ok(ReadValue::Json(value));
        let not_found = |e: crate::sandbox::cloudrun_sim::SimError| ReadFailure {
            status: Status::ApiError,
            message: format!("{e:?}"),
        };
        match read {
            Read::CloudRunService { env } => {
                let service = sim
                    .service_json(&self.service_name(env), Utc::now())
                    .map_err(not_found)?;
                json(serde_json::to_value(service).expect("a service serializes"))
            }
            Read::CloudRunRevisions { env } => {
                let revisions = sim
                    .revisions_json(&self.service_name(env))
                    .map_err(not_found)?;
                json(serde_json::to_value(revisions).expect("revisions serialize"))
            }
            Read::Probe { env, index, uri } => {
                let failing = self.failing_probes.contains(&(env.clone(), *index));
                Ok(ReadValue::Probe {
                    url: format!("{}/probe{index}", uri.as_deref().unwrap_or("?")),
                    green: !failing,
                    detail: if failing { "503" } else { "200 ok" }.into(),
                })
            }
            Read::Ledger => Ok(ReadValue::Ledger(LedgerRead {
                entries: self.entries.clone(),
                tail_seq: self.tail_seq,
            })),
            Read::LedgerHead => Ok(ReadValue::Head(None)),
            other => Err(ReadFailure {
                status: Status::Failed,
                message: format!("no answer for {other:?} here"),
            }),
        }
    }
}

impl Default for Cloud {
    fn default() -> Self {
        Cloud::new()
    }
}
