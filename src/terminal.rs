//! terminal (in progress)
