//! What a command reads before its gates, one wire operation at a time: the host (the cockpit's
//! `update`, or the CLI's short loop) asks the command's planner what it needs next, has that one
//! read made, and keeps the answer here until the planner has all it needs and plans.

use crate::ledger::Entry;
use crate::model::lane::ServiceState;
use crate::model::outcome::Status;

/// One read: one request to a provider, one probe, one run of a status script, or the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// `GET` a Cloud Run service.
    CloudRunService { env: String },
    /// List a Cloud Run service's revisions.
    CloudRunRevisions { env: String },
    /// Probe `env`'s health probe `index`, resolved against the service URI `uri`.
    Probe {
        env: String,
        index: usize,
        uri: Option<String>,
    },
    /// The ledger: its verified entries and its last seq.
    Ledger,
    /// The hash of the ledger's last verified line (what a review's comment stands on).
    LedgerHead,
    /// Run `env`'s status script.
    ScriptStatus { env: String },
    /// `GET` the delivery pipeline of `env`'s Cloud Deploy target.
    CloudDeployPipeline { env: String },
    /// `GET` `env`'s Cloud Deploy target.
    CloudDeployTarget { env: String },
    /// List the newest releases of `env`'s delivery pipeline.
    CloudDeployReleases { env: String },
    /// List the rollouts of `release` (a full name) on `env`'s target.
    CloudDeployRollouts { env: String, release: String },
    /// List the deploy policies of `env`'s location.
    CloudDeployPolicies { env: String },
    /// Read the release workflow's declared `workflow_dispatch` inputs.
    WorkflowInputs,
    /// List the workflow's runs waiting for a review.
    WaitingRuns,
    /// `GET` one workflow run.
    WorkflowRun { id: u64 },
    /// List the deployments run `id` waits on.
    PendingDeployments { run_id: u64 },
}

impl Read {
    /// "reading prod's revisions", for the lane card while the read is out.
    pub fn describe(&self) -> String {
        match self {
            Read::CloudRunService { env } => format!("reading {env}'s service"),
            Read::CloudRunRevisions { env } => format!("reading {env}'s revisions"),
            Read::Probe { env, .. } => format!("probing {env}"),
            Read::Ledger => "reading the ledger".into(),
            Read::LedgerHead => "reading the ledger's head".into(),
            Read::ScriptStatus { env } => format!("running {env}'s status script"),
            Read::CloudDeployPipeline { env } => format!("reading {env}'s delivery pipeline"),
            Read::CloudDeployTarget { env } => format!("reading {env}'s target"),
            Read::CloudDeployReleases { env } => format!("reading {env}'s releases"),
            Read::CloudDeployRollouts { env, .. } => format!("reading {env}'s rollouts"),
            Read::CloudDeployPolicies { env } => format!("reading {env}'s deploy policies"),
            Read::WorkflowInputs => "reading the workflow's inputs".into(),
            Read::WaitingRuns => "looking for runs waiting on a review".into(),
            Read::WorkflowRun { id } => format!("reading run {id}"),
            Read::PendingDeployments { run_id } => format!("reading what run {run_id} waits on"),
        }
    }
}

/// What one read answered.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadValue {
    /// A provider's answer, as its wire type serialized.
    Json(serde_json::Value),
    /// A lane as a status script reports it.
    Lane(Box<ServiceState>),
    /// One probe: its URL, whether it is green, what it answered.
    Probe {
        url: String,
        green: bool,
        detail: String,
    },
    Ledger(LedgerRead),
    /// The ledger's head: `None` while it has no entry.
    Head(Option<String>),
}

/// The ledger as a command reads it before its gates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LedgerRead {
    /// The verified prefix: only it counts for the gates.
    pub entries: Vec<Entry>,
    /// The seq of its last line (verified or not): a decision rests on it.
    pub tail_seq: u64,
}

/// A read that failed: how the command ends if it cannot do without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    pub status: Status,
    pub message: String,
}

pub type ReadAnswer = Result<ReadValue, ReadFailure>;

/// The reads a command made so far, in order, and those out now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reads {
    made: Vec<(Read, ReadAnswer)>,
    out: Vec<Read>,
}

impl Reads {
    pub fn get(&self, read: &Read) -> Option<&ReadAnswer> {
        self.made.iter().find(|(r, _)| r == read).map(|(_, a)| a)
    }

    /// Keeps the first answer to a read: a command reads each thing once.
    pub fn insert(&mut self, read: Read, answer: ReadAnswer) {
        if self.get(&read).is_none() {
            self.made.push((read, answer));
        }
    }

    /// `reads` went out.
    pub fn asked(&mut self, reads: &[Read]) {
        self.out.extend(reads.iter().cloned());
    }

    /// The reads out now.
    pub fn out(&self) -> &[Read] {
        &self.out
    }

    /// The answer to a read out now; `false` (and nothing kept) for any other read.
    pub fn answered(&mut self, read: Read, answer: ReadAnswer) -> bool {
        let Some(at) = self.out.iter().position(|r| *r == read) else {
            return false;
        };
        self.out.remove(at);
        self.insert(read, answer);
        true
    }

    pub fn len(&self) -> usize {
        self.made.len()
    }

    pub fn is_empty(&self) -> bool {
        self.made.is_empty()
    }
}
