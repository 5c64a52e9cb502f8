//! A stored deploy policy and the rollout actions a policy may restrict (the checks are in
//! [`super::policy`]).

use serde_json::Value;

/// The `RolloutRestriction.RolloutActions` the sandbox enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Advance,
    Approve,
    Cancel,
    Create,
    RetryJob,
    Rollback,
}

impl Action {
    /// The action a rollout method is (`approve`, `advance`, `cancel`, `retryJob`).
    pub fn of_verb(verb: &str) -> Option<Action> {
        match verb {
            "approve" => Some(Action::Approve),
            "advance" => Some(Action::Advance),
            "cancel" => Some(Action::Cancel),
            "retryJob" => Some(Action::RetryJob),
            _ => None,
        }
    }

    pub fn wire(self) -> &'static str {
        match self {
            Action::Advance => "ADVANCE",
            Action::Approve => "APPROVE",
            Action::Cancel => "CANCEL",
            Action::Create => "CREATE",
            Action::RetryJob => "RETRY_JOB",
            Action::Rollback => "ROLLBACK",
        }
    }
}

/// One stored policy: the body as created, with the output-only fields the service fills.
#[derive(Debug, Clone)]
pub struct DeployPolicy {
    pub json: Value,
}

impl DeployPolicy {
    pub fn name(&self) -> &str {
        self.json.get("name").and_then(Value::as_str).unwrap_or("")
    }
}
