//! The result of a command: what it did, printed as text or as JSON (`--json`), recorded in the
//! ledger as the `command_outcome`, kept in the model, and mapped to the process exit code.

use serde::Serialize;

use super::command::{CommandKind, Refusal};
use super::lane::{TrafficSlice, split_text};
use super::rollout::Rollout;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    /// A gate said no; nothing was sent.
    Refused,
    /// Bad arguments (unknown environment, no such revision…); nothing was sent.
    Usage,
    /// A canary was rolled back (by hand or by the guard).
    Aborted,
    /// Sent, but the result is not what was asked (unhealthy, op failed, not recorded).
    Failed,
    /// The cloud API refused or could not be reached.
    ApiError,
    /// The ledger changed between the gates and the record: nothing was recorded or sent; the
    /// gates must be checked again.
    Stale,
    /// A rollout still in flight, handed over (released lease): another driver may take it over.
    HandedOver,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The `--json` shape's version ([`crate::json_out::SCHEMA_VERSION`]); not in the ledger.
    pub schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub action: CommandKind,
    /// What was done when it is not the kind's own name (`approve`, `advance`, `cancel`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    pub env: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    pub status: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_revision: Option<String>,
    /// The traffic split when the command ended, as `status --json` shows a lane's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Vec<TrafficSlice>>,
    pub patches_sent: u32,
    pub elapsed_secs: f64,
    /// Rollback: from the command to a settled service with passing probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthy_after_secs: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<Refusal>,
    /// Gates waived by `--override-reason` (each recorded as an `override` entry).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
}

impl Outcome {
    pub fn new(
        action: CommandKind,
        env: &str,
        status: Status,
        message: impl Into<String>,
    ) -> Outcome {
        Outcome {
            schema_version: crate::json_out::SCHEMA_VERSION,
            request_id: None,
            action,
            verb: None,
            env: env.to_string(),
            release: None,
            status,
            message: message.into(),
            image: None,
            from_revision: None,
            to_revision: None,
            traffic: None,
            patches_sent: 0,
            elapsed_secs: 0.0,
            healthy_after_secs: None,
            refusals: Vec::new(),
            overridden: Vec::new(),
            rollout: None,
        }
    }

    /// The ledger's `command_outcome` entry, for a command that was recorded.
    pub fn ledger_entry(&self) -> Option<crate::ledger::Payload> {
        Some(crate::ledger::Payload::CommandOutcome {
            request_id: self.request_id.clone()?,
            ok: self.ok(),
            detail: self.ledger_detail(),
        })
    }

    pub fn refused(action: CommandKind, env: &str, refusals: Vec<Refusal>) -> Outcome {
        let lines: Vec<String> = refusals
            .iter()
            .map(|r| format!("[{}] {}", r.gate.name(), r.message))
            .collect();
        let mut outcome = Outcome::new(action, env, Status::Refused, lines.join("\n"));
        outcome.refusals = refusals;
        outcome
    }

    pub fn ok(&self) -> bool {
        self.status == Status::Done
    }

    /// What goes into the ledger's `command_outcome.detail` (the outcome without the rollout's
    /// internals, plus its final phase).
    pub fn ledger_detail(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("rollout");
            map.remove("request_id");
            map.remove("schema_version");
            if let Some(rollout) = &self.rollout {
                map.insert(
                    "phase".into(),
                    serde_json::to_value(&rollout.phase).unwrap_or_default(),
                );
            }
        }
        value
    }

    /// The human summary printed on stdout without `--json`.
    pub fn text(&self) -> String {
        let verb = match self.status {
            Status::Done => "done",
            Status::Refused => "refused",
            Status::Usage => "usage error",
            Status::Aborted => "aborted",
            Status::Failed => "failed",
            Status::HandedOver => "handed over",
            Status::Stale => "not sent",
            Status::ApiError => "API error",
        };
        let action = self
            .verb
            .clone()
            .unwrap_or_else(|| format!("{:?}", self.action));
        let mut out = format!("{action} {}: {verb}: {}", self.env, self.message).to_lowercase();
        // The message keeps its case; only the prefix is lower-cased.
        out.truncate(out.len() - self.message.len());
        out.push_str(&self.message);
        if let Some(traffic) = &self.traffic {
            out.push_str(&format!("\ntraffic: {}", split_text(traffic)));
        }
        if let Some(secs) = self.healthy_after_secs {
            out.push_str(&format!("\nhealthy after {secs:.1}s"));
        }
        if let Some(id) = &self.request_id {
            out.push_str(&format!("\nrequest {id}"));
        }
        out
    }
}
