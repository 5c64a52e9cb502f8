//! sandbox (in progress)
pub mod github;
