//! msg (in progress)
