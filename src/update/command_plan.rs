//! A planned command in the loop: its planner read what it needs, one read at a time
//! (`command_read`); here its gates are decided from the model, its record is appended at
//! the entry the decision rests on (`Cmd::RecordCommand`), and then what it sends runs: a Cloud Run
//! rollout or rollback as a machine hosted here, or one provider call (`Cmd::CallProvider`)
//! whose outcome is recorded from here.

use chrono::Duration;

use crate::model::Model;
use crate::model::change_run::ChangeRun;
use crate::model::command_plan::{CommandPlan, NotRecorded, Outgoing};
use crate::model::gate_question::{GateAnswer, PendingQuestion};
use crate::model::operations::{CommandPhase, Hosted};
use crate::model::outcome::{Outcome, Status};
use crate::model::rollout::Rollout;
use crate::model::rollout_drive::Drive;
use crate::msg::Cmd;

/// The command's task read what it needs: wait for its gates.
pub fn planned(model: &mut Model, plan: CommandPlan) -> Vec<Cmd> {
    let env = plan.outcome.env.clone();
    let Some(running) = model.operations.running.get_mut(&env) else {
        return Vec::new();
    };
    model.dirty = true;
    let Some(question) = plan.question.clone() else {
        // No gate stands before it: record it wherever the ledger ends.
        let overridden = plan.overridden(&[]);
        let record = plan.record(overridden, None, running.override_reason.as_deref());
        running.phase = CommandPhase::Recording(Box::new(plan));
        return vec![Cmd::RecordCommand(Box::new(record))];
    };
    model.operations.questions.push(PendingQuestion {
        question,
        asked_at: model.now,
    });
    running.phase = CommandPhase::Deciding(Box::new(plan));
    answer_due(model)
}

/// Answers every question the model can answer now: a command whose gates passed goes on to
/// its record; one refused or undecided ends.
pub fn answer_due(model: &mut Model) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for (waiting, answer) in super::gate_decision::due(model) {
        cmds.extend(decided(model, &waiting.question.env, answer));
    }
    cmds
}

/// The gates answered a planned command: record it, or tell why not.
fn decided(model: &mut Model, env: &str, answer: GateAnswer) -> Vec<Cmd> {
    let Some(running) = model.operations.running.get_mut(env) else {
        return Vec::new();
    };
    if !matches!(running.phase, CommandPhase::Deciding(_)) {
        return Vec::new();
    }
    let CommandPhase::Deciding(mut plan) = std::mem::replace(
        &mut running.phase,
        CommandPhase::Reading(Default::default()),
    ) else {
        return Vec::new();
    };
    match answer {
        GateAnswer::Passed {
            overridden,
            read_at,
        } => {
            let overridden = plan.overridden(&overridden);
            let reason = running.override_reason.as_deref();
            let record = plan.record(overridden.clone(), Some(read_at), reason);
            plan.outcome.overridden = overridden;
            running.phase = CommandPhase::Recording(plan);
            vec![Cmd::RecordCommand(Box::new(record))]
        }
        GateAnswer::Refused(refusals) => {
            let mut refused = Outcome::refused(plan.outcome.action, env, refusals);
            refused.verb = plan.outcome.verb.clone();
            super::commands::concluded(model, refused)
        }
        GateAnswer::NotDecided(why) => {
            let mut failed = plan.outcome.clone();
            failed.status = Status::Failed;
            failed.message = format!("not sent: {why}");
            super::commands::concluded(model, failed)
        }
    }
}

/// The record was appended (or not): send what the command sends.
pub fn recorded(model: &mut Model, env: &str, result: Result<String, NotRecorded>) -> Vec<Cmd> {
    let Some(running) = model.operations.running.get_mut(env) else {
        return Vec::new();
    };
    if !matches!(running.phase, CommandPhase::Recording(_)) {
        return Vec::new();
    }
    let CommandPhase::Recording(plan) =
        std::mem::replace(&mut running.phase, CommandPhase::Driving)
    else {
        return Vec::new();
    };
    let request_id = match result {
        Ok(request_id) => request_id,
        Err(not_recorded) => {
            let outcome = not_recorded.outcome(&plan.outcome);
            return super::commands::concluded(model, outcome);
        }
    };
    let started = running.started;
    let CommandPlan { outcome, send, .. } = *plan;
    let mut outcome = outcome;
    outcome.request_id = Some(request_id.clone());
    match send {
        Outgoing::Rollout(rollout) => {
            let drive = Drive::new(
                Rollout::new(
                    &request_id,
                    env,
                    &rollout.from_revision,
                    &rollout.image,
                    rollout.steps,
                    rollout.bake_secs,
                    rollout.auto_rollback_after,
                    model.now,
                ),
                model.operations.driver_name.clone(),
                Duration::seconds(model.operations.lease_secs),
            );
            let hosted = Hosted {
                drive,
                health: rollout.health,
                claim_pending: false,
                outcome: Box::new(outcome),
            };
            super::rollouts::planned(model, hosted)
        }
        Outgoing::Change { action, probes } => {
            super::changes::planned(model, ChangeRun::new(action, outcome, started, probes))
        }
        Outgoing::Nothing => super::commands::concluded(model, outcome),
        Outgoing::Call(call) => {
            running.phase = CommandPhase::Sending(call.describe());
            running.last.clear();
            vec![Cmd::CallProvider {
                call: Box::new(call),
                outcome: Box::new(outcome),
            }]
        }
    }
}

/// The provider call ended: record its outcome, then tell it.
pub fn called(model: &mut Model, mut outcome: Outcome) -> Vec<Cmd> {
    if let Some(running) = model.operations.running.get(&outcome.env) {
        outcome.elapsed_secs =
            (model.now - running.started).num_milliseconds().max(0) as f64 / 1000.0;
    }
    super::commands::concluded(model, outcome)
}
