//! Cloud Run's trigger, promote and rollback, planned from their reads: the lanes (service and
//! revisions), the source lane's probes, the ledger (a rollout in flight, the rollback target,
//! the seq the gates rest on). A trigger or promote sends the rollout machine, a rollback one
//! change ([`super::rollback`]).

use super::TriggerVia;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use super::request_checks::env_named;
use super::{health, wire};
use crate::config::profile::Environment;
use crate::model::command::Request;
use crate::model::command_plan::{CommandPlan, Outgoing, RolloutPlan};
use crate::model::lane::{ServiceState, version_of_image};
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

/// Cloud Run's trigger, promote and rollback (the other providers' are routed before).
pub(super) fn plan(known: &Known<'_>, request: &Request) -> Result<Prepared, Halt> {
    match request.clone() {
        Request::Trigger { version, via } => trigger(known, &version, via),
        Request::Promote {
            from,
            to,
            bake_secs,
        } => promote(known, &from, &to, bake_secs),
        Request::Gate { env, .. } => Err(Outcome::new(
            CommandKind::Promote,
            &env,
            Status::Usage,
            "no platform gate answers here",
        )
        .into()),
        Request::Rollback { env, to } => {
            let to = super::rollout::rollback_target(known, &env, to)?;
            super::rollback::rollback(known, &env, to.as_deref())
        }
    }
}

/// A command that failed reading a lane's state, before anything was sent, leaves its attempt
/// and outcome in the ledger like any other: planned as a record with nothing to send. Read-only
/// records nothing.
fn failed_attempt(known: &Known<'_>, failed: Outcome) -> Prepared {
    if known.planning.read_only || !matches!(failed.status, Status::ApiError | Status::Failed) {
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

fn trigger(known: &Known<'_>, version: &str, via: TriggerVia) -> Result<Prepared, Halt> {
    let kind = CommandKind::Trigger;
    let env =
        known.profile().environments.first().ok_or_else(|| {
            Outcome::new(kind, "?", Status::Usage, "the profile has no environments")
        })?;
    if via == TriggerVia::GithubDispatch {
        return super::dispatch::trigger(known, env, version).map(planned);
    }
    super::request_checks::image_tag(kind, env, version, &['/', ' ', '@'])?;
    deploy(known, kind, env, None, |state| {
        let (_, image) = primary_image(state)
            .ok_or("the first environment serves no revision to take the image repository from")?;
        Ok(format!("{}:{version}", image_repo(&image)))
    })
}

fn promote(
    known: &Known<'_>,
    from: &str,
    to: &str,
    bake_secs: Option<u64>,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Promote;
    let profile = known.profile();
    let (from_env, to_env) = (
        env_named(profile, kind, from)?,
        env_named(profile, kind, to)?,
    );
    if from == to {
        return Err(Outcome::new(
            kind,
            to,
            Status::Usage,
            "FROM and TO are the same environment",
        )
        .into());
    }
    super::request_checks::cloud_run_target(kind, from_env)?;
    let source_state = match known.cloud_run(kind, from)? {
        Ok(state) => state,
        Err(failed) => return Ok(failed_attempt(known, *failed)),
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
        known.source_health(from_env, source_state.uri.as_deref())?
    } else {
        SourceHealth::Unknown
    };
    deploy(known, kind, to_env, Some((health, bake_secs)), move |_| {
        Ok(image.clone())
    })
}

/// Trigger and promote: the rollout machine (canary when the env has steps), once the gates pass.
fn deploy(
    known: &Known<'_>,
    kind: CommandKind,
    env: &Environment,
    promote: Option<(SourceHealth, Option<u64>)>,
    image_for: impl Fn(&ServiceState) -> Result<String, &'static str>,
) -> Result<Prepared, Halt> {
    super::request_checks::cloud_run_target(kind, env)?;
    let state = match known.cloud_run(kind, &env.name)? {
        Ok(state) => state,
        Err(failed) => return Ok(failed_attempt(known, *failed)),
    };
    let image = image_for(&state).map_err(|m| Outcome::new(kind, &env.name, Status::Failed, m))?;
    if promote.is_some() && wire::serves_only(&state, &image) {
        let message = format!(
            "nothing to promote: `{}` already serves {} at 100%",
            env.name,
            version_of_image(&image)
        );
        return Err(Outcome::new(kind, &env.name, Status::Done, message).into());
    }
    let from_revision = state
        .primary()
        .map(|p| p.revision.clone())
        .unwrap_or_default();
    let release = version_of_image(&image);
    super::rollout::busy(known, kind, &env.name)?;
    let (source, bake_override) = promote.unwrap_or((SourceHealth::Unknown, None));
    let question = known.question(kind, env, &release, source)?;
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
