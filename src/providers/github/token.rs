//! The GitHub token: from the profile's `token_command`, else `GITHUB_TOKEN` / `GH_TOKEN`.
//! Its `Debug` is redacted and it has no `Display`, so it cannot leak into errors, logs or screens.

use std::fmt;

use super::{GithubError, PipelineConfig};

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// A token from a string (trimmed); `None` when empty.
    pub fn new(raw: &str) -> Option<Token> {
        let t = raw.trim();
        (!t.is_empty()).then(|| Token(t.to_string()))
    }

    /// What is sent to the sandbox (which, like GitHub, refuses a mutation without a token):
    /// a fixed placeholder, so that no user's token ever goes to it.
    pub fn sandbox() -> Token {
        Token("flightdeck-sandbox".into())
    }

    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// Resolves the token from the process environment (see [`Token::resolve_with`]).
    pub async fn resolve(cfg: &PipelineConfig) -> Result<Option<Token>, GithubError> {
        Token::resolve_with(cfg, |k| std::env::var(k).ok()).await
    }

    /// `token_command` (run with `sh -c`, output trimmed) when the profile sets one, else
    /// `GITHUB_TOKEN`, else `GH_TOKEN`, else none (unauthenticated: 60 requests/hour; fine for the sandbox).
    pub async fn resolve_with(
        cfg: &PipelineConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Token>, GithubError> {
        if let Some(cmd) = &cfg.token_command {
            let out = tokio::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .map_err(|e| GithubError::Token {
                    detail: format!("cannot run token_command `{cmd}`: {e}"),
                })?;
            if !out.status.success() {
                // stdout/stderr are not echoed: they could hold a secret.
                return Err(GithubError::Token {
                    detail: format!(
                        "token_command `{cmd}` failed ({}); run it by hand to see why",
                        out.status
                    ),
                });
            }
            let text = String::from_utf8_lossy(&out.stdout);
            return Token::new(&text)
                .map(Some)
                .ok_or_else(|| GithubError::Token {
                    detail: format!("token_command `{cmd}` printed nothing"),
                });
        }
        Ok(["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|k| env(k).as_deref().and_then(Token::new)))
    }
}
