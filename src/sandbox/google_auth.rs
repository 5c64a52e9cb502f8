//! Google authentication in the sandbox: the Cloud Run (`/v2/…`) and Cloud Deploy (`/v1/…`) APIs
//! require a bearer token when a rule is set, and a metadata server (as on Compute Engine or Cloud
//! Run) mints short-lived tokens the APIs accept until they expire — so `auth = "google"` runs
//! through Google's own credential code (`GCE_METADATA_HOST`) exactly as it would in production.
//! Here the rule and the tokens; the routes are in `google_auth_routes`.

use std::time::{Duration, Instant};

use super::cloudrun_sim::SimError;

/// Bearer tokens the Google APIs accept; `None` in [`GoogleAuth::rule`] = none required.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthRule {
    pub tokens: Vec<String>,
    /// Tokens that were good once: refused as expired.
    pub expired: Vec<String>,
    /// Tokens minted by the metadata server are good for this long (seconds).
    pub metadata_token_ttl_secs: Option<u64>,
}

impl AuthRule {
    /// What `flightdeck sandbox --require-auth` and a profile's `[sandbox] require_auth` set.
    pub fn metadata_tokens(ttl_secs: u64) -> AuthRule {
        AuthRule {
            metadata_token_ttl_secs: Some(ttl_secs),
            ..AuthRule::default()
        }
    }
}

/// The rule and the tokens the metadata server has minted (with their expiry).
#[derive(Debug, Default)]
pub struct GoogleAuth {
    pub rule: Option<AuthRule>,
    pub minted: Vec<(String, Instant)>,
}

impl GoogleAuth {
    /// Google's answers to a missing, expired or unknown bearer token.
    pub fn check(&self, authorization: Option<&str>, now: Instant) -> Result<(), SimError> {
        let Some(rule) = &self.rule else {
            return Ok(());
        };
        let unauthenticated = |reason: &'static str, message: &str| SimError {
            reason,
            domain: "googleapis.com",
            ..SimError::new(401, "UNAUTHENTICATED", message)
        };
        let invalid = "Request had invalid authentication credentials. Expected OAuth 2 access \
                       token, login cookie or other valid authentication credential. See \
                       https://developers.google.com/identity/sign-in/web/devconsole-project.";
        let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
            return Err(unauthenticated(
                "CREDENTIALS_MISSING",
                "Request is missing required authentication credential. Expected OAuth 2 \
                 access token, login cookie or other valid authentication credential. See \
                 https://developers.google.com/identity/sign-in/web/devconsole-project.",
            ));
        };
        let token = token.trim();
        let minted = self.minted.iter().find(|(t, _)| t == token);
        if rule.tokens.iter().any(|t| t == token) || minted.is_some_and(|(_, exp)| now < *exp) {
            Ok(())
        } else if minted.is_some() || rule.expired.iter().any(|t| t == token) {
            Err(unauthenticated("ACCESS_TOKEN_EXPIRED", invalid))
        } else {
            Err(unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED", invalid))
        }
    }

    /// A new token, good for the rule's TTL (an hour when no rule asks for less).
    pub(super) fn mint(&mut self, now: Instant) -> (String, u64) {
        let ttl = self
            .rule
            .as_ref()
            .and_then(|r| r.metadata_token_ttl_secs)
            .unwrap_or(3600);
        let salt = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = format!("ya29.sandbox-{:04}-{salt:09}", self.minted.len() + 1);
        self.minted
            .push((token.clone(), now + Duration::from_secs(ttl)));
        (token, ttl)
    }
}
