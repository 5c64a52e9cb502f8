//! The headless commands `trigger`, `promote` and `rollback`: read the lanes, check the gates,
//! write the command to the ledger, run it, write the outcome. Tests call [`execute`] with a
//! [`Context`] of their own (short timeouts, a temp ledger, a chosen actor).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::health;
use super::outcome::{Outcome, Status};
use super::wire::{self, Change, Target};
use super::{CommandError, ProgressSink, TriggerVia, WireOptions, driver};
use crate::config::Profile;
use crate::config::profile::Environment;
use crate::ledger::{Actor, Ledger, Payload};
use crate::model::lane::ServiceState;
use crate::model::rollout::{Phase, Rollout};
use crate::model::signoff::SignoffGrid;
use crate::policy::{CommandKind, GateInput, GateVerdict, SourceHealth, evaluate};
use crate::providers::cloudrun::CloudRunClient;
use crate::providers::cloudrun_wire::version_of_image;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Trigger {
        version: String,
        via: TriggerVia,
    },
    Promote {
        from: String,
        to: String,
        bake_secs: Option<u64>,
    },
    Rollback {
        env: String,
        to: Option<String>,
    },
}

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
    /// Ask for the environment's name on a terminal when confirmation is needed.
    pub prompt: bool,
    /// Pause / resume / advance / abort for a canary (the cockpit's keys); taken by the rollout.
    pub control: ControlSlot,
}

/// Where a running rollout takes its [`driver::Control`] messages from, if anyone sends them.
pub type ControlSlot = std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<driver::Control>>>;

impl Context {
    fn env(&self, kind: CommandKind, name: &str) -> Result<&Environment, Box<Outcome>> {
        self.profile.environment(name).ok_or_else(|| {
            let known: Vec<&str> = self
                .profile
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            Box::new(Outcome::new(
                kind,
                name,
                Status::Usage,
                format!(
                    "no environment named `{name}` (environments: {})",
                    known.join(", ")
                ),
            ))
        })
    }

