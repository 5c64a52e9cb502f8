//! Raising alerts from what `update` sees: a failed build, a finished canary, an auto-rollback, a
//! stale API, an unavailable ledger, a signature of ours replaced by someone else's. Each new alert
//! goes to the banner and comes back as `Cmd::Alert` (bell, desktop notification, notify_command).

use crate::ledger::{Entry, Payload};
use crate::model::alerts::{Alert, AlertKind};
use crate::model::lane::Freshness;
use crate::model::outcome::{Outcome, Status};
use crate::model::pipeline::RunState;
use crate::model::{Level, Model};
use crate::msg::Cmd;

fn raise(model: &mut Model, kind: AlertKind, lane: Option<&str>, text: String) -> Vec<Cmd> {
    let alert = Alert {
        kind,
        lane: lane.map(str::to_string),
        text,
        at: model.now,
    };
    if !model.alerts.raise(alert.clone()) {
        return Vec::new();
    }
    model.dirty = true;
    vec![Cmd::Alert(alert)]
}

/// `A`: every open alert acknowledged.
pub fn acknowledge(model: &mut Model) {
    let count = model.alerts.acknowledge_all();
    if count > 0 {
        model.notify(Level::Info, format!("{count} alert(s) acknowledged"));
    }
}

/// After a pipeline poll: the run `before` (id, state) turned failed.
pub fn pipeline(model: &mut Model, before: Option<(u64, RunState)>) -> Vec<Cmd> {
    let Some(run) = model.pipeline.run.as_ref() else {
        return Vec::new();
    };
    let was_failed = before == Some((run.run_id, RunState::Failed));
    if run.state != RunState::Failed || was_failed {
        return Vec::new();
    }
    let failed = run
        .phases
        .iter()
        .find(|p| p.state == crate::model::pipeline::PhaseState::Failed);
    let text = match failed {
        Some(phase) => format!(
            "build #{} failed in {}{}",
            run.run_number,
            phase.name,
            phase
                .failed_step
                .as_ref()
                .map(|s| format!(" at \"{s}\""))
                .unwrap_or_default()
        ),
        None => format!("build #{} failed", run.run_number),
    };
    raise(model, AlertKind::BuildFailed, Some("build"), text)
}

/// A command ended: a canary that finished, or one the guard rolled back.
pub fn outcome(model: &mut Model, outcome: &Outcome) -> Vec<Cmd> {
    let canary = outcome.rollout.is_some();
    match outcome.status {
        Status::Aborted if outcome.message.contains("auto-rollback") => raise(
            model,
            AlertKind::AutoRollback,
            Some(&outcome.env),
            outcome.message.clone(),
        ),
        Status::Done if canary => raise(
            model,
            AlertKind::CanaryFinished,
            Some(&outcome.env),
            format!("canary finished: {}", outcome.message),
        ),
        _ => Vec::new(),
    }
}

/// On the clock: a lane whose data went stale (its API stopped answering) is told once.
pub fn stale(model: &mut Model) -> Vec<Cmd> {
    let mut stale: Vec<(String, i64)> = Vec::new();
    for lane in &model.lanes {
        match lane.age_secs(model.now) {
            Some(age)
                if lane.freshness(model.now, model.poll_interval_secs) == Freshness::Stale =>
            {
                stale.push((lane.env.clone(), age))
            }
            _ => model.alerts.resolved(AlertKind::ApiStale, Some(&lane.env)),
        }
    }
    let mut cmds = Vec::new();
    for (env, age) in stale {
        if model.alerts.has(AlertKind::ApiStale, Some(&env)) {
            continue;
        }
        let text = format!("no answer from the API for {age}s: the lane shows old data");
        cmds.extend(raise(model, AlertKind::ApiStale, Some(&env), text));
    }
    cmds
}

pub fn ledger_failed(model: &mut Model, error: &str) -> Vec<Cmd> {
    if model.alerts.has(AlertKind::LedgerUnavailable, None) {
        return Vec::new();
    }
    let text = format!("ledger unavailable: {error}");
    raise(model, AlertKind::LedgerUnavailable, None, text)
}

/// New ledger entries (not the history): a sign-off that replaces one of ours.
pub fn ledger_entries(model: &mut Model, entries: &[Entry]) -> Vec<Cmd> {
    model.alerts.resolved(AlertKind::LedgerUnavailable, None);
    let Some(me) = model.signoffs.account.clone() else {
        return Vec::new();
    };
    if !model.signoffs.loaded {
        return Vec::new();
    }
    let mut cmds = Vec::new();
    for entry in entries.iter().filter(|e| e.actor.account != me) {
        let Payload::Signoff {
            env,
            release,
            item,
            role,
            decision,
            ..
        } = &entry.payload
        else {
            continue;
        };
        let previous = model
            .signoffs
            .entries
            .iter()
            .rev()
            .find(|e| same_cell(&e.payload, env, release, item, role));
        if previous.is_none_or(|p| p.actor.account != me) {
            continue;
        }
        let text = format!(
            "{} replaced your signature on {item} × {role} ({release}) with {}",
            entry.actor.account,
            decision.label()
        );
        cmds.extend(raise(model, AlertKind::SignatureReplaced, Some(env), text));
    }
    cmds
}

fn same_cell(payload: &Payload, env: &str, release: &str, item: &str, role: &str) -> bool {
    matches!(payload, Payload::Signoff { env: e, release: r, item: i, role: o, .. }
        if e == env && r == release && i == item && o == role)
}
