//! Errors of the GitHub provider: each names the URL (never the token) and says what to do.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::providers::retry::{Retryable, Verdict};

#[derive(Debug, Clone, PartialEq)]
pub enum GithubError {
    /// Primary or secondary rate limit: do not send again before `until` (the cockpit keeps
    /// showing the last data, marked with its age).
    RateLimited {
        url: String,
        until: DateTime<Utc>,
        reason: String,
    },
    /// A non-success HTTP status.
    Http {
        method: String,
        url: String,
        status: u16,
        message: String,
    },
    /// Connection, TLS or timeout failure.
    Transport { url: String, detail: String },
    /// A body that does not have the expected shape.
    Decode { url: String, detail: String },
    /// The token could not be obtained.
    Token { detail: String },
}

impl GithubError {
    /// Whether GitHub may have acted on a write whose answer was this error (no answer, or a
    /// 5xx): look before sending it again, since dispatches and reviews carry no idempotency key.
    pub fn may_have_acted(&self) -> bool {
        match self {
            GithubError::Transport { .. } => true,
            GithubError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// What the user should do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            GithubError::RateLimited { .. } => {
                "waiting for the rate limit to reset; polling resumes by itself"
            }
            GithubError::Http { status, .. } => match status {
                401 => {
                    "check GITHUB_TOKEN / GH_TOKEN or the profile's token_command (expired or revoked token?)"
                }
                403 => {
                    "the token lacks permission: it needs actions:read (actions:write to trigger, cancel or approve)"
                }
                404 => {
                    "check owner, repo and workflow in the profile's [pipeline] (private repositories you cannot see answer 404)"
                }
                409 => {
                    "the run is not in a state that allows this (already finished?); refresh and check it"
                }
                422 => {
                    "GitHub rejected the request: check the ref and the workflow's workflow_dispatch inputs"
                }
                500..=599 => "GitHub is having trouble; the next poll retries",
                _ => "see the GitHub REST API documentation for this status",
            },
            GithubError::Transport { .. } => {
                "check the network and the profile's pipeline base_url; the next poll retries"
            }
            GithubError::Decode { .. } => {
                "unexpected response: is base_url a GitHub REST API (https://HOST/api/v3 for GitHub Enterprise)?"
            }
            GithubError::Token { .. } => {
                "set GITHUB_TOKEN or GH_TOKEN, or fix token_command in the profile's [pipeline]"
            }
        }
    }

    /// True when retrying later may succeed (rate limit, 5xx, transport).
    pub fn is_transient(&self) -> bool {
        match self {
            GithubError::RateLimited { .. } | GithubError::Transport { .. } => true,
            GithubError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

impl Retryable for GithubError {
    /// Rate limits after their reset (when short), 5xx and transport errors at once.
    fn verdict(&self) -> Verdict {
        match self {
            GithubError::RateLimited { until, .. } => Verdict::Retry {
                server_wait: Some((*until - Utc::now()).to_std().unwrap_or_default()),
            },
            GithubError::Transport { .. } => Verdict::Retry { server_wait: None },
            GithubError::Http { status, .. } if *status >= 500 => {
                Verdict::Retry { server_wait: None }
            }
            _ => Verdict::Final,
        }
    }
}

impl fmt::Display for GithubError {
    /// Redacted: a body may echo the request's token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_unredacted(&mut text)?;
        f.write_str(&crate::redact::redact(&text))
    }
}

impl GithubError {
    fn write_unredacted(&self, f: &mut impl fmt::Write) -> fmt::Result {
        match self {
            GithubError::RateLimited { url, until, reason } => write!(
                f,
                "{url}: rate limited ({reason}) until {}",
                until.format("%H:%M:%S UTC")
            )?,
            GithubError::Http {
                method,
                url,
                status,
                message,
            } => {
                write!(f, "{method} {url}: HTTP {status}")?;
                if !message.is_empty() {
                    write!(f, " {message}")?;
                }
            }
            GithubError::Transport { url, detail } => write!(f, "{url}: {detail}")?,
            GithubError::Decode { url, detail } => write!(f, "{url}: bad response: {detail}")?,
            GithubError::Token { detail } => write!(f, "GitHub token: {detail}")?,
        }
        write!(f, " ({})", self.hint())
    }
}

impl std::error::Error for GithubError {}
