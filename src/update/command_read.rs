//! A command's reads in the loop: its planner (`commands::plan`, pure) names the reads it needs
//! next, each of which goes out as an effect (`Cmd::ReadForCommand`, one wire operation); their
//! answers come back (`Msg::CommandRead`), and once all are in the planner is asked again, until
//! it plans.

use crate::commands::plan::{Planning, Step};
use crate::commands::prepared::Prepared;
use crate::model::Model;
use crate::model::command_read::{Read, ReadAnswer};
use crate::model::operations::CommandPhase;
use crate::model::outcome::{Outcome, Status};
use crate::msg::Cmd;

/// Starts every command that is reading with no read out: one just sent, or one deciding
/// again on a grown ledger.
pub(super) fn start_due(model: &mut Model) -> Vec<Cmd> {
    let due: Vec<String> = model
        .operations
        .running
        .iter()
        .filter(|(_, running)| {
            matches!(&running.phase, CommandPhase::Reading(reads) if reads.out().is_empty())
        })
        .map(|(env, _)| env.clone())
        .collect();
    due.iter().flat_map(|env| next(model, env)).collect()
}

/// Asks the planner of the command reading in `env` for its next step.
fn next(model: &mut Model, env: &str) -> Vec<Cmd> {
    let Some(running) = model.operations.running.get(env) else {
        return Vec::new();
    };
    let CommandPhase::Reading(reads) = &running.phase else {
        return Vec::new();
    };
    let Some(setup) = &model.operations.setup else {
        let outcome = Outcome::new(
            running.request.kind(),
            env,
            Status::Usage,
            "this cockpit does not know its operating-system account: commands are off",
        );
        return super::commands::finished(model, outcome);
    };
    let planning = Planning {
        profile: &setup.profile,
        account: &setup.account,
        read_only: model.read_only,
        confirmed: running.confirmed,
        override_reason: running.override_reason.as_deref(),
        now: model.now,
    };
    match crate::commands::route::next(&planning, &running.request, reads) {
        Step::Read(batch) => {
            if let Some(running) = model.operations.running.get_mut(env)
                && let CommandPhase::Reading(reads) = &mut running.phase
            {
                running.last = describe(&batch);
                reads.asked(&batch);
            }
            model.dirty = true;
            batch
                .into_iter()
                .map(|read| Cmd::ReadForCommand {
                    env: env.to_string(),
                    read,
                })
                .collect()
        }
        Step::Planned(Prepared::Plan(plan)) => super::command_plan::planned(model, *plan),
        Step::Planned(Prepared::Ended(outcome)) => {
            let mut cmds = super::alerts::outcome(model, &outcome);
            cmds.extend(super::commands::finished(model, *outcome));
            cmds
        }
    }
}

/// One read of the command in `env` answered: once the last one out is in, the planner is asked
/// again. An answer to a read not out (a stray, a repeat, one after the command ended) changes
/// nothing.
pub(super) fn answered(model: &mut Model, env: &str, read: Read, answer: ReadAnswer) -> Vec<Cmd> {
    let Some(running) = model.operations.running.get_mut(env) else {
        return Vec::new();
    };
    let CommandPhase::Reading(reads) = &mut running.phase else {
        return Vec::new();
    };
    if !reads.answered(read, answer) || !reads.out().is_empty() {
        return Vec::new();
    }
    next(model, env)
}

/// "reading prod's service (and 1 more)", for the lane card.
fn describe(batch: &[Read]) -> String {
    match batch {
        [] => String::new(),
        [one] => one.describe(),
        [first, rest @ ..] => format!("{} (and {} more)", first.describe(), rest.len()),
    }
}
