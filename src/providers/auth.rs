//! Bearer tokens. A token is held only in memory, never printed: its `Debug` is redacted, and every
//! token handed out is registered with [`crate::redact`] so no screen, log or ledger line can show it.
//!
//! Google: application default credentials (AIP-4110) through the official `google-cloud-auth`
//! crate, which refreshes tokens before they expire; `gcloud auth print-access-token` is the last
//! resort. One source is chosen and cached per process ([`TokenSource::google`]).

use std::fmt;
use std::sync::{Arc, OnceLock};

pub use super::google_credentials::{GoogleAuth, GoogleOrigin};
pub use super::secret::Secret;
pub use crate::config::targets::AuthMode;

/// Where a provider gets its bearer token.
#[derive(Clone)]
pub enum TokenSource {
    /// No token (the sandbox, or `auth = "none"`).
    None,
    /// A fixed token.
    Static(Secret),
    /// Google credentials, found once per process.
    Google(Arc<GoogleAuth>),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::None => f.write_str("TokenSource::None"),
            TokenSource::Static(_) => f.write_str("TokenSource::Static(<redacted>)"),
            TokenSource::Google(auth) => write!(f, "TokenSource::Google({})", auth.origin()),
        }
    }
}

static PROCESS_GOOGLE: OnceLock<Arc<GoogleAuth>> = OnceLock::new();

impl TokenSource {
    /// The process's Google credentials (found on first use, then shared by every client).
    pub fn google() -> TokenSource {
        let auth = PROCESS_GOOGLE.get_or_init(|| {
            let origin = GoogleOrigin::locate(|k| std::env::var(k).ok(), |p| p.is_file());
            Arc::new(GoogleAuth::new(origin))
        });
        TokenSource::Google(Arc::clone(auth))
    }

    /// Makes the process's Google credentials the metadata server at `url` (the sandbox playing
    /// Compute Engine); `false` if credentials were already chosen.
    pub fn use_metadata_server(url: &str) -> bool {
        let origin = GoogleOrigin::MetadataServer {
            endpoint: Some(url.trim_end_matches('/').to_string()),
        };
        PROCESS_GOOGLE
            .set(Arc::new(GoogleAuth::new(origin)))
            .is_ok()
    }

    pub fn for_mode(mode: AuthMode) -> TokenSource {
        match mode {
            AuthMode::Google => TokenSource::google(),
            AuthMode::None => TokenSource::None,
        }
    }

    pub async fn token(&self) -> Result<Option<Secret>, String> {
        match self {
            TokenSource::None => Ok(None),
            TokenSource::Static(secret) => Ok(Some(secret.clone())),
            TokenSource::Google(auth) => auth.token().await.map(Some),
        }
    }

    /// Forgets a cached token after a 401 so the next call fetches a fresh one.
    pub async fn invalidate(&self) {
        if let TokenSource::Google(auth) = self {
            auth.invalidate().await;
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
