//! Runs the single operations of the commands `update` hosts, with the CLI's code: one read for
//! a planner, one record, one provider call, one change, one probe. Progress
//! and results come back as messages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use std::os::unix::process::CommandExt;

use crate::commands::perform;
use crate::commands::record::append_record;
use crate::commands::run::{self, Context};
use crate::commands::wire::{self, Target};
use crate::commands::{Progress, WireOptions, driver, health};
use crate::config::Profile;
use crate::ledger::Actor;
use crate::model::command_plan::{CommandRecord, NotRecorded, ProviderCall};
use crate::model::command_read::{Read, ReadFailure};
use crate::model::outcome::{Outcome, Status};
use crate::model::rollout::NextAction;
use crate::msg::Msg;
use crate::providers::cloudrun::CloudRunClient;

#[derive(Debug, Clone)]
pub struct CommandRunner {
    pub profile: Profile,
    pub http: reqwest::Client,
    /// Who commands are recorded as; `None` when the account is unknown (commands refused).
    pub actor: Option<Actor>,
    pub ledger_path: PathBuf,
    pub read_only: bool,
    /// Per environment, the service URI and the canary's tag URL while a split tags one: the
    /// guard probes the new revision there (Cloud Run does not say which revision answered).
    canaries: CanaryUrls,
    /// Resolved once for all of this cockpit's commands, as the pipeline watch's is.
    github_token: crate::commands::context::GithubTokenCache,
}

/// env → (service URI, canary tag URL).
type CanaryUrls = Arc<Mutex<HashMap<String, (Option<String>, String)>>>;

fn progress_to(tx: &mpsc::UnboundedSender<Msg>) -> crate::commands::ProgressSink {
    let tx = tx.clone();
    Arc::new(move |p: &Progress| {
        let _ = tx.send(Msg::CommandProgress(p.clone()));
    })
}

impl CommandRunner {
    pub fn new(
        profile: Profile,
        http: reqwest::Client,
        actor: Option<Actor>,
        ledger_path: PathBuf,
        read_only: bool,
    ) -> Self {
        CommandRunner {
            profile,
            http,
            actor,
            ledger_path,
            read_only,
            canaries: Arc::default(),
            github_token: Arc::default(),
        }
    }

    /// One read a command's planner asked for; answers `Msg::CommandRead`.
    pub fn read(&self, env: String, read: Read, tx: mpsc::UnboundedSender<Msg>) {
        let ctx = match self.context(None, false, &tx) {
            Ok(ctx) => ctx,
            Err(why) => {
                let answer = Err(ReadFailure {
                    status: Status::Usage,
                    message: why,
                });
                let _ = tx.send(Msg::CommandRead {
                    env,
                    read,
                    answer: Box::new(answer),
                });
                return;
            }
        };
        tokio::spawn(async move {
            let answer = crate::commands::read::perform(&ctx, &read).await;
            let _ = tx.send(Msg::CommandRead {
                env,
                read,
                answer: Box::new(answer),
            });
        });
    }

    /// Appends a planned command's record at the entry its gates were decided on.
    pub fn record(&self, record: CommandRecord, tx: mpsc::UnboundedSender<Msg>) {
        let env = record.env.clone();
        let ctx = match self.context(None, false, &tx) {
            Ok(ctx) => ctx,
            Err(why) => {
                let result = Err(NotRecorded::Failed(why));
                let _ = tx.send(Msg::CommandRecorded { env, result });
                return;
            }
        };
        tokio::task::spawn_blocking(move || {
            let result = ctx
                .ledger()
                .map_err(NotRecorded::Failed)
                .and_then(|ledger| append_record(&ledger, &ctx.actor, &record));
            let _ = tx.send(Msg::CommandRecorded { env, result });
        });
    }

    /// A recorded command's one provider call; its outcome comes back unrecorded.
    pub fn call(&self, call: ProviderCall, outcome: Outcome, tx: mpsc::UnboundedSender<Msg>) {
        let ctx = match self.context(None, false, &tx) {
            Ok(ctx) => ctx,
            Err(why) => {
                let mut failed = outcome;
                failed.status = Status::Failed;
                failed.message = why;
                let _ = tx.send(Msg::CommandCalled(Box::new(failed)));
                return;
            }
        };
        tokio::spawn(async move {
            let outcome = perform::call(&ctx, &call, outcome).await;
            let _ = tx.send(Msg::CommandCalled(Box::new(outcome)));
        });
    }

