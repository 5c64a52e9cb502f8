//! Google application default credentials (AIP-4110) through the official `google-cloud-auth`
//! crate, which refreshes tokens before they expire; `gcloud auth print-access-token` is the last
//! resort.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use google_cloud_auth::credentials::{AccessTokenCredentials, mds, service_account, user_account};
use serde::Deserialize;
use tokio::sync::{Mutex, OnceCell};

use super::secret::Secret;

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
/// `gcloud` does not say when its token expires; its tokens live an hour, so re-run well before.
const GCLOUD_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);

/// Where Google credentials come from, in the order application default credentials look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoogleOrigin {
    /// `GOOGLE_OAUTH_ACCESS_TOKEN` (a token minted elsewhere, used as is).
    EnvToken,
    /// A credentials file: `GOOGLE_APPLICATION_CREDENTIALS`, or gcloud's ADC file.
    File(PathBuf),
    /// The metadata server (on Google Cloud), then `gcloud` when there is none.
    MetadataServer { endpoint: Option<String> },
}

impl fmt::Display for GoogleOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoogleOrigin::EnvToken => f.write_str("GOOGLE_OAUTH_ACCESS_TOKEN"),
            GoogleOrigin::File(path) => write!(f, "credentials file {}", path.display()),
            GoogleOrigin::MetadataServer { .. } => {
                f.write_str("metadata server, else `gcloud auth print-access-token`")
            }
        }
    }
}

impl GoogleOrigin {
    /// Application default credentials' search order (AIP-4110), reading the environment through
    /// `env`: `GOOGLE_APPLICATION_CREDENTIALS`, then `$CLOUDSDK_CONFIG` or
    /// `~/.config/gcloud/application_default_credentials.json` when it exists, then the metadata
    /// server (`GCE_METADATA_HOST` overrides its address).
    pub fn locate(env: impl Fn(&str) -> Option<String>, exists: impl Fn(&PathBuf) -> bool) -> Self {
        let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if set("GOOGLE_OAUTH_ACCESS_TOKEN").is_some() {
            return GoogleOrigin::EnvToken;
        }
        if let Some(path) = set("GOOGLE_APPLICATION_CREDENTIALS") {
            return GoogleOrigin::File(PathBuf::from(path));
        }
        let gcloud_dir = set("CLOUDSDK_CONFIG")
            .map(PathBuf::from)
            .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(".config/gcloud")));
        if let Some(file) = gcloud_dir.map(|d| d.join("application_default_credentials.json"))
            && exists(&file)
        {
            return GoogleOrigin::File(file);
        }
        GoogleOrigin::MetadataServer {
            endpoint: set("GCE_METADATA_HOST").map(|h| format!("http://{h}")),
        }
    }
}

/// One process-wide Google credential: chosen once, tokens cached and refreshed by the crate.
pub struct GoogleAuth {
    origin: GoogleOrigin,
    adc: OnceCell<Result<AccessTokenCredentials, String>>,
    /// The metadata server failed once: use `gcloud` from then on.
    use_gcloud: std::sync::atomic::AtomicBool,
    gcloud: Mutex<Option<(Secret, Instant)>>,
    gcloud_program: String,
}

impl GoogleAuth {
    pub fn new(origin: GoogleOrigin) -> GoogleAuth {
        GoogleAuth::with_gcloud(origin, "gcloud")
    }

    /// `gcloud_program` replaces `gcloud` (tests point it at a script).
    pub fn with_gcloud(origin: GoogleOrigin, gcloud_program: &str) -> GoogleAuth {
        GoogleAuth {
            origin,
            adc: OnceCell::new(),
            use_gcloud: false.into(),
            gcloud: Mutex::new(None),
            gcloud_program: gcloud_program.into(),
        }
    }

    pub fn origin(&self) -> &GoogleOrigin {
        &self.origin
    }

    async fn credentials(&self) -> &Result<AccessTokenCredentials, String> {
        self.adc
            .get_or_init(|| async { build_credentials(&self.origin) })
            .await
    }

