//! A profile ready to use: the sandbox started (or found), base URLs filled in, clients built.

use std::net::SocketAddr;

use chrono::Utc;

use crate::config::profile::Provider;
use crate::config::{Paths, Profile};
use crate::ledger::store::{LedgerLocation, LedgerStore};
use crate::ledger::{Ledger, Setup};
use crate::model::{Level, Model};
use crate::providers::clouddeploy::CloudDeployClient;
use crate::providers::cloudrun::CloudRunClient;
use crate::providers::github::{GithubClient, Token, expected_durations};
use crate::runtime::{LaneSource, LedgerHandle, PipelineSource};
use crate::sandbox::{self, RunningSandbox};

/// A profile ready to use: sandbox base URLs filled in, the sandbox kept alive while this lives.
pub struct Session {
    pub profile: Profile,
    pub paths: Paths,
    pub sandbox_url: Option<String>,
    pub speed: f64,
    _sandbox: Option<RunningSandbox>,
}

impl Session {
    /// Opens `profile` (a name or a file) against the sandbox at `sandbox`, or a sandbox started
    /// here when the profile has a `[sandbox]` section and no address is given.
    pub async fn open(profile: &str, sandbox: Option<SocketAddr>) -> Result<Session, String> {
        let paths = Paths::discover();
        let mut profile = Profile::resolve(&paths, profile).map_err(|e| e.to_string())?;
        let mut sandbox_url = None;
        let mut running = None;
        let speed = profile.sandbox.as_ref().map_or(1.0, |s| s.speed);
        let breathe = profile.sandbox.as_ref().is_some_and(|s| s.breathe);
        if profile.sandbox.is_some() {
            let url = match sandbox {
                Some(addr) => format!("http://{addr}"),
                None => {
                    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
                    let started = sandbox::start_with(any_port, speed, breathe)
                        .await
                        .map_err(|e| format!("cannot start the sandbox on 127.0.0.1: {e}"))?;
                    let url = started.base_url();
                    running = Some(started);
                    url
                }
            };
            for env in &mut profile.environments {
                if let Some(target) = &mut env.cloudrun {
                    target.base_url.get_or_insert_with(|| url.clone());
                }
                if let Some(target) = &mut env.clouddeploy {
                    target.base_url.get_or_insert_with(|| url.clone());
                }
            }
            if let Some(pipeline) = &mut profile.pipeline {
                pipeline.base_url.get_or_insert_with(|| url.clone());
            }
            if let Some(sandbox) = profile.sandbox.as_ref().filter(|s| s.require_auth) {
                if let Some(started) = &running {
                    started.state.lock_google_auth().rule = Some(
                        sandbox::google_auth::AuthRule::metadata_tokens(sandbox.token_ttl_secs),
                    );
                }
                // The sandbox plays Compute Engine: its metadata server hands out the tokens.
                crate::providers::auth::TokenSource::use_metadata_server(&url);
            }
            sandbox_url = Some(url);
        }
        Ok(Session {
            profile,
            paths,
            sandbox_url,
            speed,
            _sandbox: running,
        })
    }

    /// The sandbox was started inside this process (no `--sandbox ADDR`): it ends with it, so no
    /// background process can reach it.
    pub fn owns_sandbox(&self) -> bool {
        self._sandbox.is_some()
    }

    /// Every endpoint of the profile is plain HTTP on loopback (the sandbox): no TLS roots needed.
    pub fn loopback_only(&self) -> bool {
        let loopback = |url: &Option<String>| {
            url.as_deref()
                .is_some_and(crate::providers::cloudrun::is_loopback)
        };
        self.sandbox_url.is_some()
            && self.profile.environments.iter().all(|env| {
                (match env.provider() {
                    Some(Provider::CloudRun(c)) => loopback(&c.base_url),
                    Some(Provider::CloudDeploy(c)) => loopback(&c.base_url),
                    // A script makes its own connections.
                    Some(Provider::Script(_)) => true,
                    None => false,
                }) && env
                    .probes
                    .iter()
                    .all(|p| p.url.is_none() || loopback(&p.url))
            })
            && self
                .profile
                .pipeline
                .as_ref()
                .is_none_or(|p| loopback(&p.base_url))
    }

    /// The client the cockpit's lanes and commands share.
    pub fn client(&self) -> reqwest::Client {
        crate::net::builder(self.loopback_only())
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    }

    /// Each lane's poll is abandoned after one poll interval, whichever provider runs it: a
    /// stalled API (or status script) must not hold the lane's one in-flight poll.
    pub fn lane_sources(&self, http: &reqwest::Client) -> Vec<LaneSource> {
        let interval = self.profile.poll.interval_secs.max(1);
        let limit = std::time::Duration::from_secs(interval);
        self.profile
            .environments
            .iter()
            .filter_map(|env| match env.provider()? {
                Provider::CloudRun(target) => Some(LaneSource::CloudRun {
                    client: CloudRunClient::for_target(http.clone(), target)
                        .with_poll_timeout(limit),
                    service: target.service_name(),
                }),
                Provider::CloudDeploy(target) => Some(LaneSource::CloudDeploy {
                    client: CloudDeployClient::for_target(http.clone(), target)
                        .with_poll_timeout(limit),
                    target: target.clone(),
                }),
                Provider::Script(target) => {
                    let mut target = target.clone();
                    // The script's own timeout kills its whole process group.
                    target.status_timeout_secs = target.status_timeout_secs.min(interval);
                    Some(LaneSource::Script {
                        env: env.name.clone(),
                        target,
                    })
                }
            })
            .collect()
    }

