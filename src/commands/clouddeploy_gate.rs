//! Cloud Deploy's own gates driven by flightdeck: approve or reject a rollout waiting on a target
//! with `requireApproval` (the sign-off grid decides; the API's approve has no comment, so the
//! comment composed from the grid lives in the ledger), advance a canary, cancel, retry a job.

use super::clouddeploy::{client, settle, state_of, target};
use super::clouddeploy_policy as policy;
use super::clouddeploy_wire as cdw;
use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use super::{CommandError, Progress};
use crate::config::profile::Environment;
pub use crate::model::command::GateAction;
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::clouddeploy::state::RolloutView;
use crate::providers::clouddeploy::{CloudDeployTarget, RolloutVerb};

/// Moving forward passes the promotion gates; stopping (and anything about a rollback) the
/// rollback gates, which never block a fix.
fn kind_of(action: &GateAction, rollout: &RolloutView) -> CommandKind {
    match action {
        _ if rollout.rollback_of.is_some() => CommandKind::Rollback,
        GateAction::Approve | GateAction::Advance(_) | GateAction::Retry => CommandKind::Promote,
        GateAction::Reject | GateAction::Cancel => CommandKind::Rollback,
    }
}

/// Reads the target and plans `action` on its newest rollout.
pub(super) fn plan(
    known: &Known<'_>,
    env_name: &str,
    action: GateAction,
) -> Result<Prepared, Halt> {
    let env = super::request_checks::env_named(known.profile(), CommandKind::Promote, env_name)?;
    let cfg = target(CommandKind::Promote, env)?;
    let now = state_of(known, CommandKind::Promote, env_name, cfg)?;
    let usage = |m: String| {
        Box::new(Outcome::new(
            CommandKind::Promote,
            env_name,
            Status::Usage,
            m,
        ))
    };
    let current = now
        .current
        .clone()
        .ok_or_else(|| usage(format!("no rollout on `{env_name}` yet")))?;
    let (phase, job) = match &action {
        GateAction::Approve | GateAction::Reject if current.state != "PENDING_APPROVAL" => {
            return Err(Halt::End(usage(format!(
                "nothing waits for approval on `{env_name}`: rollout {} is {}",
                current.id(),
                current.state
            ))));
        }
        GateAction::Advance(asked) => {
            let next = current.next_phase().map(|p| p.id.clone());
            match (asked, next) {
                (Some(a), Some(n)) if *a == n => (n, String::new()),
                (None, Some(n)) => (n, String::new()),
                (_, next) => {
                    return Err(Halt::End(usage(format!(
                        "rollout {} on `{env_name}` ({}) does not wait to advance{}",
                        current.id(),
                        current.state,
                        next.map_or_else(String::new, |n| format!(" (the next phase is {n})"))
                    ))));
                }
            }
        }
        GateAction::Cancel
            if !matches!(
                current.state.as_str(),
                "IN_PROGRESS" | "PENDING_APPROVAL" | "PENDING"
            ) =>
        {
            return Err(Halt::End(usage(format!(
                "rollout {} on `{env_name}` is {}: nothing to cancel",
                current.id(),
                current.state
            ))));
        }
        GateAction::Retry => match current.failed_job() {
            Some((p, j)) => (p.to_string(), j.to_string()),
            None => {
                return Err(Halt::End(usage(format!(
                    "rollout {} on `{env_name}` has no failed job to retry",
                    current.id()
                ))));
            }
        },
        _ => (String::new(), String::new()),
    };
    let kind = kind_of(&action, &current);
    let health = match (kind, env.policy.require_source_green) {
        (CommandKind::Promote, true) => {
            let envs = &known.profile().environments;
            let index = envs.iter().position(|e| e.name == env.name);
            match index.and_then(|i| i.checked_sub(1)).map(|i| &envs[i]) {
                Some(source) => known.source_health(source, None)?,
                None => SourceHealth::Unknown,
            }
        }
        _ => SourceHealth::Unknown,
    };
    let restricted = action.restricted_as();
    let question = match action {
        // Rejecting is always allowed (it stops a change); it still needs an operator who may write.
        GateAction::Reject if !known.planning.read_only => None,
        _ => {
            let gated = policy::gated(env, &now, restricted);
            Some(known.question(kind, &gated, &current.version, health)?)
        }
    };
    // Flightdeck's freeze gate stands before moving forward only; the service's policies before all.
    let overrides = if kind == CommandKind::Promote && !matches!(action, GateAction::Reject) {
        policy::in_force(&now, restricted, known.planning.now)
    } else {
        policy::platform_gate(known.planning, kind, env_name, &now, restricted)?
    };
    let mut outcome = Outcome::new(kind, env_name, Status::Done, "");
    outcome.verb = Some(action.name().into());
    outcome.release = Some(current.version.clone());
    outcome.from_revision = Some(current.id().to_string());
    if !overrides.is_empty() {
        outcome.overridden.push("freeze".into());
    }
    let mut detail = serde_json::json!({"rollout": current.name, "phase": phase, "job": job, "override_deploy_policy": overrides});
    if matches!(action, GateAction::Approve | GateAction::Reject)
        && let Some(map) = detail.as_object_mut()
    {
        map.insert(
            "comment".into(),
            super::approve_comment::compose(known, env_name, &current.version, None)?.into(),
        );
    }
    Ok(planned(CommandPlan {
        question,
        outcome,
        action: action.name().into(),
        detail,
        send: Outgoing::Call(ProviderCall::RolloutAction {
            action,
            rollout: current.name.clone(),
            phase,
            job,
            overrides,
        }),
    }))
}