    /// What a command of this cockpit runs with: its progress goes to `update`.
    fn context(
        &self,
        override_reason: Option<String>,
        confirmed: bool,
        tx: &mpsc::UnboundedSender<Msg>,
    ) -> Result<Context, String> {
        let actor = self
            .actor
            .clone()
            .ok_or("this cockpit does not know its operating-system account: commands are off")?;
        Ok(Context {
            profile: self.profile.clone(),
            http: self.http.clone(),
            actor,
            ledger_path: self.ledger_path.clone(),
            read_only: self.read_only,
            wire: WireOptions::default(),
            probe_every: None,
            progress: progress_to(tx),
            yes: confirmed,
            override_reason,
            confirm: None,
            control: Default::default(),
            release: Default::default(),
            lease: run::DEFAULT_LEASE,
            github_token: self.github_token.clone(),
        })
    }

    fn target(&self, env: &str) -> Option<Target> {
        let cr = self.profile.environment(env)?.cloudrun.as_ref()?;
        Some(Target {
            env: env.to_string(),
            client: CloudRunClient::for_target(self.http.clone(), cr),
            service: cr.service_name(),
        })
    }

    /// One change of a hosted rollout; answers `Msg::RolloutApplied`.
    pub fn apply(&self, env: String, action: NextAction, tx: mpsc::UnboundedSender<Msg>) {
        let Some(target) = self.target(&env) else {
            let result = Err(format!("`{env}` has no Cloud Run service"));
            let _ = tx.send(Msg::RolloutApplied { env, result });
            return;
        };
        let canaries = self.canaries.clone();
        tokio::spawn(async move {
            let progress = progress_to(&tx);
            // A split lists the new revision first (`model::rollout`): that is the canary.
            let canary = match &action {
                NextAction::SetTraffic { split } => split.first().map(|(r, _)| r.clone()),
                _ => None,
            };
            let change = wire::tag_canary(driver::change_for(&action), canary.as_deref());
            let result = wire::apply(&target, &change, &WireOptions::default(), &progress)
                .await
                .map(|applied| {
                    let mut tags = canaries.lock().unwrap_or_else(PoisonError::into_inner);
                    match applied.canary_uri {
                        Some(tag_uri) => tags.insert(env.clone(), (applied.state.uri, tag_uri)),
                        None => tags.remove(&env),
                    };
                    (applied.new_revision, applied.patches_sent)
                })
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::RolloutApplied { env, result });
        });
    }

    /// One probe of a hosted rollout's new revision; answers `Msg::RolloutProbed`.
    pub fn probe(
        &self,
        env: String,
        probe: crate::probes::ResolvedProbe,
        _revision: String,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let http = self.http.clone();
        let tagged = self
            .canaries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&env)
            .and_then(|(uri, tag_uri)| health::through_tag(&probe, uri.as_deref(), tag_uri));
        tokio::spawn(async move {
            let hit = health::probe_once(&http, tagged.as_ref().unwrap_or(&probe)).await;
            let pass = Some(hit.pass);
            let _ = tx.send(Msg::RolloutProbed {
                env,
                pass,
                detail: hit.detail,
            });
        });
    }

    /// Starts `flightdeck … rollout resume ENV` in the background (own process group, log in
    /// the state directory): it takes over the rollout this cockpit just released.
    pub fn spawn_successor(&self, env: &str, log_dir: &std::path::Path) -> Result<u32, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        std::fs::create_dir_all(log_dir).map_err(|e| e.to_string())?;
        let log_path = log_dir.join(format!(
            "resume-{env}-{}.log",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut args: Vec<String> = std::env::args().skip(1).collect();
        args.extend(["rollout".into(), "resume".into(), env.to_string()]);
        args.push("--when-orphaned".into());
        args.extend(["--ledger".into(), self.ledger_path.display().to_string()]);
        let child = std::process::Command::new(exe)
            .args(&args)
            .env("FLIGHTDECK_DETACHED", "1")
            .stdin(std::process::Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .map_err(|e| e.to_string())?;
        Ok(child.id())
    }
}
