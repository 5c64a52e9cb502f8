//! A command's question to the gates, asked of whoever decides: the CLI evaluates it on a fresh
//! read of the ledger; in the cockpit, `update` evaluates it from the model (the grid folded from
//! the verified entries it follows, the lanes' probe verdicts, its clock).

use chrono::{DateTime, Utc};

use super::command::{CommandKind, Refusal};
use crate::config::policy::EnvPolicy;

/// The source lane's probe verdict, computed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceHealth {
    Green,
    NotGreen(String),
    /// Not probed, or no answer: never taken for green.
    Unknown,
}

/// The facts a command read itself, with what it asks.
#[derive(Debug, Clone, PartialEq)]
pub struct GateQuestion {
    pub kind: CommandKind,
    pub env: String,
    /// The profile's policy for `env`, with the platform's own freezes in force (Cloud Deploy
    /// deploy policies) as read just now, and any adjustment of the command (an approval always
    /// wants the grid's GO).
    pub policy: EnvPolicy,
    /// The release the grid is judged for ("" when no grid applies).
    pub release: String,
    /// The command's own one-shot probe of the lane the release comes from, when its health is
    /// a gate.
    pub source_health: SourceHealth,
    /// `--yes`, the cockpit's confirmation, or a policy that does not ask for the typed name.
    pub confirmed: bool,
    pub override_reason: Option<String>,
    /// The seq of the ledger's last entry when the command read it: the answer may not rest on
    /// an older reading.
    pub read_at: u64,
}

/// What the gates answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateAnswer {
    /// Go ahead: record the command only if the ledger's last entry is still `read_at` (the
    /// reading the answer rests on); `overridden` names the gates the reason waived.
    Passed {
        overridden: Vec<String>,
        read_at: u64,
    },
    Refused(Vec<Refusal>),
    /// No answer could be given (the ledger could not be read far enough); nothing may be sent.
    NotDecided(String),
}

/// A question `update` has not answered yet: the model has not read the ledger as far as the
/// command did.
#[derive(Debug, Clone)]
pub struct PendingQuestion {
    pub question: GateQuestion,
    pub asked_at: DateTime<Utc>,
}
