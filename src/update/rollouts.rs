//! Rollouts inside the update loop: this cockpit hosts the drive machine of every rollout it
//! drives, turns its effects into commands (append to the ledger, apply one change, probe once)
//! and feeds the answers back. Rollouts the ledger tells of are `rollout_ledger`'s; the quit
//! prompt over running drives is `quit`'s.
use crate::ledger::Payload;
use crate::model::operations::{Bake, CommandPhase, Hosted, RunningCommand};
use crate::model::outcome::Status;
use crate::model::rollout::Phase;
use crate::model::rollout_drive::{DriveEffect, DriveEvent};
use crate::model::{Level, Model};
use crate::msg::Cmd;

/// A rollout that passed its gates: drive it from here.
pub fn planned(model: &mut Model, hosted: Hosted) -> Vec<Cmd> {
    let env = hosted.drive.rollout.env.clone();
    // The gates passed: "checking the gates…" is over; the lane card shows the rollout now.
    model.notice = None;
    model.operations.hosted.insert(env.clone(), hosted);
    handle(model, &env, DriveEvent::Start)
}

/// Feeds one event to the drive of `env` and turns its effects into commands.
pub(super) fn handle(model: &mut Model, env: &str, event: DriveEvent) -> Vec<Cmd> {
    let now = model.now;
    let Some(hosted) = model.operations.hosted.get_mut(env) else {
        return Vec::new();
    };
    let effects = hosted.drive.handle(now, event);
    let health = hosted.health.clone();
    let revision = hosted.drive.rollout.to_revision.clone();
    let mut cmds = Vec::new();
    let mut stop = false;
    let mut events = Vec::new();
    for effect in effects {
        match effect {
            DriveEffect::Record(payload) => {
                if let Payload::Rollout { event, .. } = &payload {
                    events.push(event.clone());
                }
                cmds.push(Cmd::AppendLedger(payload));
            }
            DriveEffect::Apply(action) => cmds.push(Cmd::ApplyChange {
                env: env.to_string(),
                action,
            }),
            DriveEffect::Probe => {
                if let (Some(probe), Some(revision)) = (&health, &revision) {
                    cmds.push(Cmd::ProbeRevision {
                        env: env.to_string(),
                        probe: Box::new(probe.clone()),
                        revision: revision.clone(),
                    });
                }
            }
            DriveEffect::Note(text) => model.log(Some(env), Level::Warn, text),
            DriveEffect::Stop => stop = true,
        }
    }
    for event in events {
        if let Some(text) = transition_text(model, env, &event) {
            model.log(Some(env), Level::Info, text);
        }
    }
    sync_running(model, env);
    if stop {
        cmds.extend(finish(model, env));
    }
    model.dirty = true;
    cmds
}

