//! The headless commands `trigger`, `promote` and `rollback` (and a platform's gates) as library
//! calls: [`prepare`] routes a request to its flow, which reads the lanes and plans it; the CLI's
//! host (`carry_out`) decides, records, sends and records the outcome. Tests call [`execute`]
//! with a [`Context`] of their own (short timeouts, a temp ledger, a chosen actor).

use super::TriggerVia;
pub use super::approve::Review;
pub use super::context::{ConfirmByName, Context, ControlSlot, DEFAULT_LEASE, ReleaseSlot};
use super::guard::{check_gates, question};
use super::health;
use super::outcome::{Outcome, Status};
pub use super::prepared::{Prepared, planned};
use super::wire;
use crate::config::profile::Environment;
pub use crate::model::command::{GateAction, Request};
use crate::model::command_plan::{CommandPlan, Outgoing, RolloutPlan};
use crate::model::lane::ServiceState;
use crate::model::lane::version_of_image;
use crate::policy::{CommandKind, SourceHealth};

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

/// Runs one request to the end; never panics, always an outcome. When entries arrived between
/// the gates and the record ([`Status::Stale`]: nothing was recorded or sent), the gates are
/// checked again on what the ledger says now.
pub async fn execute(ctx: &Context, request: Request) -> Outcome {
    super::carry_out::execute_with(ctx, || prepare(ctx, &request)).await
}

/// Reviews the GitHub deployment waiting on the review's environment; always an outcome.
pub async fn review(ctx: &Context, review: &Review) -> Outcome {
    let mut outcome =
        super::carry_out::execute_with(ctx, || super::approve::plan(ctx, review)).await;
    outcome.verb = Some(review.verb().into());
    outcome
}

/// Runs `action` on the newest Cloud Deploy rollout of `env`; always an outcome.
pub async fn rollout_action(ctx: &Context, env: &str, action: GateAction) -> Outcome {
    let verb = action.name();
    let mut outcome = super::carry_out::execute_with(ctx, || {
        super::clouddeploy_gate::plan(ctx, env, action.clone())
    })
    .await;
    outcome.verb = Some(verb.into());
    outcome
}

/// Reads what the request needs (the lanes, the platform's freezes, the source probe, the
/// ledger's last seq) and plans it: what the gates are asked, what is recorded, what is sent.
pub async fn prepare(ctx: &Context, request: &Request) -> Prepared {
    let routed = super::route::route(ctx, request).await;
    let planned = match (routed, request.clone()) {
        (Some(routed), _) => routed,
        (None, Request::Trigger { version, via }) => trigger(ctx, &version, via).await,
        (
            None,
            Request::Promote {
                from,
                to,
                bake_secs,
            },
        ) => promote(ctx, &from, &to, bake_secs).await,
        (None, Request::Gate { env, .. }) => Err(Box::new(Outcome::new(
            CommandKind::Promote,
            &env,
            Status::Usage,
            "no platform gate answers here",
        ))),
        (None, Request::Rollback { env, to }) => {
            match super::rollout::rollback_target(ctx, &env, to).await {
                Ok(to) => super::rollback::rollback(ctx, &env, to.as_deref()).await,
                Err(refused) => Err(refused),
            }
        }
    };
    planned.unwrap_or_else(Prepared::Ended)
}

/// A command that failed reading a lane's state, before anything was sent, leaves its attempt
/// and outcome in the ledger like any other: planned as a record with nothing to send. Read-only
/// records nothing.
fn failed_attempt(ctx: &Context, failed: Outcome) -> Prepared {
    if ctx.read_only || !matches!(failed.status, Status::ApiError | Status::Failed) {
        return Prepared::Ended(Box::new(failed));
    }
    let detail = serde_json::json!({"failed_before_sending": failed.message});
    planned(CommandPlan {
        question: None,
        action: format!("{:?}", failed.action).to_lowercase(),
        detail,
        send: Outgoing::Nothing,
        outcome: failed,
    })
}

async fn trigger(ctx: &Context, version: &str, via: TriggerVia) -> Result<Prepared, Box<Outcome>> {
    let kind = CommandKind::Trigger;
    let env =
        ctx.profile.environments.first().ok_or_else(|| {
            Outcome::new(kind, "?", Status::Usage, "the profile has no environments")
        })?;
    if via == TriggerVia::GithubDispatch {
        return super::dispatch::trigger(ctx, env, version)
            .await
            .map(planned);
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
) -> Result<Prepared, Box<Outcome>> {
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
    let source_state = match ctx.state(&source, kind).await {
        Ok(state) => state,
        Err(failed) => return Ok(failed_attempt(ctx, *failed)),
    };
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
            &health::probes(from_env, source_state.uri.as_deref()),
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

/// Trigger and promote: the rollout machine (canary when the env has steps), once the gates pass.
async fn deploy(
    ctx: &Context,
    kind: CommandKind,
    env: &Environment,
    promote: Option<(SourceHealth, Option<u64>)>,
    image_for: impl Fn(&ServiceState) -> Result<String, &'static str>,
) -> Result<Prepared, Box<Outcome>> {
    if ctx.read_only {
        check_gates(ctx, kind, env, "", SourceHealth::Unknown).await?;
    }
    let target = ctx.target(kind, env)?;
    let state = match ctx.state(&target, kind).await {
        Ok(state) => state,
        Err(failed) => return Ok(failed_attempt(ctx, *failed)),
    };
    let image = image_for(&state).map_err(|m| Outcome::new(kind, &env.name, Status::Failed, m))?;
    if promote.is_some() && wire::serves_only(&state, &image) {
        let message = format!(
            "nothing to promote: `{}` already serves {} at 100%",
            env.name,
            version_of_image(&image)
        );
        return Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Done,
            message,
        )));
    }
    let from_revision = state
        .primary()
        .map(|p| p.revision.clone())
        .unwrap_or_default();
    let release = version_of_image(&image);
    if let Some(busy) = super::rollout::busy(ctx, kind, &env.name).await? {
        return Err(busy);
    }
    let (source, bake_override) = promote.unwrap_or((SourceHealth::Unknown, None));
    let question = question(ctx, kind, env, &release, source)?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(release);
    outcome.image = Some(image.clone());
    outcome.from_revision = Some(from_revision.clone());
    let (steps, bake) = env
        .canary
        .as_ref()
        .map_or((Vec::new(), 0), |c| (c.steps.clone(), c.bake_secs));
    let bake_secs = bake_override.unwrap_or(bake);
    let detail = serde_json::json!({"image": image, "from_revision": from_revision, "steps": steps, "bake_secs": bake_secs});
    Ok(planned(CommandPlan {
        question: Some(question),
        action: format!("{:?}", kind).to_lowercase(),
        outcome,
        detail,
        send: Outgoing::Rollout(RolloutPlan {
            from_revision,
            image,
            steps,
            bake_secs,
            auto_rollback_after: env.policy.auto_rollback_after,
            health: health::health_probe(env, state.uri.as_deref()),
            uri: state.uri.clone(),
        }),
    }))
}