    fn target(&self, kind: CommandKind, env: &Environment) -> Result<Target, Box<Outcome>> {
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

    async fn state(
        &self,
        target: &Target,
        kind: CommandKind,
    ) -> Result<ServiceState, Box<Outcome>> {
        let svc = wire::read(target, &self.wire, &self.progress).await;
        let revisions = match &svc {
            Ok(_) => wire::timed(
                &self.wire,
                "GET",
                &target.service,
                target.client.list_revisions(&target.service),
            )
            .await
            .map_err(CommandError::from),
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

/// `<repo>:<tag>` or `<repo>@sha256:…` → `<repo>`.
pub fn image_repo(image: &str) -> &str {
    if let Some((repo, _)) = image.split_once('@') {
        return repo;
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(colon) => &image[..slash + colon],
        None => image,
    }
}

fn primary_image(state: &ServiceState) -> Option<(String, String)> {
    let primary = state.primary()?;
    let info = state
        .revisions
        .iter()
        .find(|r| r.name == primary.revision)?;
    Some((primary.revision.clone(), info.image.clone()))
}

/// Runs one request to the end; never panics, always an outcome.
pub async fn execute(ctx: &Context, request: Request) -> Outcome {
    let started = Instant::now();
    let mut outcome = match request {
        Request::Trigger { version, via } => trigger(ctx, &version, via).await,
        Request::Promote {
            from,
            to,
            bake_secs,
        } => promote(ctx, &from, &to, bake_secs).await,
        Request::Rollback { env, to } => rollback(ctx, &env, to.as_deref(), started).await,
    }
    .unwrap_or_else(|refused| *refused);
    outcome.elapsed_secs = started.elapsed().as_secs_f64();
    outcome
}

/// The facts gates need, then the verdict; confirmation is asked only if nothing else refuses.
pub(super) async fn check_gates(
    ctx: &Context,
    kind: CommandKind,
    env: &Environment,
    release: &str,
    source: SourceHealth,
) -> Result<Vec<String>, Box<Outcome>> {
    let entries = Ledger::open(&ctx.ledger_path).and_then(|l| l.read_all());
    let entries =
        entries.map_err(|e| Outcome::new(kind, &env.name, Status::Failed, e.to_string()))?;
    let grid = SignoffGrid::from_entries(&ctx.profile.signoff, &env.name, release, &entries);
    let mut input = GateInput {
        kind,
        target_env: &env.name,
        policy: &env.policy,
        read_only: ctx.read_only,
        now: Utc::now(),
        actor: &ctx.actor.account,
        signoff: Some(&grid),
        source_health: source,
        confirmed: true,
        override_reason: ctx.override_reason.as_deref(),
    };
    if let GateVerdict::Refused(refusals) = evaluate(&input) {
        return Err(Box::new(Outcome::refused(kind, &env.name, refusals)));
    }
    input.confirmed =
        ctx.yes || !env.policy.confirm_by_name || (ctx.prompt && typed_name(&env.name));
    match evaluate(&input) {
        GateVerdict::Refused(refusals) => {
            Err(Box::new(Outcome::refused(kind, &env.name, refusals)))
        }
        GateVerdict::Allowed { overridden } => Ok(overridden
            .iter()
            .map(|r| r.gate.name().to_string())
            .collect()),
    }
}

fn typed_name(env: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("type `{env}` to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == env
}

/// Records overrides and the command before anything is sent; returns the request id.
pub(super) fn record_command(
    ctx: &Context,
    outcome: &Outcome,
    overridden: &[String],
    detail: serde_json::Value,
) -> Result<String, Box<Outcome>> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let failed = |e: crate::ledger::LedgerError| {
        let mut o = outcome.clone();
        o.status = Status::Failed;
        o.message = format!("not sent: the ledger could not record the command: {e}");
        o
    };
    let ledger = Ledger::open(&ctx.ledger_path).map_err(failed)?;
    let reason = ctx.override_reason.clone().unwrap_or_default();
    for gate in overridden {
        let payload = Payload::Override {
            gate: gate.clone(),
            reason: reason.trim().to_string(),
            request_id: request_id.clone(),
        };
        ledger.append(&ctx.actor, payload).map_err(failed)?;
    }
    let payload = Payload::Command {
        request_id: request_id.clone(),
        action: format!("{:?}", outcome.action).to_lowercase(),
        env: outcome.env.clone(),
        release: outcome.release.clone().unwrap_or_default(),
        detail,
    };
    ledger.append(&ctx.actor, payload).map_err(failed)?;
    Ok(request_id)
}

pub(super) fn record_outcome(ctx: &Context, outcome: &mut Outcome) {
    let Some(request_id) = outcome.request_id.clone() else {
        return;
    };
    let payload = Payload::CommandOutcome {
        request_id,
        ok: outcome.ok(),
        detail: outcome.ledger_detail(),
    };
    if let Err(e) = Ledger::open(&ctx.ledger_path).and_then(|l| l.append(&ctx.actor, payload)) {
        outcome.message.push_str(&format!(
            " (the outcome was not recorded in the ledger: {e})"
        ));
        if outcome.status == Status::Done {
            outcome.status = Status::Failed;
        }
    }
}

async fn trigger(ctx: &Context, version: &str, via: TriggerVia) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Trigger;
    let env =
        ctx.profile.environments.first().ok_or_else(|| {
            Outcome::new(kind, "?", Status::Usage, "the profile has no environments")
        })?;
    if via == TriggerVia::GithubDispatch {
        return super::dispatch::trigger(ctx, env, version).await;
    }
    if version.trim().is_empty() || version.contains(['/', ' ', '@']) {
        return Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{version}` is not an image tag"),
        )));
    }
    deploy(ctx, kind, env, None, |state| {
        let (_, image) = primary_image(state)
            .ok_or("the first environment serves no revision to take the image repository from")?;
        Ok(format!("{}:{version}", image_repo(&image)))
    })
    .await
}

async fn promote(
    ctx: &Context,
    from: &str,
    to: &str,
    bake_secs: Option<u64>,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Promote;
    let (from_env, to_env) = (ctx.env(kind, from)?, ctx.env(kind, to)?);
    if from == to {
        return Err(Box::new(Outcome::new(
            kind,
            to,
            Status::Usage,
            "FROM and TO are the same environment",
        )));
    }
    let source = ctx.target(kind, from_env)?;
    let source_state = ctx.state(&source, kind).await?;
    let (_, image) = primary_image(&source_state).ok_or_else(|| {
        Outcome::new(
            kind,
            to,
            Status::Failed,
            format!("`{from}` serves no revision to promote"),
        )
    })?;
    let health = if to_env.policy.require_source_green {
        health::source_health(
            &ctx.http,
            &health::probe_urls(from_env, source_state.uri.as_deref()),
        )
        .await
    } else {
        SourceHealth::Unknown
    };
    deploy(ctx, kind, to_env, Some((health, bake_secs)), move |_| {
        Ok(image.clone())
    })
    .await
}

/// Trigger and promote: gates, ledger, then the rollout machine (canary when the env has steps).
async fn deploy(
    ctx: &Context,
    kind: CommandKind,
    env: &Environment,
    promote: Option<(SourceHealth, Option<u64>)>,
    image_for: impl Fn(&ServiceState) -> Result<String, &'static str>,
) -> Result<Outcome, Box<Outcome>> {
    if ctx.read_only {
        check_gates(ctx, kind, env, "", SourceHealth::Unknown).await?;
    }
    let target = ctx.target(kind, env)?;
    let state = ctx.state(&target, kind).await?;
    let image = image_for(&state).map_err(|m| Outcome::new(kind, &env.name, Status::Failed, m))?;
    let from_revision = state
        .primary()
        .map(|p| p.revision.clone())
        .unwrap_or_default();
    let release = version_of_image(&image);
    let (source, bake_override) = promote.unwrap_or((SourceHealth::Unknown, None));
    let overridden = check_gates(ctx, kind, env, &release, source).await?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(release);
    outcome.image = Some(image.clone());
    outcome.from_revision = Some(from_revision.clone());
    outcome.overridden = overridden.clone();
    let (steps, bake) = env
        .canary
        .as_ref()
        .map_or((Vec::new(), 0), |c| (c.steps.clone(), c.bake_secs));
    let bake = bake_override.unwrap_or(bake);
    let detail = serde_json::json!({"image": image, "from_revision": from_revision, "steps": steps, "bake_secs": bake});
    let request_id = record_command(ctx, &outcome, &overridden, detail)?;
    outcome.request_id = Some(request_id.clone());
    let mut rollout = Rollout::new(
        &request_id,
        &env.name,
        &from_revision,
        &image,
        steps,
        bake,
        env.policy.auto_rollback_after,
        Utc::now(),
    );
    let health = health::health_url(env, state.uri.as_deref());
    let interval = env
        .probes
        .first()
        .map_or(1.0, |p| p.interval_secs)
        .clamp(0.05, 60.0);
    let probe_every = ctx
        .probe_every
        .unwrap_or_else(|| Duration::from_secs_f64((bake as f64 / 5.0).clamp(0.1, interval)));
    let opts = driver::DriveOptions {
        wire: ctx.wire.clone(),
        probe_every,
        health,
        http: ctx.http.clone(),
    };
    let mut control = ctx.control.lock().ok().and_then(|mut slot| slot.take());
    let report = driver::drive(
        &target,
        &mut rollout,
        &opts,
        control.as_mut(),
        &ctx.progress,
    )
    .await;
    outcome.patches_sent = report.patches_sent;
    outcome.to_revision = rollout.to_revision.clone();
    (outcome.status, outcome.message) = match (&rollout.phase, &report.last_error) {
        (Phase::Done, _) => (
            Status::Done,
            format!(
                "{} serves {} at 100%",
                env.name,
                rollout.to_revision.as_deref().unwrap_or("?")
            ),
        ),
        (Phase::Aborted { reason }, _) => (
            Status::Aborted,
            format!("rolled back to {from_revision}: {reason}"),
        ),
        (Phase::Failed { reason }, Some(CommandError::Api(_))) => {
            (Status::ApiError, reason.clone())
        }
        (phase, _) => (Status::Failed, format!("{phase:?}")),
    };
    if let Ok(after) = ctx.state(&target, kind).await {
        outcome.traffic = Some(after.split_text());
    }
    outcome.rollout = Some(rollout);
    record_outcome(ctx, &mut outcome);
    Ok(outcome)
}

async fn rollback(
    ctx: &Context,
    env_name: &str,
    to: Option<&str>,
    started: Instant,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Rollback;
    let env = ctx.env(kind, env_name)?;
    if ctx.read_only {
        check_gates(ctx, kind, env, "", SourceHealth::Unknown).await?;
    }
    let target = ctx.target(kind, env)?;
    let state = ctx.state(&target, kind).await?;
    let serving = state
        .primary()
        .map(|p| p.revision.clone())
        .unwrap_or_default();
    let chosen = match to {
        Some(want) => state
            .revisions
            .iter()
            .find(|r| r.name == want || r.short == want || r.name.ends_with(want)),
        None => state
            .revisions
            .iter()
            .find(|r| r.ready && r.name != serving),
    };
    let Some(chosen) = chosen else {
        let what = to.map_or_else(
            || "no earlier ready revision to roll back to".to_string(),
            |w| format!("no revision `{w}` in `{env_name}`"),
        );
        return Err(Box::new(Outcome::new(kind, env_name, Status::Usage, what)));
    };
    let release = chosen.version.clone();
    let overridden = check_gates(ctx, kind, env, &release, SourceHealth::Unknown).await?;
    let mut outcome = Outcome::new(kind, env_name, Status::Done, "");
    outcome.release = Some(release);
    outcome.image = Some(chosen.image.clone());
    outcome.from_revision = Some(serving.clone());
    outcome.to_revision = Some(chosen.name.clone());
    let detail = serde_json::json!({"from_revision": serving, "to_revision": chosen.name});
    outcome.request_id = Some(record_command(ctx, &outcome, &overridden, detail)?);
    match wire::apply(
        &target,
        &Change::Traffic(vec![(chosen.name.clone(), 100)]),
        &ctx.wire,
        &ctx.progress,
    )
    .await
    {
        Ok(applied) => {
            outcome.patches_sent = applied.patches_sent;
            outcome.traffic = Some(applied.state.split_text());
            let urls = health::probe_urls(env, applied.state.uri.as_deref());
            let failing =
                health::wait_healthy(&ctx.http, &urls, 30, Duration::from_millis(500)).await;
            if failing.is_empty() {
                outcome.healthy_after_secs = Some(started.elapsed().as_secs_f64());
                outcome.message = format!("100% on {} ({})", chosen.name, chosen.version);
            } else {
                let why: Vec<String> = failing
                    .iter()
                    .map(|h| format!("{} {}", h.url, h.detail))
                    .collect();
                outcome.status = Status::Failed;
                outcome.message = format!(
                    "traffic is on {} but probes still fail: {}",
                    chosen.name,
                    why.join("; ")
                );
            }
        }
        Err(e) => {
            let failed = Outcome::from_error(kind, env_name, &e);
            (outcome.status, outcome.message) = (failed.status, failed.message);
        }
    }
    record_outcome(ctx, &mut outcome);
    Ok(outcome)
}
