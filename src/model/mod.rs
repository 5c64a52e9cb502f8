//! The cockpit's state: plain data, no I/O, no ratatui.

pub mod alerts;
pub mod change_run;
pub mod command;
pub mod command_line;
pub mod command_plan;
pub mod command_read;
pub mod confirm;
#[doc(hidden)]
pub mod fixtures;
#[doc(hidden)]
pub mod fixtures_pipeline;
pub mod gate_question;
pub mod job_step;
pub mod lane;
pub mod lane_detail;
pub mod lane_detail_diff;
pub mod lane_detail_links;
pub mod lane_detail_rows;
pub mod operations;
pub mod outcome;
mod pane;
pub mod phase_detail;
pub mod pipeline;
pub mod probes;
pub mod rollout;
pub mod rollout_drive;
pub mod rollouts;
pub mod signoff;
mod state;
pub mod watch;

pub use pane::{Hit, Pane};
pub use state::*;