/// An activity line for a recorded transition. Heartbeats are not news; a deploy straight to
/// 100 % is told in one line, its outcome; so is the end of a canary (see `finish`).
fn transition_text(model: &Model, env: &str, event: &str) -> Option<String> {
    let rollout = &model.operations.hosted.get(env)?.drive.rollout;
    let percent = rollout.current_percent();
    Some(match (event, &rollout.phase) {
        ("heartbeat", _) => return None,
        (_, Phase::Done | Phase::Aborted { .. } | Phase::Failed { .. }) => return None,
        (_, _) if rollout.steps.is_empty() && event != "takeover" => return None,
        ("plan", _) => format!(
            "rollout planned: {} from {}, bake {}s (recorded)",
            if rollout.steps.is_empty() {
                "straight to 100%".to_string()
            } else {
                rollout
                    .steps
                    .iter()
                    .map(|s| format!("{s}%"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            },
            rollout.from_revision,
            rollout.bake_secs
        ),
        ("step", _) => format!("traffic to {percent}% on the new revision"),
        ("advance", _) => format!("advanced now: traffic to {percent}%"),
        ("abort", _) => format!("aborting: traffic back to {}", rollout.from_revision),
        (_, Phase::Paused { remaining_secs }) => {
            format!("paused at {percent}% ({remaining_secs}s of bake left)")
        }
        (_, Phase::Baking { until }) => format!(
            "baking at {percent}% for {}s",
            (*until - model.now).num_seconds().max(0)
        ),
        ("takeover", _) => "claimed the rollout (recorded)".into(),
        (other, _) => format!("{} ({other})", phase_text(&rollout.phase)),
    })
}

fn phase_text(phase: &Phase) -> &'static str {
    match phase {
        Phase::Deploying => "deploying",
        Phase::Shifting { .. } => "shifting traffic",
        Phase::Baking { .. } => "baking",
        Phase::Paused { .. } => "paused",
        Phase::RollingBack { .. } => "rolling back",
        Phase::Done => "done",
        Phase::Aborted { .. } => "aborted",
        Phase::Failed { .. } => "failed",
    }
}

/// The lane's view of the command (step, bake, paused) read straight from the machine.
fn sync_running(model: &mut Model, env: &str) {
    let Some(hosted) = model.operations.hosted.get(env) else {
        return;
    };
    let rollout = &hosted.drive.rollout;
    let percent = rollout.current_percent();
    let (bake, paused, last) = match &rollout.phase {
        Phase::Baking { until } => (
            Some(Bake {
                percent,
                until: *until,
            }),
            false,
            format!("baking at {percent}%"),
        ),
        Phase::Paused { remaining_secs } => (
            None,
            true,
            format!("paused at {percent}% ({remaining_secs}s of bake left)"),
        ),
        Phase::Shifting { .. } => (None, false, format!("shifting to {percent}%")),
        Phase::Deploying => (None, false, "deploying".into()),
        Phase::RollingBack { .. } => (None, false, "rolling back".into()),
        _ => (None, false, "finished".into()),
    };
    let steps = rollout.steps.clone();
    let label = format!("rollout {env}");
    let started = rollout.started;
    let running = model
        .operations
        .running
        .entry(env.to_string())
        .or_insert_with(|| RunningCommand {
            label,
            request: crate::model::command::Request::Rollback {
                env: env.to_string(),
                to: None,
            },
            override_reason: None,
            started,
            confirmed: false,
            phase: CommandPhase::Driving,
            decisions: 0,
            last: String::new(),
            bake: None,
            paused: false,
            steps,
            percent: None,
        });
    running.bake = bake;
    running.paused = paused;
    running.percent = Some(percent);
    running.last = last;
}

/// The rollout ended (or was handed over): record the outcome, tell the user, poll the lanes.
fn finish(model: &mut Model, env: &str) -> Vec<Cmd> {
    let Some(hosted) = model.operations.hosted.remove(env) else {
        return Vec::new();
    };
    let label = model
        .operations
        .running
        .remove(env)
        .map_or_else(|| format!("rollout {env}"), |r| r.label);
    let rollout = hosted.drive.rollout;
    let mut outcome = *hosted.outcome;
    outcome.to_revision = rollout.to_revision.clone();
    outcome.elapsed_secs = (model.now - rollout.started).num_milliseconds() as f64 / 1000.0;
    (outcome.status, outcome.message) = match &rollout.phase {
        Phase::Done => (
            Status::Done,
            format!(
                "{env} serves {} at 100%",
                rollout.to_revision.as_deref().unwrap_or("?")
            ),
        ),
        Phase::Aborted { reason } => (
            Status::Aborted,
            format!("rolled back to {}: {reason}", rollout.from_revision),
        ),
        Phase::Failed { reason } => (Status::Failed, reason.clone()),
        _ => (
            Status::HandedOver,
            format!(
                "handed over at {}%: another cockpit or `flightdeck rollout resume {env}` takes it over",
                rollout.current_percent()
            ),
        ),
    };
    outcome.rollout = Some(rollout);
    let level = match outcome.status {
        Status::Done => Level::Good,
        Status::Aborted | Status::HandedOver => Level::Warn,
        _ => Level::Error,
    };
    let text = format!("{label}: {}", outcome.message);
    model.log(Some(env), level, text.clone());
    model.notify(level, text);
    let mut cmds = Vec::new();
    if let Some(request_id) = outcome.request_id.clone() {
        cmds.push(Cmd::AppendLedger(Payload::CommandOutcome {
            request_id,
            ok: outcome.ok(),
            detail: outcome.ledger_detail(),
        }));
    }
    cmds.extend(super::lanes::poll_all(model));
    cmds
}

pub fn applied(
    model: &mut Model,
    env: &str,
    result: Result<(Option<String>, u32), String>,
) -> Vec<Cmd> {
    let event = match result {
        Ok((new_revision, patches)) => {
            if let Some(hosted) = model.operations.hosted.get_mut(env) {
                hosted.outcome.patches_sent += patches;
            }
            DriveEvent::OpDone { new_revision }
        }
        Err(reason) => DriveEvent::OpFailed { reason },
    };
    handle(model, env, event)
}

pub fn probed(model: &mut Model, env: &str, pass: Option<bool>, detail: String) -> Vec<Cmd> {
    let Some(pass) = pass else {
        return Vec::new();
    };
    if !pass {
        model.log(
            Some(env),
            Level::Warn,
            format!("probe of the new revision: FAIL ({detail})"),
        );
    }
    handle(model, env, DriveEvent::Probe { pass })
}

/// Quitting or a signal: every hosted rollout is released (handed over), recorded in the ledger.
pub fn release_all(model: &mut Model, why: &str) -> Vec<Cmd> {
    let envs: Vec<String> = model.operations.hosted.keys().cloned().collect();
    let mut cmds = Vec::new();
    for env in envs {
        cmds.extend(handle(
            model,
            &env,
            DriveEvent::Release {
                why: why.to_string(),
            },
        ));
    }
    cmds
}

/// Whether this cockpit drives any rollout (quitting must then ask).
pub fn driving(model: &Model) -> bool {
    !model.operations.hosted.is_empty()
}
