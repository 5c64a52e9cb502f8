//! What every command runs with besides its request: the profile, the ledger, the wire
//! options, the progress sink and the cockpit's hooks; and the lane reads all commands share.

use std::path::PathBuf;
use std::time::Duration;

use super::outcome::{Outcome, Status};
use super::wire::{self, Target};
use super::{ProgressSink, WireOptions, driver};
use crate::config::Profile;
use crate::config::profile::Environment;
use crate::ledger::Actor;
use crate::ledger::store::LedgerStore;
use crate::model::lane::ServiceState;
use crate::policy::CommandKind;
use crate::providers::cloudrun::CloudRunClient;
use crate::providers::github::{GithubClient, PipelineConfig, Token};

/// Everything a command needs besides its request.
pub struct Context {
    /// With base URLs filled in.
    pub profile: Profile,
    pub http: reqwest::Client,
    pub actor: Actor,
    pub ledger_path: PathBuf,
    pub read_only: bool,
    pub wire: WireOptions,
    /// Overrides how often a canary bake probes (default: from the bake and the probe interval).
    pub probe_every: Option<Duration>,
    pub progress: ProgressSink,
    pub yes: bool,
    pub override_reason: Option<String>,
    /// Asks the user to confirm a change to the environment named, when its policy wants the
    /// name typed and `yes` was not given. The engine never reads a terminal itself: the CLI
    /// passes its prompt here; the cockpit confirmed in its own dialog and passes none.
    pub confirm: Option<ConfirmByName>,
    /// Pause / resume / advance / abort for a canary (the cockpit's keys); taken by the rollout.
    pub control: ControlSlot,
    /// Hand-over requests (SIGTERM, SIGHUP: the reason); taken by the rollout.
    pub release: ReleaseSlot,
    /// How long a driver's lease lasts without a heartbeat: a dead driver's rollout is orphaned
    /// (and may be taken over) this long after its last entry.
    pub lease: Duration,
    /// The GitHub token once resolved (its `token_command` runs once, not once per request).
    pub github_token: GithubTokenCache,
}

/// A GitHub token resolved at most once, shared by the contexts that clone it.
pub type GithubTokenCache = std::sync::Arc<tokio::sync::OnceCell<Option<Token>>>;

/// The token in `cache`, resolved for `config` the first time (a failure is not kept: the
/// next request tries again).
pub async fn resolve_once(
    cache: &GithubTokenCache,
    config: &PipelineConfig,
) -> Result<Option<Token>, crate::providers::github::GithubError> {
    cache
        .get_or_try_init(|| Token::resolve(config))
        .await
        .cloned()
}

/// Where a running rollout takes its [`driver::Control`] messages from, if anyone sends them.
pub type ControlSlot = std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<driver::Control>>>;
/// Where a running rollout learns it must hand over (stop driving, release its lease).
pub type ReleaseSlot = std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<String>>>;

/// Asks whether the change to the environment named is confirmed.
pub type ConfirmByName = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// The default lease: a dead driver is noticed within 15 s.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15);

impl Context {
    /// The ledger this context records in (a file or a database), signing when the profile says
    /// so; read-only refuses appends and creates nothing. A database is contacted on first use.
    pub fn ledger(&self) -> Result<LedgerStore, String> {
        LedgerStore::writer(
            &self.profile,
            &self.ledger_path,
            self.read_only,
            &self.actor.account,
        )
    }

    /// What this context's commands are planned with, at `now`.
    pub fn planning(&self, now: chrono::DateTime<chrono::Utc>) -> super::plan::Planning<'_> {
        super::plan::Planning {
            profile: &self.profile,
            account: &self.actor.account,
            read_only: self.read_only,
            confirmed: self.yes,
            override_reason: self.override_reason.as_deref(),
            now,
        }
    }

    /// The GitHub client for the profile's pipeline `config` (the sandbox gets a placeholder
    /// token, never the user's).
    pub(super) async fn github_client(
        &self,
        config: &PipelineConfig,
    ) -> Result<GithubClient, String> {
        let token = if crate::providers::cloudrun::is_loopback(config.base()) {
            Some(Token::sandbox())
        } else {
            resolve_once(&self.github_token, config)
                .await
                .map_err(|e| e.to_string())?
        };
        GithubClient::new(config, token).map_err(|e| e.to_string())
    }

    /// The ledger is a `postgres://` URL.
    pub fn is_database(&self) -> bool {
        self.ledger_path
            .to_str()
            .is_some_and(crate::ledger::postgres::is_postgres_url)
    }

    pub(super) fn env(&self, kind: CommandKind, name: &str) -> Result<&Environment, Box<Outcome>> {
        super::request_checks::env_named(&self.profile, kind, name)
    }

    pub(super) fn target(
        &self,
        kind: CommandKind,
        env: &Environment,
    ) -> Result<Target, Box<Outcome>> {
        let cr = env.cloudrun.as_ref().ok_or_else(|| {
            Outcome::new(
                kind,
                &env.name,
                Status::Usage,
                format!("`{}` has no Cloud Run service", env.name),
            )
        })?;
        Ok(Target {
            env: env.name.clone(),
            client: CloudRunClient::for_target(self.http.clone(), cr),
            service: cr.service_name(),
        })
    }

    pub(super) async fn state(
        &self,
        target: &Target,
        kind: CommandKind,
    ) -> Result<ServiceState, Box<Outcome>> {
        let svc = wire::read(target, &self.wire, &self.progress).await;
        let revisions = match &svc {
            Ok(_) => wire::list_revisions(target, &self.wire, &self.progress).await,
            Err(e) => Err(e.clone()),
        };
        match (svc, revisions) {
            (Ok(svc), Ok(revisions)) => {
                Ok(crate::providers::cloudrun::service_state(&svc, &revisions))
            }
            (Err(e), _) | (_, Err(e)) => Err(Box::new(Outcome::from_error(kind, &target.env, &e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_token_command_runs_once_for_every_request_that_shares_the_cache() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let runs = dir.path().join("runs");
        let text = crate::config::profile::SANDBOX_PROFILE.replace(
            "[pipeline]\n",
            &format!(
                "[pipeline]\ntoken_command = \"echo run >> '{}'; echo s3cr3t-token\"\n",
                runs.display()
            ),
        );
        let profile = Profile::parse(std::path::Path::new("p.toml"), &text).expect("a profile");
        let config = profile.pipeline.expect("a pipeline");
        let cache = GithubTokenCache::default();
        for _ in 0..3 {
            let token = resolve_once(&cache, &config).await.expect("a token");
            assert_eq!(
                token.map(|t| t.secret().to_string()).as_deref(),
                Some("s3cr3t-token")
            );
        }
        let ran = std::fs::read_to_string(&runs).expect("the command ran");
        assert_eq!(ran.lines().count(), 1, "{ran}");
        let other = GithubTokenCache::default();
        resolve_once(&other, &config).await.expect("a token");
        let ran = std::fs::read_to_string(&runs).expect("the command ran");
        assert_eq!(ran.lines().count(), 2, "another cache resolves anew");
    }
}
