//! Runs trigger / promote / rollback for the cockpit with the CLI's code (`commands::run`), and
//! the single wire operations of the rollouts `update` drives: one change, one probe. Progress
//! and results come back as messages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use std::os::unix::process::CommandExt;

use crate::commands::context::GateDecider;
use crate::commands::run::{self, Context, Request};
use crate::commands::wire::{self, Target};
use crate::commands::{Progress, WireOptions, driver, health};
use crate::config::Profile;
use crate::ledger::Actor;
use crate::model::operations::Handover;
use crate::model::outcome::{Outcome, Status};
use crate::model::rollout::NextAction;
use crate::msg::Msg;
use crate::policy::{CommandKind, GateAnswer};
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
    /// Commands waiting for `update` to decide their gates, by question id.
    questions: Questions,
    /// The next question's id (shared by every command this cockpit runs).
    next_question: Arc<AtomicU64>,
}

/// Question id → where the command task waits for the answer.
type Questions = Arc<Mutex<HashMap<u64, oneshot::Sender<GateAnswer>>>>;

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
            questions: Arc::default(),
            next_question: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Asks `update` (through a message) to decide a command's gates from the model.
    fn decider(&self, tx: mpsc::UnboundedSender<Msg>) -> GateDecider {
        let (questions, next) = (self.questions.clone(), self.next_question.clone());
        Arc::new(move |question| {
            let (answer, answered) = oneshot::channel();
            let id = next.fetch_add(1, Ordering::Relaxed);
            questions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, answer);
            let _ = tx.send(Msg::GatesAsked {
                id,
                question: Box::new(question),
            });
            answered
        })
    }

    /// `update`'s answer to question `id`, to the command task that waits for it.
    pub fn answer(&self, id: u64, answer: GateAnswer) {
        let waiting = self
            .questions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
        if let Some(waiting) = waiting {
            let _ = waiting.send(answer);
        }
    }

    /// Gates, ledger and (for trigger and rollback) the command itself in a task; a rollout that
    /// passed its gates comes back as `Msg::RolloutPlanned` and is driven by `update`.
    pub fn run(
        &self,
        request: Request,
        override_reason: Option<String>,
        confirmed: bool,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let env = match &request {
            Request::Trigger { .. } => self
                .profile
                .environments
                .first()
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            Request::Promote { to, .. } => to.clone(),
            Request::Rollback { env, .. } | Request::Gate { env, .. } => env.clone(),
        };
        let Some(actor) = self.actor.clone() else {
            let kind = match &request {
                Request::Trigger { .. } => CommandKind::Trigger,
                Request::Promote { .. } => CommandKind::Promote,
                Request::Rollback { .. } | Request::Gate { .. } => CommandKind::Rollback,
            };
            let outcome = Outcome::new(
                kind,
                &env,
                Status::Usage,
                "this cockpit does not know its operating-system account: commands are off"
                    .to_string(),
            );
            let _ = tx.send(Msg::CommandFinished(Box::new(outcome)));
            return;
        };
        let host_tx = tx.clone();
        let ctx = Context {
            profile: self.profile.clone(),
            http: self.http.clone(),
            actor,
            ledger_path: self.ledger_path.clone(),
            read_only: self.read_only,
            wire: WireOptions::default(),
            probe_every: None,
            progress: progress_to(&tx),
            yes: confirmed,
            override_reason,
            confirm: None,
            control: Default::default(),
            release: Default::default(),
            host: Some(Arc::new(move |handover| {
                let _ = host_tx.send(match handover {
                    Handover::Rollout(hosted) => Msg::RolloutPlanned(hosted),
                    Handover::Change(run) => Msg::ChangePlanned(run),
                });
            })),
            decider: Some(self.decider(tx.clone())),
            lease: run::DEFAULT_LEASE,
        };
        tokio::spawn(async move {
            let outcome = run::execute(&ctx, request).await;
            let _ = tx.send(Msg::CommandFinished(Box::new(outcome)));
        });
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
