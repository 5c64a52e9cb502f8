//! `trigger`, `promote` and `rollback` of environments that are Cloud Deploy targets: trigger
//! creates a release (the service then rolls it out to the first stage), promote creates a rollout
//! on the next stage, rollback calls `rollbackTarget`. Same gates, ledger records and outcome as
//! Cloud Run; the ledger's request id is the `requestId` of the create, kept across retries.
//! Here the reads and the plans; the calls are `clouddeploy_send`'s.

use super::CommandError;
use super::clouddeploy_policy as policy;
use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use crate::config::profile::{Environment, Provider};
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::model::command_read::Read;
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::clouddeploy::state::{self, RolloutView, TargetState};
use crate::providers::clouddeploy::{CloudDeployClient, CloudDeployTarget};

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

/// A target's state from its reads: the pipeline, the target, the newest releases, each one's
/// rollouts on the target, the deploy policies (a failed policy read is kept as unread).
pub(super) fn state_of(
    known: &Known<'_>,
    kind: CommandKind,
    env: &str,
    cfg: &CloudDeployTarget,
) -> Result<TargetState, Halt> {
    use crate::providers::clouddeploy::{policy::DeployPolicy, wire};
    let name = || env.to_string();
    known.need(&[
        Read::CloudDeployPipeline { env: name() },
        Read::CloudDeployTarget { env: name() },
        Read::CloudDeployReleases { env: name() },
        Read::CloudDeployPolicies { env: name() },
    ])?;
    let pipeline: wire::DeliveryPipeline =
        known.wire(Read::CloudDeployPipeline { env: name() }, kind, env)??;
    let target: wire::Target = known.wire(Read::CloudDeployTarget { env: name() }, kind, env)??;
    let releases: Vec<wire::Release> =
        known.wire(Read::CloudDeployReleases { env: name() }, kind, env)??;
    let lists: Vec<Read> = releases
        .iter()
        .map(|release| Read::CloudDeployRollouts {
            env: name(),
            release: release.name.clone(),
        })
        .collect();
    known.need(&lists)?;
    let mut rollouts = Vec::new();
    for read in lists {
        rollouts.extend(known.wire::<Vec<wire::Rollout>>(read, kind, env)??);
    }
    let policies =
        known.wire::<Vec<DeployPolicy>>(Read::CloudDeployPolicies { env: name() }, kind, env)?;
    let policies = policies.map_err(|failed| failed.message);
    Ok(state::assemble(
        cfg, &pipeline, &target, &releases, rollouts, policies,
    ))
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

/// The first 8 characters of a request id (a UUID), for resource ids.
pub(super) fn short_id(request_id: &str) -> &str {
    request_id.get(..8).unwrap_or(request_id)
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

/// The lane's traffic after a command that followed a rollout.
pub(super) async fn after(ctx: &Context, cfg: &CloudDeployTarget, mut outcome: Outcome) -> Outcome {
    if let Ok(after) = state::fetch(&client(ctx, cfg), cfg).await {
        outcome.traffic = Some(state::lane_state(&after).traffic);
    }
    outcome
}

/// Plans a release of `version` (its first rollout is a CREATE on the first stage, which deploy
/// policies restrict).
pub(super) fn trigger(
    known: &Known<'_>,
    env: &Environment,
    version: &str,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Trigger;
    let cfg = target(kind, env)?;
    super::request_checks::image_tag(kind, env, version, &['/', ' ', '@', ':'])?;
    let state = state_of(known, kind, &env.name, cfg)?;
    let gated = policy::gated(env, &state, "CREATE");
    let question = known.question(kind, &gated, version, SourceHealth::Unknown)?;
    let overrides = policy::in_force(&state, "CREATE", known.planning.now);
    let repo = cfg
        .image_repo
        .clone()
        .unwrap_or_else(|| cfg.artifact.clone());
    let image = format!("{repo}:{version}");
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(version.to_string());
    outcome.image = Some(image.clone());
    let detail = serde_json::json!({"pipeline": cfg.pipeline_name(), "image": image, "override_deploy_policy": overrides});
    Ok(planned(CommandPlan {
        question: Some(question),
        outcome,
        action: "trigger".into(),
        detail,
        send: Outgoing::Call(ProviderCall::CreateRelease {
            version: version.to_string(),
            image,
            overrides,
        }),
    }))
}

/// Plans a rollout of the release `from_env` runs onto the next stage, `to_env`.
pub(super) fn promote(
    known: &Known<'_>,
    from_env: &Environment,
    to_env: &Environment,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Promote;
    let (from_cfg, to_cfg) = (target(kind, from_env)?, target(kind, to_env)?);
    let from = state_of(known, kind, &from_env.name, from_cfg)?;
    let usage = |m: String| Box::new(Outcome::new(kind, &to_env.name, Status::Usage, m));
    if from_cfg.pipeline_name() != to_cfg.pipeline_name() {
        return Err(Halt::End(usage(format!(
            "`{}` and `{}` are in different delivery pipelines",
            from_env.name, to_env.name
        ))));
    }
    if from.next_stage() != Some(to_cfg.target.as_str()) {
        return Err(Halt::End(usage(format!(
            "Cloud Deploy promotes along the pipeline ({}): the stage after `{}` is {}",
            from.stages.join(" → "),
            from_cfg.target,
            from.next_stage().unwrap_or("none")
        ))));
    }
    let running = from.running.clone().ok_or_else(|| {
        Outcome::new(
            kind,
            &to_env.name,
            Status::Failed,
            format!("`{}` runs no release to promote", from_env.name),
        )
    })?;
    let to = state_of(known, kind, &to_env.name, to_cfg)?;
    if let Some(current) = to.current.as_ref().filter(|c| c.release == running.release) {
        return Err(Outcome::new(
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
        )
        .into());
    }
    let health = if to_env.policy.require_source_green {
        known.source_health(from_env, None)?
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
    let question = known.question(kind, &gated, &running.version, health)?;
    let overrides = policy::in_force(&to, "CREATE", known.planning.now);
    let mut outcome = Outcome::new(kind, &to_env.name, Status::Done, "");
    outcome.release = Some(running.version.clone());
    outcome.image = Some(running.image.clone()).filter(|i| !i.is_empty());
    outcome.from_revision = to.running.as_ref().map(|r| r.id().to_string());
    let detail = serde_json::json!({"release": running.release, "target": to_cfg.target, "override_deploy_policy": overrides});
    Ok(planned(CommandPlan {
        question: Some(question),
        outcome,
        action: "promote".into(),
        detail,
        send: Outgoing::Call(ProviderCall::CreateRollout {
            from_env: from_env.name.clone(),
            release: running.release.clone(),
            overrides,
        }),
    }))
}
