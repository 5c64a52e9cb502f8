use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Paths;

/// The built-in sandbox profile, so `flightdeck` works from any directory.
pub const SANDBOX_PROFILE: &str = include_str!("../../profiles/sandbox.toml");

/// A service and its environments, as written in a profile TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub service: ServiceSection,
    #[serde(default)]
    pub poll: PollSection,
    /// Present in profiles that run against the embedded sandbox cloud.
    pub sandbox: Option<SandboxSection>,
    pub environments: Vec<Environment>,
    /// The build pipeline (GitHub Actions) whose jobs are the release phases.
    pub pipeline: Option<super::targets::PipelineConfig>,
    #[serde(default)]
    pub signoff: super::policy::SignoffConfig,
    #[serde(default)]
    pub ledger: LedgerSection,
    /// A command per alert event (`build_failed`, `auto_rollback`, …): argv, no shell.
    #[serde(default)]
    pub notify: super::notify::NotifySection,
    /// How the cockpit uses the terminal.
    #[serde(default)]
    pub ui: UiSection,
    /// Where the profile came from (not part of the TOML).
    #[serde(skip)]
    pub source: PathBuf,
    #[serde(skip)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSection {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollSection {
    #[serde(default = "default_interval")]
    pub interval_secs: u64,
}

fn default_interval() -> u64 {
    2
}

/// `[ui]`: `mouse = false` leaves the mouse to the terminal (plain drag selects text; with
/// capture on, most terminals select with Shift+drag).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSection {
    #[serde(default = "default_mouse")]
    pub mouse: bool,
}

fn default_mouse() -> bool {
    true
}

impl Default for UiSection {
    fn default() -> Self {
        UiSection { mouse: true }
    }
}

impl Default for PollSection {
    fn default() -> Self {
        PollSection {
            interval_secs: default_interval(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSection {
    /// Simulated seconds per real second.
    #[serde(default = "default_speed")]
    pub speed: f64,
    /// The embedded sandbox keeps producing work (builds, the odd flaky probe), as a demo
    /// should; `false` keeps the world still (tests that need fixed states).
    #[serde(default = "default_breathe")]
    pub breathe: bool,
    /// The sandbox's Google APIs require a bearer token, minted by its metadata server: lanes
    /// default to `auth = "google"` and fetch tokens through Google's credential code.
    #[serde(default)]
    pub require_auth: bool,
    /// How long a token minted by the sandbox's metadata server is good for.
    #[serde(default = "default_token_ttl")]
    pub token_ttl_secs: u64,
}

fn default_token_ttl() -> u64 {
    3600
}

fn default_breathe() -> bool {
    true
}

fn default_speed() -> f64 {
    20.0
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSection {
    /// A shared ledger file (e.g. on a bastion); default: the XDG data dir, one file per profile.
    pub path: Option<PathBuf>,
    /// A PostgreSQL ledger shared across hosts (`postgres://user@host/db?sslmode=verify-full`);
    /// `FLIGHTDECK_LEDGER_URL` overrides it. Never with a password in it.
    pub url: Option<String>,
    /// Program and arguments whose output is the database password (e.g. a secret manager's CLI).
    pub password_command: Option<Vec<String>>,
    /// Turns signing on: an allowed-signers file (git's format) mapping SSH keys to accounts.
    /// Every entry is then signed through the ssh-agent and every signature is checked.
    /// A relative path is relative to the profile's directory.
    pub allowed_signers: Option<PathBuf>,
}

/// One lane: an environment and the provider that runs it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    pub cloudrun: Option<CloudRunTarget>,
    /// A target of a Cloud Deploy delivery pipeline.
    pub clouddeploy: Option<super::targets::CloudDeployTarget>,
    /// The team's own commands.
    pub script: Option<super::targets::ScriptTarget>,
    #[serde(default)]
    pub probes: Vec<crate::probes::ProbeSpec>,
    pub canary: Option<CanarySection>,
    #[serde(default)]
    pub policy: super::policy::EnvPolicy,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudRunTarget {
    /// Omitted in sandbox profiles (filled with the sandbox address); default `https://run.googleapis.com`.
    pub base_url: Option<String>,
    pub project: String,
    pub region: String,
    pub service: String,
    /// `"google"` (application default credentials) or `"none"`; default: `"none"` in a profile
    /// with a `[sandbox]` section, else `"google"`.
    pub auth: Option<super::targets::AuthMode>,
}

/// Which provider runs a lane (exactly one per environment).
#[derive(Debug, Clone, Copy)]
pub enum Provider<'a> {
    CloudRun(&'a CloudRunTarget),
    CloudDeploy(&'a super::targets::CloudDeployTarget),
    Script(&'a super::targets::ScriptTarget),
}

impl Environment {
    pub fn provider(&self) -> Option<Provider<'_>> {
        match (&self.cloudrun, &self.clouddeploy, &self.script) {
            (Some(cr), None, None) => Some(Provider::CloudRun(cr)),
            (None, Some(cd), None) => Some(Provider::CloudDeploy(cd)),
            (None, None, Some(script)) => Some(Provider::Script(script)),
            _ => None,
        }
    }
}

impl CloudRunTarget {
    pub fn service_name(&self) -> String {
        format!(
            "projects/{}/locations/{}/services/{}",
            self.project, self.region, self.service
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanarySection {
    /// Traffic percentages for the new revision, e.g. `[10, 50, 100]`.
    pub steps: Vec<u8>,
    /// Seconds to wait between steps.
    #[serde(default)]
    pub bake_secs: u64,
}

impl Profile {
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The allowed-signers file when signing is on, resolved against the profile's directory.
    pub fn allowed_signers_path(&self) -> Option<PathBuf> {
        let file = self.ledger.allowed_signers.as_ref()?;
        let base = self.source.parent().unwrap_or(Path::new("."));
        Some(base.join(file))
    }

    pub fn ledger_path(&self, paths: &Paths) -> PathBuf {
        self.ledger
            .path
            .clone()
            .unwrap_or_else(|| paths.default_ledger(&self.name))
    }
}
