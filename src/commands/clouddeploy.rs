//! `trigger`, `promote` and `rollback` of environments that are Cloud Deploy targets: trigger
//! creates a release (the service then rolls it out to the first stage), promote creates a rollout
//! on the next stage, rollback calls `rollbackTarget`. Same gates, ledger records and outcome as
//! Cloud Run; the ledger's request id is the `requestId` of the create, kept across retries.

use super::clouddeploy_policy as policy;
use super::clouddeploy_wire as cdw;
use super::context::Context;
use super::guard::{check_gates, record_command, record_outcome};
use super::health;
use super::outcome::{Outcome, Status};
use super::{CommandError, Progress};
use crate::config::profile::{Environment, Provider};
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::clouddeploy::state::{self, RolloutView, TargetState};
use crate::providers::clouddeploy::{CloudDeployClient, CloudDeployTarget, wire};

pub(super) fn target(
    kind: CommandKind,
    env: &Environment,
) -> Result<&CloudDeployTarget, Box<Outcome>> {
    match env.provider() {
        Some(Provider::CloudDeploy(cd)) => Ok(cd),
        _ => Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{}` is not a Cloud Deploy target", env.name),
        ))),
    }
}

pub(super) fn client(ctx: &Context, cfg: &CloudDeployTarget) -> CloudDeployClient {
    CloudDeployClient::for_target(ctx.http.clone(), cfg)
        .with_call_timeout(ctx.wire.call_timeout)
        .with_retry(
            ctx.wire.read_retry(),
            Some(super::retry_observer(&cfg.target, &ctx.progress)),
        )
}

pub(super) async fn read_state(
    ctx: &Context,
    kind: CommandKind,
    env: &str,
    cfg: &CloudDeployTarget,
) -> Result<TargetState, Box<Outcome>> {
    ctx.progress.as_ref()(&Progress::Reading { env: env.into() });
    state::fetch(&client(ctx, cfg), cfg)
        .await
        .map_err(|e| Box::new(Outcome::from_error(kind, env, &CommandError::Api(e))))
}

/// A resource id from free text: lower case, `[a-z0-9-]`, starting with a letter, ≤ `max`.
pub fn resource_id(text: &str, max: usize) -> String {
    let mut id: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert(0, 'r');
    }
    id.truncate(max);
    id.trim_end_matches('-').to_string()
}

/// The end of a command that followed a rollout: status and message from where it rests.
pub(super) fn settle(outcome: &mut Outcome, env: &str, result: Result<RolloutView, CommandError>) {
    match result {
        Err(e) => {
            let failed = Outcome::from_error(outcome.action, env, &e);
            outcome.status = failed.status;
            outcome.message = failed.message;
        }
        Ok(view) => {
            outcome.to_revision = Some(view.id().to_string());
            (outcome.status, outcome.message) = match view.state.as_str() {
                "SUCCEEDED" => (
                    Status::Done,
                    format!(
                        "{env} runs {} (rollout {} succeeded)",
                        view.version,
                        view.id()
                    ),
                ),
                "PENDING_APPROVAL" => (
                    Status::Done,
                    format!(
                        "rollout {} waits for approval: when the grid is GO, `flightdeck clouddeploy approve {env}`",
                        view.id()
                    ),
                ),
                "IN_PROGRESS" if view.next_phase().is_some() => (
                    Status::Done,
                    format!(
                        "rollout {} at {}%: `flightdeck clouddeploy advance {env}` starts {}",
                        view.id(),
                        view.percent(),
                        view.next_phase().map_or("", |p| p.id.as_str())
                    ),
                ),
                _ => (
                    Status::Failed,
                    match (view.failed_job(), &view.failure_reason) {
                        (Some((phase, job)), _) => format!(
                            "rollout {}: job {job} of phase {phase} failed; `flightdeck clouddeploy retry {env}` retries it",
                            view.id()
                        ),
                        (None, Some(reason)) => {
                            format!("rollout {} {}: {reason}", view.id(), view.state)
                        }
                        (None, None) => format!("rollout {} ended {}", view.id(), view.state),
                    },
                ),
            };
        }
    }
}

pub(super) async fn finish(
    ctx: &Context,
    cfg: &CloudDeployTarget,
    mut outcome: Outcome,
) -> Outcome {
    if let Ok(after) = state::fetch(&client(ctx, cfg), cfg).await {
        outcome.traffic = Some(state::lane_state(&after).traffic);
    }
    record_outcome(ctx, &mut outcome);
    outcome
}

pub(super) async fn trigger(
    ctx: &Context,
    env: &Environment,
    version: &str,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Trigger;
    let cfg = target(kind, env)?;
    if version.trim().is_empty() || version.contains(['/', ' ', '@', ':']) {
        return Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{version}` is not an image tag"),
        )));
    }
    // The release's first rollout is a CREATE on the first stage, which deploy policies restrict.
    let state = read_state(ctx, kind, &env.name, cfg).await?;
    let gated = policy::gated(env, &state, "CREATE");
    let passed = check_gates(ctx, kind, &gated, version, SourceHealth::Unknown).await?;
    let overrides = policy::in_force(&state, "CREATE", chrono::Utc::now());
    let repo = cfg
        .image_repo
        .clone()
        .unwrap_or_else(|| cfg.artifact.clone());
    let image = format!("{repo}:{version}");
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(version.to_string());
    outcome.image = Some(image.clone());
    outcome.overridden = passed.overridden.clone();
    let detail = serde_json::json!({"pipeline": cfg.pipeline_name(), "image": image, "override_deploy_policy": overrides});
    let request_id = record_command(ctx, &outcome, &passed, detail)?;
    outcome.request_id = Some(request_id.clone());
    let release_id = resource_id(&format!("{version}-{}", &request_id[..8]), 63);
    let mut body = serde_json::json!({
        "description": format!("{version}, triggered by {} through flightdeck", ctx.actor.account),
        "buildArtifacts": [{"image": cfg.artifact, "tag": image}],
        "labels": {"flightdeck-request": request_id},
    });
    for (key, value) in [
        ("skaffoldConfigUri", &cfg.skaffold_config_uri),
        ("skaffoldConfigPath", &cfg.skaffold_config_path),
    ] {
        if let (Some(value), Some(map)) = (value, body.as_object_mut()) {
            map.insert(key.into(), value.clone().into());
        }
    }
    let client = client(ctx, cfg);
    let pipeline = cfg.pipeline_name();
    ctx.progress.as_ref()(&Progress::Sending {
        env: env.name.clone(),
        what: format!("create release {release_id} (requestId {request_id})"),
    });
    let created = async {
        let op = cdw::create(&ctx.wire, &ctx.progress, &env.name, || {
            client.create_release(&pipeline, &release_id, &request_id, &body, &overrides)
        })
        .await?;
        cdw::operation(&ctx.wire, &ctx.progress, &client, &env.name, op).await?;
        let release = format!("{pipeline}/releases/{release_id}");
        let first = first_rollout(ctx, &client, &release, &cfg.target).await?;
        cdw::follow(&ctx.wire, &ctx.progress, &client, &env.name, &first).await
    }
    .await;
    outcome.from_revision = Some(release_id);
    settle(&mut outcome, &env.name, created);
    Ok(finish(ctx, cfg, outcome).await)
}

