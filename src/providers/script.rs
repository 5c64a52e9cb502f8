//! The script provider: a team's own commands for status, trigger, promote and rollback.
//!
//! Each command is an argv array run without a shell. Values reach it as environment variables
//! (`FLIGHTDECK_ENV`, `FLIGHTDECK_VERSION`, …) or through placeholders (`{version}`) that fill one
//! argv element each; nothing is ever re-parsed by a shell. A run has a timeout, after which its
//! whole process group is killed; its exit code decides the outcome. `status` prints JSON on
//! stdout ([`ScriptStatus`], documented in the README); other output lines are progress.
//! Filling argv is in [`super::script_values`], running in [`super::script_run`], reading the
//! status in [`super::script_status`].

pub use super::script_run::{Exit, RunResult, run};
pub use super::script_status::{ScriptStatus, StatusRevision, StatusSlice, service_state, status};
pub use super::script_values::{PLACEHOLDERS, ScriptTarget, Values, expand};
