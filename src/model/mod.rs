//! model (in progress)

pub mod signoff;
