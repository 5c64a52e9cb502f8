//! Commands this cockpit is running, per environment, as their progress reports tell them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::command::Request;
use crate::model::command_plan::CommandPlan;

/// A canary bake: traffic held at `percent` until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bake {
    pub percent: u8,
    pub until: DateTime<Utc>,
}

/// Where a command this cockpit runs is.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandPhase {
    /// Reading what its planner asks for, one read at a time (the lanes, the platform's
    /// freezes, the source lane's probes, the ledger); the answers so far.
    Reading(crate::model::command_read::Reads),
    /// Read and planned; the gates are decided once the model has read the ledger as far as the
    /// command did.
    Deciding(Box<CommandPlan>),
    /// The gates passed: the record is appended only at the entry they were decided on.
    Recording(Box<CommandPlan>),
    /// Recorded; its one provider call is out.
    Sending(String),
    /// Recorded; the rollout or change machine runs in this loop.
    Driving,
}

impl CommandPhase {
    /// Something may have reached the ledger or the cloud: its outcome is still to be recorded.
    pub fn is_out(&self) -> bool {
        !matches!(self, CommandPhase::Reading(_) | CommandPhase::Deciding(_))
    }

    pub fn describe(&self) -> String {
        match self {
            CommandPhase::Reading(_) => "reading the lanes".into(),
            CommandPhase::Deciding(_) => "deciding the gates".into(),
            CommandPhase::Recording(_) => "gates passed: recording".into(),
            CommandPhase::Sending(what) => what.clone(),
            CommandPhase::Driving => "running".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunningCommand {
    /// `promote staging → prod`.
    pub label: String,
    pub request: Request,
    /// The override reason this run was sent with, kept for the confirmation that may follow.
    pub override_reason: Option<String>,
    pub started: DateTime<Utc>,
    /// The command typed its environment's name (or its policy does not ask for it).
    pub confirmed: bool,
    pub phase: CommandPhase,
    /// How often its gates were decided (the ledger may grow between a decision and the record).
    pub decisions: u8,
    /// The latest progress line.
    pub last: String,
    pub bake: Option<Bake>,
    /// Paused by this cockpit (the rollout keeps the remaining bake time).
    pub paused: bool,
    /// Canary steps of the target, for the lane's deployment phases.
    pub steps: Vec<u8>,
    pub percent: Option<u8>,
}

impl RunningCommand {
    /// What the lane card says it is doing: its phase, with the latest progress line where the
    /// phase is waiting on the wire.
    pub fn status_line(&self) -> String {
        match &self.phase {
            CommandPhase::Deciding(_) | CommandPhase::Recording(_) => self.phase.describe(),
            _ if !self.last.is_empty() => self.last.clone(),
            phase => phase.describe(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Operations {
    pub running: BTreeMap<String, RunningCommand>,
    /// Every rollout the ledger tells of (this cockpit's, other cockpits', the CLI's).
    pub rollouts: super::rollouts::Rollouts,
    /// Rollouts this cockpit drives in its update loop, by environment.
    pub hosted: BTreeMap<String, Hosted>,
    /// Single changes (rollbacks) this cockpit drives in its update loop, by environment.
    pub changes: BTreeMap<String, super::change_run::ChangeRun>,
    /// This process's lease holder name (`account@host pid N #k`); empty: commands are off.
    pub driver_name: String,
    /// How long this cockpit's leases last without a heartbeat.
    pub lease_secs: i64,
    /// Rollouts already told as orphaned in the activity pane (by request id).
    pub orphans_told: std::collections::BTreeSet<String>,
    /// Rollout records already told as disagreeing with the cloud's split (`request id@seq`).
    pub stale_told: std::collections::BTreeSet<String>,
    /// Why no background process can drive on after this cockpit quits (its sandbox runs inside
    /// it); `None`: one can.
    pub no_successor: Option<String>,
    /// Quit once the hosted rollouts are finished (the user chose to abort them and quit).
    pub quit_when_idle: bool,
    /// `q` was pressed while a command ran, and the user was told: the next `q` quits.
    pub quit_warned: bool,
    /// Commands' gate questions waiting for the ledger to be read as far as they read it.
    pub questions: Vec<super::gate_question::PendingQuestion>,
    /// What this cockpit plans its commands with; `None`: commands are off.
    pub setup: Option<CommandSetup>,
}

/// What this cockpit plans its commands with.
#[derive(Debug, Clone)]
pub struct CommandSetup {
    /// With base URLs filled in.
    pub profile: std::sync::Arc<crate::config::Profile>,
    /// Who runs them.
    pub account: String,
}

/// A rollout this cockpit drives: the machine plus what its effects need.
#[derive(Debug, Clone)]
pub struct Hosted {
    pub drive: super::rollout_drive::Drive,
    /// The lane's health probe (URL, method, headers, format, timeout), for the guard's probes
    /// of the new revision.
    pub health: Option<crate::probes::ResolvedProbe>,
    /// A takeover waits for its claim to be read back from the ledger before sending anything.
    pub claim_pending: bool,
    /// What the command's outcome says so far (release, image, revisions).
    pub outcome: Box<crate::model::outcome::Outcome>,
}

/// `promote staging → prod`, for titles and messages.
pub fn request_label(request: &crate::model::command::Request) -> String {
    use crate::model::command::Request;
    match request {
        Request::Trigger { version, .. } => format!("trigger {version}"),
        Request::Promote { from, to, .. } => format!("promote {from} → {to}"),
        Request::Rollback { env, to: Some(rev) } => format!("rollback {env} to {rev}"),
        Request::Rollback { env, to: None } => format!("rollback {env}"),
        Request::Gate { env, action, .. } => format!("{} {env}", action.name()),
    }
}
