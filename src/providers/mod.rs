//! Real HTTP clients of the cloud APIs, each pointed at a base URL (Google, GitHub, or the sandbox),
//! and the script provider, which runs a team's own commands.

pub mod auth;
pub mod clouddeploy;
pub mod cloudrun;
pub mod cloudrun_enums;
pub mod cloudrun_error;
pub mod cloudrun_state;
pub mod cloudrun_wire;
pub mod github;
pub mod google_credentials;
pub mod retry;
pub mod script;
pub mod script_run;
pub mod script_status;
pub mod script_values;
pub mod secret;