    pub async fn token(&self) -> Result<Secret, String> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.origin == GoogleOrigin::EnvToken {
            return std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN")
                .map(|t| Secret::new(t.trim()))
                .map_err(|_| "GOOGLE_OAUTH_ACCESS_TOKEN is no longer set".to_string());
        }
        if !self.use_gcloud.load(Relaxed) {
            let from_adc = match self.credentials().await {
                Ok(creds) => creds
                    .access_token()
                    .await
                    .map(|t| Secret::new(t.token))
                    .map_err(|e| crate::redact::redact(&e.to_string())),
                Err(e) => Err(e.clone()),
            };
            match (from_adc, &self.origin) {
                (Ok(secret), _) => return Ok(secret),
                (Err(e), GoogleOrigin::File(path)) => {
                    return Err(format!(
                        "Google credentials from {}: {e}; check the file or run `gcloud auth application-default login`",
                        path.display()
                    ));
                }
                (Err(_), _) => self.use_gcloud.store(true, Relaxed),
            }
        }
        self.gcloud_token().await
    }

    async fn gcloud_token(&self) -> Result<Secret, String> {
        let mut slot = self.gcloud.lock().await;
        if let Some((secret, at)) = slot.as_ref()
            && at.elapsed() < GCLOUD_TOKEN_TTL
        {
            return Ok(secret.clone());
        }
        let program = &self.gcloud_program;
        let hint = "run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or set GOOGLE_OAUTH_ACCESS_TOKEN";
        let output = tokio::process::Command::new(program)
            .args(["auth", "print-access-token"])
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .map_err(|e| format!("no Google credentials: no metadata server and cannot run `{program}` ({e}); {hint}"))?;
        if !output.status.success() {
            // stderr is not echoed: it could hold a secret.
            return Err(format!(
                "no Google credentials: no metadata server and `{program} auth print-access-token` failed ({}); {hint}",
                output.status
            ));
        }
        let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if token.is_empty() {
            return Err(format!(
                "`{program} auth print-access-token` printed no token"
            ));
        }
        let secret = Secret::new(token);
        *slot = Some((secret.clone(), Instant::now()));
        Ok(secret)
    }

    /// Forgets a `gcloud` token after a 401 (the crate's own tokens refresh before they expire).
    pub async fn invalidate(&self) {
        *self.gcloud.lock().await = None;
    }
}

/// The kind of credentials file, from its `type` field.
#[derive(Deserialize)]
struct FileKind {
    #[serde(rename = "type")]
    kind: String,
}

fn build_credentials(origin: &GoogleOrigin) -> Result<AccessTokenCredentials, String> {
    let built = match origin {
        GoogleOrigin::EnvToken => return Err("a fixed token needs no credentials".into()),
        GoogleOrigin::MetadataServer { endpoint } => {
            let builder = mds::Builder::default().with_scopes([CLOUD_PLATFORM]);
            match endpoint {
                Some(e) => builder.with_endpoint(e).build_access_token_credentials(),
                None => builder.build_access_token_credentials(),
            }
        }
        GoogleOrigin::File(path) => {
            let named = |e: String| format!("{}: {e}", path.display());
            let text = std::fs::read_to_string(path).map_err(|e| named(e.to_string()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| named(format!("not a credentials JSON file ({e})")))?;
            let kind = serde_json::from_value::<FileKind>(json.clone())
                .map_err(|_| named("no `type` field: not a Google credentials file".into()))?;
            match kind.kind.as_str() {
                "authorized_user" => user_account::Builder::new(json)
                    .with_scopes([CLOUD_PLATFORM])
                    .build_access_token_credentials(),
                "service_account" => service_account::Builder::new(json)
                    .with_access_specifier(service_account::AccessSpecifier::from_scopes([
                        CLOUD_PLATFORM,
                    ]))
                    .build_access_token_credentials(),
                // Impersonation, workload identity federation …: the crate's own ADC loader
                // reads the same file and knows every kind.
                _ => google_cloud_auth::credentials::Builder::default()
                    .with_scopes([CLOUD_PLATFORM])
                    .build_access_token_credentials(),
            }
        }
    };
    built.map_err(|e| crate::redact::redact(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn application_default_credentials_search_order() {
        let none = |_: &PathBuf| false;
        let all = |_: &PathBuf| true;
        let home = [("HOME", "/home/u")];
        assert_eq!(
            GoogleOrigin::locate(
                env(&[
                    ("GOOGLE_OAUTH_ACCESS_TOKEN", "t"),
                    ("GOOGLE_APPLICATION_CREDENTIALS", "/k.json")
                ]),
                all
            ),
            GoogleOrigin::EnvToken
        );
        assert_eq!(
            GoogleOrigin::locate(
                env(&[
                    ("GOOGLE_APPLICATION_CREDENTIALS", "/k.json"),
                    ("HOME", "/home/u")
                ]),
                all
            ),
            GoogleOrigin::File("/k.json".into())
        );
        assert_eq!(
            GoogleOrigin::locate(env(&home), all),
            GoogleOrigin::File(
                "/home/u/.config/gcloud/application_default_credentials.json".into()
            )
        );
        assert_eq!(
            GoogleOrigin::locate(
                env(&[("CLOUDSDK_CONFIG", "/etc/g"), ("HOME", "/home/u")]),
                all
            ),
            GoogleOrigin::File("/etc/g/application_default_credentials.json".into())
        );
        assert_eq!(
            GoogleOrigin::locate(env(&home), none),
            GoogleOrigin::MetadataServer { endpoint: None }
        );
        assert_eq!(
            GoogleOrigin::locate(env(&[("GCE_METADATA_HOST", "127.0.0.1:9")]), none),
            GoogleOrigin::MetadataServer {
                endpoint: Some("http://127.0.0.1:9".into())
            }
        );
    }
}
