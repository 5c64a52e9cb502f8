//! GitHub Actions: workflow runs and jobs as release phases; `workflow_dispatch` to trigger.
//!
//! - [`GithubClient`]: the REST client (conditional GETs with ETags, rate-limit aware).
//! - [`wire`]: the response shapes we read (a subset of the OpenAPI schemas).
//! - [`to_pipeline`]: a run + its jobs + pending deployments → [`crate::model::pipeline::Pipeline`].

mod actions;
mod checks;
mod client;
mod convert;
mod error;
mod inputs;
mod link;
mod paging;
mod ratelimit;
mod snapshot;
mod token;
pub mod wire;

pub use actions::DispatchOutcome;
pub use client::{Fetched, GithubClient};
pub use convert::{annotation, expected_durations, to_pipeline};
pub use error::GithubError;
pub use inputs::{DeclaredInputs, dispatch_inputs, parse_dispatch_inputs};
pub use ratelimit::RateLimit;
pub use snapshot::RunSnapshot;
pub use token::Token;

/// The default REST base URL (GitHub Enterprise Server: `https://HOST/api/v3`).
pub const DEFAULT_BASE_URL: &str = crate::config::targets::GITHUB_BASE_URL;

pub use crate::config::targets::PipelineConfig;
