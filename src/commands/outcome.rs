//! The result of a headless command: what it did, printed as text or as JSON (`--json`), recorded
//! in the ledger as the `command_outcome`, and mapped to the process exit code.

use super::CommandError;
pub use crate::model::outcome::{Outcome, Status};
use crate::policy::CommandKind;

impl Outcome {
    pub fn from_error(action: CommandKind, env: &str, error: &CommandError) -> Outcome {
        let status = match error {
            CommandError::Api(_) => Status::ApiError,
            CommandError::Failed(_) => Status::Failed,
        };
        Outcome::new(action, env, status, error.to_string())
    }
}
