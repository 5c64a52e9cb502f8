//! The cockpit's state: plain data, no I/O, no ratatui.

pub mod lane;
mod state;

pub use state::*;
