//! Configuration: where files live ([`paths`]), what a profile says ([`profile`]), how it looks
//! ([`theme`]), and errors that name the file, line and field ([`error`]).

pub mod colour;
pub mod error;
pub mod freeze;
pub mod ledger_url;
mod load;
pub mod notify;
pub mod paths;
pub mod policy;
pub mod profile;
pub mod targets;
pub mod theme;
pub mod validate;

pub use error::ConfigError;
pub use paths::Paths;
pub use profile::{Environment, Profile};
pub use theme::ThemeSpec;
