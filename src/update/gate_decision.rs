//! A planned command's gates decided in the loop: its task read the facts only it can read (the
//! platform's freezes, its own probe, the ledger seq it read up to) into the plan's question; the
//! answer rests on the model: the grid folded from the verified entries it follows, the lanes'
//! probe verdicts, its clock. It is given once the model has read the ledger at least as far as
//! the command did, and the command is recorded only if nothing was appended after the entry it
//! rests on (`command_plan` acts on the answer).

use chrono::Duration;

use crate::ledger::follow::Health;

use super::gate_facts::{lane_index, source_health};
use crate::model::Model;
use crate::model::command::Request;
use crate::model::gate_question::{GateAnswer, GateQuestion, PendingQuestion, SourceHealth};
use crate::model::signoff::SignoffGrid;
use crate::policy::{CommandKind, GateInput, GateVerdict, evaluate};

/// How long a question waits for the ledger to be read as far as its command read it.
const WAIT_FOR_LEDGER_SECS: i64 = 10;

/// The seq of the last entry the model has read (0: none).
fn model_head(model: &Model) -> u64 {
    model.signoffs.entries.last().map_or(0, |e| e.seq)
}

/// The questions the model can answer now (new entries arrived, or time passed), with their
/// answers; the others stay pending.
pub fn due(model: &mut Model) -> Vec<(PendingQuestion, GateAnswer)> {
    let pending = std::mem::take(&mut model.operations.questions);
    let mut answered = Vec::new();
    for waiting in pending {
        let answer = if model.signoffs.loaded && model_head(model) >= waiting.question.read_at {
            Some(decide(model, &waiting.question))
        } else if broken(model)
            || model.now - waiting.asked_at >= Duration::seconds(WAIT_FOR_LEDGER_SECS)
        {
            Some(GateAnswer::NotDecided(not_decided(
                model,
                waiting.question.read_at,
            )))
        } else {
            None
        };
        match answer {
            Some(answer) => answered.push((waiting, answer)),
            None => model.operations.questions.push(waiting),
        }
    }
    answered
}

fn not_decided(model: &Model, read_at: u64) -> String {
    let read = match model.signoffs.loaded {
        true => format!(
            "this cockpit has read the ledger up to entry {}, the command up to {read_at}",
            model_head(model)
        ),
        false => "this cockpit has not read the ledger yet".into(),
    };
    format!("the gates cannot be decided: {read}: {}", why_behind(model))
}

/// The ledger stops verifying somewhere (or its follower stopped at a bad row): entries past
/// it never reach the model.
fn broken(model: &Model) -> bool {
    super::signoff::broken_text(model).is_some() || model.signoffs.ledger_error.is_some()
}

fn why_behind(model: &Model) -> String {
    if let Some(why) = &model.signoffs.unreachable {
        return format!("the ledger database is unreachable ({why})");
    }
    if let Some(Health::Broken(at)) = &model.signoffs.health {
        return format!(
            "the ledger stops verifying at {}:{} ({}): no entry after it counts; {}",
            at.path.display(),
            at.line,
            at.message,
            at.advice
        );
    }
    match &model.signoffs.ledger_error {
        Some(error) => format!("the ledger cannot be read ({error})"),
        None => format!(
            "the ledger was not read that far within {WAIT_FOR_LEDGER_SECS}s; nothing was sent: try again, and if it persists run `flightdeck ledger verify`"
        ),
    }
}

/// The gates on what the model knows, at the entry it has read last.
fn decide(model: &Model, question: &GateQuestion) -> GateAnswer {
    let mut grid = SignoffGrid::from_entries(
        &model.signoffs.config,
        &question.env,
        &question.release,
        &model.signoffs.entries,
    );
    grid.broken = super::signoff::broken_text(model);
    let source = combined(
        source_lane(model, question).and_then(|from| source_health(model, &from)),
        &question.source_health,
    );
    let input = GateInput {
        kind: question.kind,
        target_env: &question.env,
        policy: &question.policy,
        read_only: model.read_only,
        now: model.now,
        actor: model.signoffs.account.as_deref().unwrap_or(""),
        signoff: Some(&grid),
        source_health: source,
        confirmed: question.confirmed,
        override_reason: question.override_reason.as_deref(),
    };
    match evaluate(&input) {
        GateVerdict::Refused(refusals) => GateAnswer::Refused(refusals),
        GateVerdict::Allowed { overridden } => GateAnswer::Passed {
            overridden: overridden
                .iter()
                .map(|r| r.gate.name().to_string())
                .collect(),
            read_at: model_head(model),
        },
    }
}

/// The lane the release comes from: the promote's source, else the lane before the target.
fn source_lane(model: &Model, question: &GateQuestion) -> Option<String> {
    if question.kind != CommandKind::Promote || !question.policy.require_source_green {
        return None;
    }
    if let Some(running) = model.operations.running.get(&question.env)
        && let Request::Promote { from, .. } = &running.request
    {
        return Some(from.clone());
    }
    let index = lane_index(model, &question.env)?;
    Some(model.lanes.get(index.checked_sub(1)?)?.env.clone())
}

/// The lane's verdict in the model and the command's own probe: either one failing is a
/// failure, and either one passing (with the other not failing) is green.
fn combined(model: Option<SourceHealth>, probed: &SourceHealth) -> SourceHealth {
    match (model, probed) {
        (Some(bad @ SourceHealth::NotGreen(_)), _) => bad,
        (_, SourceHealth::NotGreen(why)) => SourceHealth::NotGreen(why.clone()),
        (Some(SourceHealth::Green), _) | (_, SourceHealth::Green) => SourceHealth::Green,
        _ => SourceHealth::Unknown,
    }
}
