//! The one call of a recorded Cloud Deploy command, followed to where its rollout rests: the
//! release create (with its first rollout), the rollout create, `rollbackTarget`, and the verbs
//! on a rollout. The ledger's request id is the create's `requestId`, kept across retries.

use super::clouddeploy::{after, client, resource_id, settle, short_id, target};
use super::clouddeploy_wire as cdw;
use super::context::Context;
use super::outcome::Outcome;
use super::{CommandError, Progress};
use crate::config::profile::Environment;
use crate::model::command_plan::ProviderCall;
use crate::providers::clouddeploy::{CloudDeployClient, CloudDeployTarget, wire};

/// Runs `call` for the recorded `outcome`; the outcome says where the rollout rests.
pub(super) async fn send(ctx: &Context, call: &ProviderCall, outcome: Outcome) -> Outcome {
    let kind = outcome.action;
    let found = ctx
        .env(kind, &outcome.env)
        .and_then(|env| Ok((env, target(kind, env)?)));
    let (env, cfg) = match found {
        Ok(found) => found,
        Err(usage) => return *usage,
    };
    let mut outcome = match call {
        ProviderCall::CreateRelease {
            version,
            image,
            overrides,
        } => create_release(ctx, env, cfg, version, image, overrides, outcome).await,
        ProviderCall::CreateRollout {
            from_env,
            release,
            overrides,
        } => create_rollout(ctx, env, cfg, from_env, release, overrides, outcome).await,
        ProviderCall::RollbackTarget { .. } => {
            super::clouddeploy_rollback::send(ctx, env, cfg, call, outcome).await
        }
        ProviderCall::RolloutAction { .. } => {
            super::clouddeploy_gate::send(ctx, env, cfg, call, outcome).await
        }
        ProviderCall::Script { .. }
        | ProviderCall::Dispatch { .. }
        | ProviderCall::Review { .. } => {
            return outcome;
        }
    };
    outcome = after(ctx, cfg, outcome).await;
    outcome
}

async fn create_release(
    ctx: &Context,
    env: &Environment,
    cfg: &CloudDeployTarget,
    version: &str,
    image: &str,
    overrides: &[String],
    mut outcome: Outcome,
) -> Outcome {
    let request_id = outcome.request_id.clone().unwrap_or_default();
    let release_id = resource_id(&format!("{version}-{}", short_id(&request_id)), 63);
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
    let overrides = overrides.to_vec();
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
    outcome
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

async fn create_rollout(
    ctx: &Context,
    env: &Environment,
    cfg: &CloudDeployTarget,
    from_env: &str,
    release: &str,
    overrides: &[String],
    mut outcome: Outcome,
) -> Outcome {
    let request_id = outcome.request_id.clone().unwrap_or_default();
    let rollout_id = resource_id(
        &format!(
            "{}-to-{}-{}",
            wire::short(release),
            cfg.target,
            short_id(&request_id)
        ),
        63,
    );
    let body = serde_json::json!({
        "targetId": cfg.target,
        "description": format!("promoted from {from_env} by {} through flightdeck", ctx.actor.account),
        "labels": {"flightdeck-request": request_id},
    });
    let client = client(ctx, cfg);
    ctx.progress.as_ref()(&Progress::Sending {
        env: env.name.clone(),
        what: format!("create rollout {rollout_id} (requestId {request_id})"),
    });
    let overrides = overrides.to_vec();
    let result = async {
        let op = cdw::create(&ctx.wire, &ctx.progress, &env.name, || {
            client.create_rollout(release, &rollout_id, &request_id, &body, &overrides)
        })
        .await?;
        cdw::operation(&ctx.wire, &ctx.progress, &client, &env.name, op).await?;
        let name = format!("{release}/rollouts/{rollout_id}");
        cdw::follow(&ctx.wire, &ctx.progress, &client, &env.name, &name).await
    }
    .await;
    settle(&mut outcome, &env.name, result);
    outcome
}