    /// The release a sign-off for `env` is about: the version in the lane before it (or its own, for the first).
    pub async fn candidate_release(&self, env: &str) -> Option<String> {
        let envs = &self.profile.environments;
        let index = envs.iter().position(|e| e.name == env)?;
        let source = envs.get(index.saturating_sub(1))?;
        let index = envs.iter().position(|e| e.name == source.name)?;
        let lane = self.lane_sources(&self.client()).into_iter().nth(index)?;
        let state = lane.fetch().await.ok()?;
        state.version().map(str::to_string)
    }

    /// The GitHub Actions client of the profile's pipeline (None when there is none).
    pub async fn pipeline_source(&self) -> Result<Option<PipelineSource>, String> {
        let Some(config) = &self.profile.pipeline else {
            return Ok(None);
        };
        let token = if self.sandbox_url.is_some() {
            Some(Token::sandbox())
        } else {
            Token::resolve(config).await.map_err(|e| e.to_string())?
        };
        let client = GithubClient::new(config, token).map_err(|e| e.to_string())?;
        let speed = if self.sandbox_url.is_some() {
            self.speed
        } else {
            1.0
        };
        let limit = std::time::Duration::from_secs(self.profile.poll.interval_secs.max(1));
        Ok(Some(
            PipelineSource::new(client, expected_durations(Some(config), speed))
                .with_poll_timeout(limit),
        ))
    }

    /// Opens the profile's ledger and learns who we are; a problem is told in the cockpit, which
    /// keeps running (signing is then unavailable).
    pub fn open_ledger(&self, model: &mut Model) -> Option<LedgerHandle> {
        model.signoffs.config = self.profile.signoff.clone();
        let path = self.profile.ledger_path(&self.paths);
        let actor = match crate::ledger::identity::current_actor() {
            Ok(actor) => actor,
            Err(e) => {
                model.log(
                    None,
                    Level::Error,
                    format!("cannot tell who you are, signing is off: {e}"),
                );
                return None;
            }
        };
        model.signoffs.account = Some(actor.account.clone());
        // A database ledger (FLIGHTDECK_LEDGER_URL or [ledger] url): connected lazily, followed live.
        match LedgerLocation::of_profile(&self.profile, &self.paths) {
            Ok(LedgerLocation::Postgres(target)) => {
                let address = crate::ledger::store::ledger_address(&self.profile, &self.paths);
                let ledger =
                    LedgerStore::writer(&self.profile, &address, model.read_only, &actor.account)
                        .unwrap_or_else(|e| {
                            model.log(None, Level::Error, format!("signing is off: {e}"));
                            // Nothing is recorded, but what is read is still checked.
                            let ledger = crate::ledger::postgres::PgLedger::new(target).refusing(e);
                            let signers = self
                                .profile
                                .allowed_signers_path()
                                .and_then(|f| crate::ledger::AllowedSigners::load(&f).ok());
                            LedgerStore::Postgres(match signers {
                                Some(signers) => ledger.checking(signers),
                                None => ledger,
                            })
                        });
                return Some(LedgerHandle {
                    ledger,
                    actor,
                    setup: Setup::plain(&path),
                });
            }
            Ok(LedgerLocation::File(_)) => {}
            Err(e) => {
                model.log(
                    None,
                    Level::Error,
                    format!("ledger unavailable, signing is off: {e}"),
                );
                return None;
            }
        }
        let setup = match Setup::from_profile(
            &self.profile,
            &self.paths,
            Some(path.clone()),
            model.read_only,
        ) {
            Ok(setup) => setup,
            Err(e) => {
                model.log(
                    None,
                    Level::Error,
                    format!("ledger unavailable, signing is off: {e}"),
                );
                return None;
            }
        };
        let ledger = match setup.writer(&actor.account) {
            Ok(ledger) => ledger,
            Err(e) => {
                model.log(None, Level::Error, format!("signing is off: {e}"));
                Ledger::existing(&path).refusing(e.to_string())
            }
        };
        Some(LedgerHandle {
            ledger: ledger.into(),
            actor,
            setup,
        })
    }

    pub fn model(&self, read_only: bool) -> Model {
        let envs: Vec<String> = self
            .profile
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect();
        let mut model = Model::new(
            &self.profile.service.name,
            &self.profile.name,
            &envs,
            self.profile.poll.interval_secs,
            Utc::now(),
        );
        model.read_only = read_only;
        model.local_offset = *chrono::Local::now().offset();
        model.signoff_required = self
            .profile
            .environments
            .iter()
            .map(|e| e.policy.require_signoff)
            .collect();
        model.probes = crate::model::probes::Probes::from_profile(
            self.profile
                .environments
                .iter()
                .map(|e| (e.name.as_str(), e.probes.as_slice())),
        );
        model.sandbox_addr = self
            .sandbox_url
            .as_ref()
            .map(|u| u.trim_start_matches("http://").to_string());
        model.operation_expected_secs = if self.sandbox_url.is_some() {
            sandbox::cloudrun_sim::DEPLOY_SECS as f64 / self.speed.max(0.01)
        } else {
            90.0
        };
        model
    }
}
