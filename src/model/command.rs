//! Commands as data: what is asked ([`Request`]), how it is going ([`Progress`]), and the gates'
//! words ([`Gate`], [`Refusal`]). The engines in `commands/` run them; `update` and the views read
//! them; the result is [`super::outcome::Outcome`].

use serde::Serialize;

/// How a release is triggered. Only Cloud Run is built here; the GitHub `workflow_dispatch` trigger
/// belongs to `providers/github.rs` and plugs in at [`run::trigger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerVia {
    #[default]
    #[value(name = "cloudrun")]
    CloudRun,
    #[value(name = "github")]
    GithubDispatch,
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Trigger {
        version: String,
        via: TriggerVia,
    },
    Promote {
        from: String,
        to: String,
        bake_secs: Option<u64>,
    },
    Rollback {
        env: String,
        to: Option<String>,
    },
    /// A platform's own gate on `env`: a GitHub environment's waiting deployment (approve or
    /// reject, with the user's comment) or a Cloud Deploy rollout (also advance, cancel, retry).
    Gate {
        env: String,
        action: GateAction,
        comment: Option<String>,
    },
}

impl Request {
    /// The kind of change, for a command that ends before its plan says more (a platform's gate
    /// counts as a rollback until then).
    pub fn kind(&self) -> CommandKind {
        match self {
            Request::Trigger { .. } => CommandKind::Trigger,
            Request::Promote { .. } => CommandKind::Promote,
            Request::Rollback { .. } | Request::Gate { .. } => CommandKind::Rollback,
        }
    }

    /// The environment it changes; a trigger changes the first one, `first`.
    pub fn target<'a>(&'a self, first: &'a str) -> &'a str {
        match self {
            Request::Trigger { .. } => first,
            Request::Promote { to, .. } => to,
            Request::Rollback { env, .. } | Request::Gate { env, .. } => env,
        }
    }
}

/// What to do to the newest rollout of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateAction {
    Approve,
    Reject,
    /// To the given phase, or the next one.
    Advance(Option<String>),
    Cancel,
    /// Retries the failed job.
    Retry,
}

impl GateAction {
    pub fn name(&self) -> &'static str {
        match self {
            GateAction::Approve => "approve",
            GateAction::Reject => "reject",
            GateAction::Advance(_) => "advance",
            GateAction::Cancel => "cancel",
            GateAction::Retry => "retry_job",
        }
    }

    /// The `RolloutRestriction` action deploy policies restrict.
    pub fn restricted_as(&self) -> &'static str {
        match self {
            GateAction::Approve | GateAction::Reject => "APPROVE",
            GateAction::Advance(_) => "ADVANCE",
            GateAction::Cancel => "CANCEL",
            GateAction::Retry => "RETRY_JOB",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Trigger,
    Promote,
    Rollback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    ReadOnly,
    Confirmation,
    Freeze,
    Signoff,
    SourceGreen,
    TwoPerson,
}

impl Gate {
    pub fn name(&self) -> &'static str {
        match self {
            Gate::ReadOnly => "read_only",
            Gate::Confirmation => "confirmation",
            Gate::Freeze => "freeze",
            Gate::Signoff => "signoff",
            Gate::SourceGreen => "source_green",
            Gate::TwoPerson => "two_person",
        }
    }

    pub fn overridable(&self) -> bool {
        !matches!(self, Gate::ReadOnly | Gate::Confirmation)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub gate: Gate,
    /// What is wrong and what would clear it.
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a command is doing, for stderr lines in the CLI and activity lines in the TUI.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Reading {
        env: String,
    },
    Sending {
        env: String,
        what: String,
    },
    Operation {
        env: String,
        name: String,
        done: bool,
        elapsed_secs: f64,
    },
    /// The PATCH's fate is unknown: the service is re-read before anything is re-sent.
    Uncertain {
        env: String,
        error: String,
    },
    Retrying {
        env: String,
        wait_secs: f64,
        error: String,
    },
    AlreadyApplied {
        env: String,
    },
    Settled {
        env: String,
        split: String,
    },
    Baking {
        env: String,
        percent: u8,
        secs: i64,
    },
    Probe {
        env: String,
        revision: String,
        pass: bool,
        detail: String,
    },
    Note {
        env: String,
        text: String,
    },
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Reading { env } => write!(f, "{env}: reading the service"),
            Progress::Sending { env, what } => write!(f, "{env}: PATCH {what}"),
            Progress::Operation {
                env,
                name,
                done,
                elapsed_secs,
            } => {
                let state = if *done { "done" } else { "running" };
                let short = name.rsplit('/').next().unwrap_or(name);
                write!(f, "{env}: operation {short} {state} ({elapsed_secs:.1}s)")
            }
            Progress::Uncertain { env, error } => {
                write!(
                    f,
                    "{env}: PATCH outcome unknown ({error}); re-reading before any retry"
                )
            }
            Progress::Retrying {
                env,
                wait_secs,
                error,
            } => {
                write!(f, "{env}: {error}; retrying in {wait_secs:.1}s")
            }
            Progress::AlreadyApplied { env } => {
                write!(
                    f,
                    "{env}: the change is already applied; not sending it again"
                )
            }
            Progress::Settled { env, split } => write!(f, "{env}: settled, traffic {split}"),
            Progress::Baking { env, percent, secs } => {
                write!(f, "{env}: baking at {percent}% for {secs}s")
            }
            Progress::Probe {
                env,
                revision,
                pass,
                detail,
            } => {
                let verdict = if *pass { "pass" } else { "FAIL" };
                write!(f, "{env}: probe of {revision}: {verdict} ({detail})")
            }
            Progress::Note { env, text } => write!(f, "{env}: {text}"),
        }
    }
}
