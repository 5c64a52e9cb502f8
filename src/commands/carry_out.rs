//! The CLI's host of a planned command: once the gates passed, the record at the seq they were
//! decided on, then the send: the rollout machine or the change machine in a short loop, or the
//! one provider call; then the outcome recorded. The cockpit runs the same steps as effects of
//! its `update` (`update::command_plan`).

use std::time::Instant;

use chrono::Utc;

use super::context::Context;
use super::guard::{Passed, record, record_outcome};
use super::outcome::Outcome;
use crate::model::change_run::ChangeRun;
use crate::model::command_plan::{CommandPlan, RolloutPlan, Send};
use crate::model::rollout::Rollout;
use crate::model::rollout_drive::{Drive, DriveEvent};

pub(super) async fn carry_out(
    ctx: &Context,
    plan: CommandPlan,
    passed: Passed,
    started: Instant,
) -> Outcome {
    let overridden = plan.overridden(&passed.overridden);
    let entry = plan.record(
        overridden.clone(),
        passed.read_at,
        ctx.override_reason.as_deref(),
    );
    let request_id = match record(ctx, &entry, &plan.outcome) {
        Ok(request_id) => request_id,
        Err(not_recorded) => return *not_recorded,
    };
    let mut outcome = plan.outcome;
    outcome.request_id = Some(request_id.clone());
    outcome.overridden = overridden;
    let env = outcome.env.clone();
    match plan.send {
        Send::Rollout(rollout) => drive(ctx, &request_id, rollout, outcome).await,
        Send::Change { action, probes } => {
            let since =
                Utc::now() - chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
            let run = ChangeRun::new(action, outcome, since, probes);
            match ctx
                .env(run.outcome.action, &env)
                .and_then(|e| ctx.target(run.outcome.action, e))
            {
                Ok(target) => super::rollback::drive_change(ctx, &target, run).await,
                Err(usage) => *usage,
            }
        }
        Send::Call(call) => {
            let mut outcome = super::perform::call(ctx, &call, outcome).await;
            record_outcome(ctx, &mut outcome);
            outcome
        }
    }
}

/// Drives the rollout machine here until it is done, aborted or handed over.
async fn drive(
    ctx: &Context,
    request_id: &str,
    plan: RolloutPlan,
    mut outcome: Outcome,
) -> Outcome {
    let kind = outcome.action;
    let (env, target) = match ctx
        .env(kind, &outcome.env)
        .and_then(|env| Ok((env, ctx.target(kind, env)?)))
    {
        Ok(found) => found,
        Err(usage) => return *usage,
    };
    let rollout = Rollout::new(
        request_id,
        &env.name,
        &plan.from_revision,
        &plan.image,
        plan.steps,
        plan.bake_secs,
        plan.auto_rollback_after,
        Utc::now(),
    );
    let mut drive = Drive::new(
        rollout,
        super::driver::holder_name(&ctx.actor),
        chrono::Duration::from_std(ctx.lease).unwrap_or(chrono::Duration::seconds(15)),
    );
    let report = super::rollout::drive_rollout(
        ctx,
        &target,
        env,
        plan.uri.as_deref(),
        &mut drive,
        DriveEvent::Start,
    )
    .await;
    super::rollout::conclude(ctx, &target, &mut outcome, &drive.rollout, &report).await;
    outcome.rollout = Some(drive.rollout);
    record_outcome(ctx, &mut outcome);
    outcome
}
