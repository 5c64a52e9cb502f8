//! cloudrun
