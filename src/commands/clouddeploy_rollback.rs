//! `rollback ENV` of a Cloud Deploy target: `rollbackTarget` to the previous successful release
//! (or a chosen one), then the rollback rollout followed like any other.

use super::clouddeploy::{client, resource_id, settle, short_id, state_of, target};
use super::clouddeploy_wire as cdw;
use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use super::{CommandError, Progress};
use crate::config::profile::Environment;
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::clouddeploy::{CloudDeployClient, CloudDeployTarget, state};

pub(super) fn rollback(
    known: &Known<'_>,
    env: &Environment,
    to_release: Option<&str>,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Rollback;
    let cfg = target(kind, env)?;
    let now = state_of(known, kind, &env.name, cfg)?;
    let running = now.running.clone().ok_or_else(|| {
        Outcome::new(
            kind,
            &env.name,
            Status::Failed,
            format!("`{}` has no successful rollout to roll back", env.name),
        )
    })?;
    let question = known.question(kind, env, &running.version, SourceHealth::Unknown)?;
    let overrides = super::clouddeploy_policy::platform_gate(
        known.planning,
        kind,
        &env.name,
        &now,
        "ROLLBACK",
    )?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = to_release.map(str::to_string);
    outcome.from_revision = Some(running.id().to_string());
    if !overrides.is_empty() {
        outcome.overridden.push("freeze".into());
    }
    let detail = serde_json::json!({"target": cfg.target, "rollout_to_roll_back": running.name, "release": to_release, "override_deploy_policy": overrides});
    Ok(planned(CommandPlan {
        question: Some(question),
        outcome,
        action: "rollback".into(),
        detail,
        send: Outgoing::Call(ProviderCall::RollbackTarget {
            rollout: running.name.clone(),
            release: to_release.map(str::to_string),
            overrides,
        }),
    }))
}

/// Sends the recorded `rollbackTarget` and follows the rollback rollout.
pub(super) async fn send(
    ctx: &Context,
    env: &Environment,
    cfg: &CloudDeployTarget,
    call: &ProviderCall,
    mut outcome: Outcome,
) -> Outcome {
    let ProviderCall::RollbackTarget {
        rollout,
        release,
        overrides,
    } = call
    else {
        return outcome;
    };
    let request_id = outcome.request_id.clone().unwrap_or_default();
    let rollout_id = format!(
        "rollback-{}-{}",
        short_id(&request_id),
        resource_id(&cfg.target, 40)
    );
    let mut body = serde_json::json!({
        "targetId": cfg.target,
        "rolloutId": rollout_id,
        "rolloutToRollBack": rollout,
        "rollbackConfig": {"startingPhaseId": "stable"},
    });
    if let (false, Some(map)) = (overrides.is_empty(), body.as_object_mut()) {
        map.insert("overrideDeployPolicy".into(), overrides.clone().into());
    }
    if let (Some(release), Some(map)) = (release, body.as_object_mut()) {
        map.insert("releaseId".into(), resource_id(release, 63).into());
    }
    let client = client(ctx, cfg);
    ctx.progress.as_ref()(&Progress::Sending {
        env: env.name.clone(),
        what: format!("rollbackTarget {} (rollout {rollout_id})", cfg.target),
    });
    let result = async {
        let name = send_rollback(ctx, &client, cfg, &env.name, &rollout_id, &body).await?;
        cdw::follow(&ctx.wire, &ctx.progress, &client, &env.name, &name).await
    }
    .await;
    settle(&mut outcome, &env.name, result);
    outcome
}

/// `rollbackTarget` has no request id: after an unknown outcome the target's rollouts are re-read
/// and the call is re-sent only if no rollout with our id exists (a duplicate id is refused anyway).
async fn send_rollback(
    ctx: &Context,
    client: &CloudDeployClient,
    cfg: &CloudDeployTarget,
    env: &str,
    rollout_id: &str,
    body: &serde_json::Value,
) -> Result<String, CommandError> {
    let mut attempt = 0;
    loop {
        let error = match client.rollback_target(&cfg.pipeline_name(), body).await {
            Ok(answer) => {
                return answer
                    .rollback_config
                    .and_then(|c| c.rollout)
                    .map(|r| r.name)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| CommandError::Failed("rollbackTarget named no rollout".into()));
            }
            Err(e)
                if e.http == Some(409)
                    || (e.retryable() && attempt + 1 < ctx.wire.max_attempts) =>
            {
                e
            }
            Err(e) => return Err(CommandError::Api(e)),
        };
        ctx.progress.as_ref()(&Progress::Uncertain {
            env: env.into(),
            error: error.to_string(),
        });
        tokio::time::sleep(cdw::backoff(&ctx.wire, attempt, &error)).await;
        if let Ok(now) = state::fetch(client, cfg).await
            && let Some(current) = now.current.filter(|c| c.id() == rollout_id)
        {
            ctx.progress.as_ref()(&Progress::AlreadyApplied { env: env.into() });
            return Ok(current.name);
        }
        if error.http == Some(409) {
            return Err(CommandError::Api(error));
        }
        attempt += 1;
    }
}
