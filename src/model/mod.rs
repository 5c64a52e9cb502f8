//! model (in progress)
pub mod pipeline;