/// The rollout the service creates on the first stage once a release has rendered.
async fn first_rollout(
    ctx: &Context,
    client: &CloudDeployClient,
    release: &str,
    target: &str,
) -> Result<String, CommandError> {
    let started = tokio::time::Instant::now();
    loop {
        match client.list_rollouts(release, Some(target)).await {
            Ok(list) => {
                if let Some(r) = list.iter().find(|r| r.target_id == target) {
                    return Ok(r.name.clone());
                }
            }
            Err(e) if e.retryable() => {}
            Err(e) => return Err(CommandError::Api(e)),
        }
        if started.elapsed() > ctx.wire.op_deadline {
            return Err(CommandError::Failed(format!(
                "no rollout of {release} on {target} appeared"
            )));
        }
        tokio::time::sleep(ctx.wire.poll_initial).await;
    }
}

pub(super) async fn promote(
    ctx: &Context,
    from_env: &Environment,
    to_env: &Environment,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Promote;
    let (from_cfg, to_cfg) = (target(kind, from_env)?, target(kind, to_env)?);
    let from = read_state(ctx, kind, &from_env.name, from_cfg).await?;
    let usage = |m: String| Box::new(Outcome::new(kind, &to_env.name, Status::Usage, m));
    if from_cfg.pipeline_name() != to_cfg.pipeline_name() {
        return Err(usage(format!(
            "`{}` and `{}` are in different delivery pipelines",
            from_env.name, to_env.name
        )));
    }
    if from.next_stage() != Some(to_cfg.target.as_str()) {
        return Err(usage(format!(
            "Cloud Deploy promotes along the pipeline ({}): the stage after `{}` is {}",
            from.stages.join(" → "),
            from_cfg.target,
            from.next_stage().unwrap_or("none")
        )));
    }
    let running = from.running.clone().ok_or_else(|| {
        Outcome::new(
            kind,
            &to_env.name,
            Status::Failed,
            format!("`{}` runs no release to promote", from_env.name),
        )
    })?;
    let to = read_state(ctx, kind, &to_env.name, to_cfg).await?;
    if let Some(current) = to.current.as_ref().filter(|c| c.release == running.release) {
        return Err(Box::new(Outcome::new(
            kind,
            &to_env.name,
            Status::Failed,
            format!(
                "nothing to promote: rollout {} of {} is already on `{}` ({})",
                current.id(),
                running.version,
                to_env.name,
                current.state
            ),
        )));
    }
    let health = if to_env.policy.require_source_green {
        health::source_health(&ctx.http, &health::probes(from_env, None)).await
    } else {
        SourceHealth::Unknown
    };
    // A target that requires approval only queues the rollout: the grid decides at `approve`.
    let mut gated = to_env.clone();
    if to.require_approval {
        gated.policy.require_signoff = false;
        gated.policy.two_person_rule = false;
    }
    let gated = policy::gated(&gated, &to, "CREATE");
    let passed = check_gates(ctx, kind, &gated, &running.version, health).await?;
    let overrides = policy::in_force(&to, "CREATE", chrono::Utc::now());
    let mut outcome = Outcome::new(kind, &to_env.name, Status::Done, "");
    outcome.release = Some(running.version.clone());
    outcome.image = Some(running.image.clone()).filter(|i| !i.is_empty());
    outcome.from_revision = to.running.as_ref().map(|r| r.id().to_string());
    outcome.overridden = passed.overridden.clone();
    let detail = serde_json::json!({"release": running.release, "target": to_cfg.target, "override_deploy_policy": overrides});
    let request_id = record_command(ctx, &outcome, &passed, detail)?;
    outcome.request_id = Some(request_id.clone());
    let release_short = wire::short(&running.release);
    let rollout_id = resource_id(
        &format!(
            "{}-to-{}-{}",
            release_short,
            to_cfg.target,
            &request_id[..8]
        ),
        63,
    );
    let body = serde_json::json!({
        "targetId": to_cfg.target,
        "description": format!("promoted from {} by {} through flightdeck", from_env.name, ctx.actor.account),
        "labels": {"flightdeck-request": request_id},
    });
    let client = client(ctx, to_cfg);
    ctx.progress.as_ref()(&Progress::Sending {
        env: to_env.name.clone(),
        what: format!("create rollout {rollout_id} (requestId {request_id})"),
    });
    let result = async {
        let op = cdw::create(&ctx.wire, &ctx.progress, &to_env.name, || {
            client.create_rollout(
                &running.release,
                &rollout_id,
                &request_id,
                &body,
                &overrides,
            )
        })
        .await?;
        cdw::operation(&ctx.wire, &ctx.progress, &client, &to_env.name, op).await?;
        let name = format!("{}/rollouts/{rollout_id}", running.release);
        cdw::follow(&ctx.wire, &ctx.progress, &client, &to_env.name, &name).await
    }
    .await;
    settle(&mut outcome, &to_env.name, result);
    Ok(finish(ctx, to_cfg, outcome).await)
}
