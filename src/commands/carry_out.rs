//! The CLI's host of a planned command: the plan, the gates on a fresh read (the typed name
//! asked through the CLI's prompt only when nothing else refuses), the record at the seq they
//! were decided on, then the send: the rollout machine or the change machine in a short loop, or the
//! one provider call; then the outcome recorded. The cockpit runs the same steps as effects of
//! its `update` (`update::command_plan`).

use std::time::Instant;

use chrono::{DateTime, Utc};

use super::context::Context;
use super::guard::{Passed, record, record_outcome};
use super::outcome::{Outcome, Status};
use super::prepared::Prepared;
use crate::model::change_run::ChangeRun;
use crate::model::command_plan::{CommandPlan, Outgoing, RolloutPlan};
use crate::model::rollout::Rollout;
use crate::model::rollout_drive::{Drive, DriveEvent};
use crate::policy::{Gate, GateQuestion};

/// How often a command decides again when the ledger grew between its gates and its record.
const DECISIONS: usize = 3;

/// Plans with `prepare`, decides the gates, carries the plan out; when entries arrived
/// between the gates and the record ([`Status::Stale`]: nothing was recorded or sent), plans
/// and decides again on what the ledger says now, [`DECISIONS`] times at most.
pub async fn execute_with<F, Planned>(ctx: &Context, prepare: F) -> Outcome
where
    F: Fn() -> Planned,
    Planned: std::future::Future<Output = Prepared>,
{
    let started = Instant::now();
    let mut outcome = decide_and_run(ctx, prepare().await, started).await;
    for _ in 1..DECISIONS {
        if outcome.status != Status::Stale {
            break;
        }
        (ctx.progress)(&super::Progress::Note {
            env: outcome.env.clone(),
            text: "the ledger changed while the gates were checked: checking them again".into(),
        });
        outcome = decide_and_run(ctx, prepare().await, started).await;
    }
    outcome.elapsed_secs = started.elapsed().as_secs_f64();
    outcome
}

async fn decide_and_run(ctx: &Context, prepared: Prepared, started: Instant) -> Outcome {
    let plan = match prepared {
        Prepared::Plan(plan) => plan,
        Prepared::Ended(outcome) => return *outcome,
    };
    let passed = match &plan.question {
        Some(question) => decide_confirming(ctx, question).await,
        None => Ok(Passed::default()),
    };
    match passed {
        Ok(passed) => carry_out(ctx, *plan, passed, started).await,
        Err(mut refused) => {
            refused.verb = plan.outcome.verb.clone();
            *refused
        }
    }
}

/// The gates on a fresh read; when only the typed name is missing, the CLI's prompt asks it
/// (the engine never reads a terminal) and the gates are decided again, confirmed.
async fn decide_confirming(ctx: &Context, question: &GateQuestion) -> Result<Passed, Box<Outcome>> {
    let refused = match super::guard::decide(ctx, question).await {
        Err(refused) if only_the_name_missing(&refused) => refused,
        decided => return decided,
    };
    match &ctx.confirm {
        Some(ask) if ask(&question.env) => {
            let confirmed = GateQuestion {
                confirmed: true,
                ..question.clone()
            };
            super::guard::decide(ctx, &confirmed).await
        }
        _ => Err(refused),
    }
}

fn only_the_name_missing(refused: &Outcome) -> bool {
    !refused.refusals.is_empty()
        && refused
            .refusals
            .iter()
            .all(|r| r.gate == Gate::Confirmation)
}

async fn carry_out(ctx: &Context, plan: CommandPlan, passed: Passed, started: Instant) -> Outcome {
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
    let since = Utc::now() - chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    match plan.send {
        Outgoing::Rollout(rollout) => drive(ctx, &request_id, rollout, outcome, since).await,
        Outgoing::Change { action, probes } => {
            let run = ChangeRun::new(action, outcome, since, probes);
            match ctx
                .env(run.outcome.action, &env)
                .and_then(|e| ctx.target(run.outcome.action, e))
            {
                Ok(target) => super::rollback::drive_change(ctx, &target, run).await,
                Err(usage) => *usage,
            }
        }
        Outgoing::Nothing => {
            record_outcome(ctx, &mut outcome, since);
            outcome
        }
        Outgoing::Call(call) => {
            let mut outcome = super::perform::call(ctx, &call, outcome).await;
            record_outcome(ctx, &mut outcome, since);
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
    since: DateTime<Utc>,
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
    record_outcome(ctx, &mut outcome, since);
    outcome
}