/// Sends the recorded verb on the rollout and follows it to where it rests.
pub(super) async fn send(
    ctx: &Context,
    _env: &Environment,
    cfg: &CloudDeployTarget,
    call: &ProviderCall,
    mut outcome: Outcome,
) -> Outcome {
    let ProviderCall::RolloutAction {
        action,
        rollout,
        phase,
        job,
        overrides,
    } = call
    else {
        return outcome;
    };
    let env_name = outcome.env.clone();
    let env_name = env_name.as_str();
    let client = client(ctx, cfg);
    let verb = match action {
        GateAction::Approve => RolloutVerb::Approve(true),
        GateAction::Reject => RolloutVerb::Approve(false),
        GateAction::Advance(_) => RolloutVerb::Advance(phase),
        GateAction::Cancel => RolloutVerb::Cancel,
        GateAction::Retry => RolloutVerb::RetryJob { phase, job },
    };
    ctx.progress.as_ref()(&Progress::Sending {
        env: env_name.into(),
        what: format!(
            "{} rollout {}",
            action.name(),
            rollout.rsplit('/').next().unwrap_or(rollout)
        ),
    });
    let applied = |r: &crate::providers::clouddeploy::wire::Rollout| match action {
        GateAction::Approve | GateAction::Reject => r.approval_state != "NEEDS_APPROVAL",
        GateAction::Advance(_) => r
            .phases
            .iter()
            .any(|p| &p.id == phase && p.state != "PENDING"),
        GateAction::Cancel => matches!(r.state.as_str(), "CANCELLED" | "CANCELLING"),
        GateAction::Retry => r
            .phases
            .iter()
            .flat_map(|p| p.jobs())
            .all(|j| j.state != "FAILED"),
    };
    let sent = cdw::verb(
        &ctx.wire,
        &ctx.progress,
        &client,
        env_name,
        rollout,
        || client.rollout_verb(rollout, verb, overrides),
        applied,
    )
    .await;
    let result: Result<RolloutView, CommandError> = match sent {
        Err(e) => Err(e),
        Ok(()) => cdw::follow(&ctx.wire, &ctx.progress, &client, env_name, rollout).await,
    };
    match (action, &result) {
        (GateAction::Reject, Ok(view)) if view.state == "APPROVAL_REJECTED" => {
            outcome.message = format!(
                "rejected rollout {}; the target keeps what it ran",
                view.id()
            );
        }
        (GateAction::Cancel, Ok(view)) if view.state == "CANCELLED" => {
            outcome.message = format!("cancelled rollout {}", view.id());
        }
        _ => settle(&mut outcome, env_name, result),
    }
    outcome
}
