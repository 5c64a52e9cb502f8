//! Bearer tokens. A token is held only in memory, never printed: its `Debug` is redacted.

use std::fmt;
use std::sync::Arc;

use tokio::sync::Mutex;

/// Where a provider gets its bearer token.
#[derive(Clone)]
pub enum TokenSource {
    /// No token (the sandbox).
    None,
    /// A fixed token (from an environment variable).
    Static(Secret),
    /// A command that prints a token (`gcloud auth print-access-token`), re-run when refreshed.
    Command {
        program: String,
        args: Vec<String>,
        cached: Arc<Mutex<Option<Secret>>>,
    },
}

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::None => f.write_str("TokenSource::None"),
            TokenSource::Static(_) => f.write_str("TokenSource::Static(<redacted>)"),
            TokenSource::Command { program, .. } => write!(f, "TokenSource::Command({program})"),
        }
    }
}

impl TokenSource {
    /// Google: `GOOGLE_OAUTH_ACCESS_TOKEN`, else `gcloud auth print-access-token`.
    pub fn google() -> TokenSource {
        match std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN") {
            Ok(token) if !token.trim().is_empty() => TokenSource::Static(Secret::new(token.trim())),
            _ => TokenSource::Command {
                program: "gcloud".into(),
                args: vec!["auth".into(), "print-access-token".into()],
                cached: Arc::new(Mutex::new(None)),
            },
        }
    }

    pub async fn token(&self) -> Result<Option<Secret>, String> {
        match self {
            TokenSource::None => Ok(None),
            TokenSource::Static(secret) => Ok(Some(secret.clone())),
            TokenSource::Command {
                program,
                args,
                cached,
            } => {
                let mut slot = cached.lock().await;
                if let Some(secret) = slot.as_ref() {
                    return Ok(Some(secret.clone()));
                }
                let output = tokio::process::Command::new(program)
                    .args(args)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .await
                    .map_err(|e| format!("cannot run `{program}` for a token: {e}; set GOOGLE_OAUTH_ACCESS_TOKEN or install and log in to gcloud"))?;
                if !output.status.success() {
                    return Err(format!(
                        "`{program} {}` failed ({}); run `gcloud auth login` or set GOOGLE_OAUTH_ACCESS_TOKEN",
                        args.join(" "),
                        output.status
                    ));
                }
                let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
                if token.is_empty() {
                    return Err(format!("`{program}` printed no token"));
                }
                let secret = Secret::new(token);
                *slot = Some(secret.clone());
                Ok(Some(secret))
            }
        }
    }

    /// Forgets a cached token after a 401 so the next call fetches a fresh one.
    pub async fn invalidate(&self) {
        if let TokenSource::Command { cached, .. } = self {
            *cached.lock().await = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let source = TokenSource::Static(Secret::new("ya29.very-secret"));
        assert!(!format!("{source:?}").contains("very-secret"));
        assert!(!format!("{:?}", Secret::new("ya29.very-secret")).contains("very-secret"));
    }
}
