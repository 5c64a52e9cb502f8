//! A command that has read what only it can read (the lanes, the platform's freezes, its own
//! probes of the source lane, the ledger's last seq; see [`super::command_read`]) and is ready for
//! its gates: what it asks,
//! what it records, and what it sends once recorded, all as data. Whoever hosts the command (the
//! cockpit's `update`, or the CLI's short loop) decides the gates, has the record appended at the
//! seq the decision rests on, then runs the send as one effect.

use super::command::GateAction;
use super::gate_question::GateQuestion;
use super::outcome::Outcome;
use super::rollout::NextAction;
use crate::probes::ResolvedProbe;

#[derive(Debug, Clone, PartialEq)]
pub struct CommandPlan {
    /// What the gates are asked; `None`: no gate stands before it (a rejection stops a change).
    pub question: Option<GateQuestion>,
    /// The outcome so far: kind, environment, release, image, revisions.
    pub outcome: Outcome,
    /// The ledger's action name: the kind's own, or a platform gate's (`approve`, `advance`…).
    pub action: String,
    /// What the command record says besides action, env and release.
    pub detail: serde_json::Value,
    pub send: Outgoing,
}

/// What goes out once the command is recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A Cloud Run trigger or promote: the rollout machine, driven by the host.
    Rollout(RolloutPlan),
    /// A Cloud Run rollback: one change, then the lane's probes, driven by the host.
    Change {
        action: NextAction,
        probes: Vec<ResolvedProbe>,
    },
    /// One call to a provider (with its operation followed and the lane read after it).
    Call(ProviderCall),
    /// Nothing: the command failed before anything could be sent (reading a lane); its attempt
    /// and the outcome it already has are recorded.
    Nothing,
}

/// A Cloud Run rollout's plan, before the record gives it its request id.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutPlan {
    pub from_revision: String,
    pub image: String,
    pub steps: Vec<u8>,
    pub bake_secs: u64,
    pub auto_rollback_after: Option<u32>,
    /// The service URI the lane's probes resolve against.
    pub uri: Option<String>,
    /// The lane's health probe, for the guard's probes of the new revision.
    pub health: Option<ResolvedProbe>,
}

/// One provider call as data; `commands::perform` runs it with the request id of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderCall {
    /// The team's own command for `key` (`trigger`, `promote`, `rollback`).
    Script {
        key: String,
        argv: Vec<String>,
        version: String,
        from: String,
        to: String,
        revision: String,
    },
    /// A `workflow_dispatch` of the profile's release workflow with these inputs.
    Dispatch {
        version: String,
        inputs: serde_json::Map<String, serde_json::Value>,
    },
    /// GitHub: approve or reject the deployment run `run_id` waits for on `environment` (id
    /// `environment_id`), with the comment composed from the grid.
    Review {
        run_id: u64,
        run_number: u64,
        run_url: String,
        environment: String,
        environment_id: u64,
        reject: bool,
        comment: String,
    },
    /// Cloud Deploy: a release of `image` (the service rolls it out to the first stage).
    /// `overrides`: the deploy policies in force, named in `overrideDeployPolicy`.
    CreateRelease {
        version: String,
        image: String,
        overrides: Vec<String>,
    },
    /// Cloud Deploy: a rollout of `release` (its full name) on the environment's target.
    CreateRollout {
        from_env: String,
        release: String,
        overrides: Vec<String>,
    },
    /// Cloud Deploy: `rollbackTarget` away from `rollout`, to `release` or the previous good one.
    RollbackTarget {
        rollout: String,
        release: Option<String>,
        overrides: Vec<String>,
    },
    /// Cloud Deploy: approve, reject, advance (to `phase`), cancel or retry (`phase`/`job`) the
    /// rollout named.
    RolloutAction {
        action: GateAction,
        rollout: String,
        phase: String,
        job: String,
        overrides: Vec<String>,
    },
}

/// The command's entry (with the overrides before it), to be appended only while the ledger's
/// last entry is still `read_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRecord {
    pub action: String,
    pub env: String,
    pub release: String,
    pub detail: serde_json::Value,
    /// The gates the reason waived, each recorded as an `override` entry.
    pub overridden: Vec<String>,
    pub override_reason: String,
    /// `None`: no gate read the ledger, so the record may go anywhere.
    pub read_at: Option<u64>,
}

/// Why a command was not recorded (and so not sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRecorded {
    /// Entries arrived after the one the gates were decided on: decide again.
    Moved { read_at: u64, head_seq: u64 },
    /// The ledger could not be written.
    Failed(String),
}

impl CommandPlan {
    /// The gates the reason waived: those the gates name, and those the plan waived itself (a
    /// platform's deploy policy in force, named in its request).
    pub fn overridden(&self, by_gates: &[String]) -> Vec<String> {
        let mut all = by_gates.to_vec();
        for gate in &self.outcome.overridden {
            if !all.contains(gate) {
                all.push(gate.clone());
            }
        }
        all
    }

    /// The record of this command once its gates passed (`overridden` from [`Self::overridden`]).
    pub fn record(
        &self,
        overridden: Vec<String>,
        read_at: Option<u64>,
        override_reason: Option<&str>,
    ) -> CommandRecord {
        CommandRecord {
            action: self.action.clone(),
            env: self.outcome.env.clone(),
            release: self.outcome.release.clone().unwrap_or_default(),
            detail: self.detail.clone(),
            overridden,
            override_reason: override_reason.unwrap_or_default().trim().to_string(),
            read_at,
        }
    }
}

impl NotRecorded {
    /// The outcome of a command that was not recorded: stale (decide again) or failed.
    pub fn outcome(&self, planned: &Outcome) -> Outcome {
        let mut outcome = planned.clone();
        match self {
            NotRecorded::Moved { read_at, head_seq } => {
                outcome.status = super::outcome::Status::Stale;
                outcome.message = format!(
                    "not sent: the ledger changed while the gates were checked (entry {read_at} → {head_seq}); \
                     nothing was recorded: run it again to decide on what the ledger says now"
                );
            }
            NotRecorded::Failed(e) => {
                outcome.status = super::outcome::Status::Failed;
                outcome.message = format!("not sent: the ledger could not record the command: {e}");
            }
        }
        outcome
    }
}

impl ProviderCall {
    /// What is sent, for the command's phase line.
    pub fn describe(&self) -> String {
        match self {
            ProviderCall::Script { argv, .. } => format!("running {}", argv.join(" ")),
            ProviderCall::Dispatch { version, .. } => {
                format!("dispatching the release workflow for {version}")
            }
            ProviderCall::Review {
                environment,
                reject,
                run_number,
                ..
            } => format!(
                "{} {environment} for run #{run_number}",
                if *reject { "rejecting" } else { "approving" }
            ),
            ProviderCall::CreateRelease { version, .. } => format!("creating release {version}"),
            ProviderCall::CreateRollout { release, .. } => {
                format!("creating a rollout of {}", last_segment(release))
            }
            ProviderCall::RollbackTarget { rollout, .. } => {
                format!("rolling back from {}", last_segment(rollout))
            }
            ProviderCall::RolloutAction {
                action, rollout, ..
            } => format!("{} rollout {}", action.name(), last_segment(rollout)),
        }
    }
}

fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
