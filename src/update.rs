//! update (in progress)
