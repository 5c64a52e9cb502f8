//! Rollouts inside the update loop: this cockpit hosts the drive machine of every rollout it
//! drives, turns its effects into commands (append to the ledger, apply one change, probe once)
//! and feeds the answers back. The ledger tells of everyone else's rollouts: orphans are shown,
//! controls for a live driver are written to the ledger, an orphan can be taken over here.

use chrono::Duration;

use crate::ledger::{Entry, Payload};
use crate::model::operations::{Bake, Hosted, RunningCommand};
use crate::model::outcome::Status;
use crate::model::rollout::Phase;
use crate::model::rollout_drive::{Drive, DriveEffect, DriveEvent};
use crate::model::rollouts::{Control, Driver};
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
fn handle(model: &mut Model, env: &str, event: DriveEvent) -> Vec<Cmd> {
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
    if model.operations.quit_when_idle && model.operations.hosted.is_empty() {
        model.quitting = true;
    }
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

/// The clock: every hosted drive ticks (bake ends, probes, heartbeats); orphans are told once.
pub fn tick(model: &mut Model) -> Vec<Cmd> {
    let envs: Vec<String> = model.operations.hosted.keys().cloned().collect();
    let mut cmds = Vec::new();
    for env in envs {
        cmds.extend(handle(model, &env, DriveEvent::Tick));
    }
    let now = model.now;
    let orphans: Vec<(String, String)> = model
        .operations
        .rollouts
        .all_in_flight()
        .filter(|t| matches!(t.driver(now), Driver::Orphaned { .. }))
        .filter(|t| !model.operations.hosted.contains_key(&t.rollout.env))
        .map(|t| (t.rollout.request_id.clone(), t.rollout.env.clone()))
        .collect();
    for (id, env) in orphans {
        if model.operations.orphans_told.insert(id) {
            let text = format!(
                "rollout ORPHANED: its driver stopped; Space resumes it here (or `flightdeck rollout resume {env}`)"
            );
            model.log(Some(&env), Level::Warn, text.clone());
            model.notify(Level::Warn, format!("{env}: {text}"));
        }
    }
    tell_stale_records(model);
    cmds
}

/// Rollouts this cockpit knows only from the ledger, checked against each lane's traffic split:
/// a record the cloud no longer shows is told (once per record) instead of trusted.
fn tell_stale_records(model: &mut Model) {
    let stale: Vec<(String, String, String)> = model
        .operations
        .rollouts
        .all_in_flight()
        .filter(|t| !model.operations.hosted.contains_key(&t.rollout.env))
        .filter_map(|t| {
            let lane = model.lanes.iter().find(|l| l.env == t.rollout.env)?;
            let text = t.split_disagrees(lane.service.as_ref()?)?;
            let key = format!("{}@{}", t.rollout.request_id, t.last_seq);
            Some((key, t.rollout.env.clone(), text))
        })
        .collect();
    for (key, env, text) in stale {
        if model.operations.stale_told.insert(key) {
            model.log(Some(&env), Level::Warn, text);
        }
    }
}

/// New ledger entries: the fold; controls for what this cockpit drives; claims confirmed or lost.
pub fn entries(model: &mut Model, entries: &[Entry]) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for entry in entries {
        model.operations.rollouts.apply(entry);
        if let Payload::RolloutControl {
            env,
            request_id,
            control,
            reason,
        } = &entry.payload
            && let Some(hosted) = model.operations.hosted.get(env)
            && hosted.drive.rollout.request_id == *request_id
            && let Some(control) = Control::parse(control, reason.as_deref())
        {
            model.log(
                Some(env),
                Level::Info,
                format!("{} asks to {}", entry.actor.account, control.name()),
            );
            cmds.extend(handle(model, &env.clone(), DriveEvent::Control(control)));
        }
    }
    let hosted: Vec<(String, String, String, bool)> = model
        .operations
        .hosted
        .iter()
        .map(|(env, h)| {
            (
                env.clone(),
                h.drive.rollout.request_id.clone(),
                h.drive.holder.clone(),
                h.claim_pending,
            )
        })
        .collect();
    for (env, id, me, claim_pending) in hosted {
        let holder = model
            .operations
            .rollouts
            .get(&id)
            .and_then(|t| t.lease.as_ref())
            .map(|l| l.holder.clone());
        match holder {
            Some(holder) if holder != me => {
                model.operations.hosted.remove(&env);
                model.operations.running.remove(&env);
                model.log(
                    Some(&env),
                    Level::Warn,
                    format!("{holder} drives this rollout now; this cockpit stopped driving it"),
                );
            }
            Some(_) if claim_pending => {
                if let Some(h) = model.operations.hosted.get_mut(&env) {
                    h.claim_pending = false;
                }
                model.log(Some(&env), Level::Info, "took the rollout over");
                cmds.extend(handle(model, &env, DriveEvent::Continue));
            }
            _ => {}
        }
    }
    cmds
}

/// A key on the selected lane's rollout: ours → the machine; a live driver's → a ledger control;
/// an orphan → claim it here (the control follows once the claim is confirmed).
pub fn control(model: &mut Model, env: &str, control: Control) -> Option<Vec<Cmd>> {
    if model.operations.hosted.contains_key(env) {
        return Some(handle(model, env, DriveEvent::Control(control)));
    }
    let now = model.now;
    let tracked = model.operations.rollouts.in_flight(env)?.clone();
    if model.read_only || model.operations.driver_name.is_empty() {
        model.notify(Level::Warn, "read-only: rollouts cannot be touched");
        return Some(Vec::new());
    }
    match tracked.driver(now) {
        Driver::Live(lease) => {
            model.log(
                Some(env),
                Level::Info,
                format!(
                    "asked {} to {} (via the ledger)",
                    lease.holder,
                    control.name()
                ),
            );
            let payload = control.payload(&tracked.rollout.request_id, env);
            Some(vec![Cmd::AppendLedger(payload)])
        }
        Driver::Orphaned { .. } => {
            let lease = Duration::seconds(model.operations.lease_secs.max(1));
            let holder = model.operations.driver_name.clone();
            let mut outcome = crate::model::outcome::Outcome::new(
                crate::policy::CommandKind::Promote,
                env,
                Status::Done,
                "",
            );
            outcome.request_id = Some(tracked.rollout.request_id.clone());
            outcome.image = Some(tracked.rollout.image.clone());
            outcome.from_revision = Some(tracked.rollout.from_revision.clone());
            let health = health_of(model, env);
            model.operations.hosted.insert(
                env.to_string(),
                Hosted {
                    drive: Drive::new(tracked.rollout.clone(), holder, lease),
                    health,
                    claim_pending: true,
                    outcome: Box::new(outcome),
                },
            );
            model.log(Some(env), Level::Info, "claiming the orphaned rollout…");
            if control != Control::Resume
                && let Some(hosted) = model.operations.hosted.get_mut(env)
            {
                hosted.drive.defer(control);
            }
            Some(handle(model, env, DriveEvent::Claim))
        }
        Driver::Finished => None,
    }
}

/// The canary guard's URL for `env`: its health probe (else its first), as the lane resolved it.
/// The lane's health probe (the one whose path ends in `health`, else the first), whole: its
/// method, headers and format go with it, at the URL it resolved to.
fn health_of(model: &Model, env: &str) -> Option<crate::probes::ResolvedProbe> {
    let lane = model.lanes.iter().position(|l| l.env == env)?;
    let probes: Vec<_> = model
        .probes
        .of_lane(lane)
        .filter_map(|p| {
            let url = p.url.clone()?;
            let resolved = p.spec.resolve(Some(&url)).ok()?;
            Some(crate::probes::ResolvedProbe { url, ..resolved })
        })
        .collect();
    probes
        .iter()
        .find(|p| p.url.trim_end_matches('/').ends_with("health"))
        .or(probes.first())
        .cloned()
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

/// The answer to the quit prompt.
pub fn quit_choice(model: &mut Model, envs: Vec<String>, text: &str) -> Vec<Cmd> {
    match text.trim() {
        "b" | "background" if model.operations.no_successor.is_some() => {
            let why = model.operations.no_successor.clone().unwrap_or_default();
            model.notify(Level::Warn, why);
            Vec::new()
        }
        "b" | "background" => {
            let mut cmds = release_all(model, "the cockpit quit: a background process drives on");
            cmds.extend(envs.into_iter().map(|env| Cmd::SpawnSuccessor { env }));
            model.quitting = true;
            cmds
        }
        "h" | "hand over" => {
            let cmds = release_all(model, "the cockpit quit");
            model.quitting = true;
            cmds
        }
        "a" | "abort" => {
            model.operations.quit_when_idle = true;
            let mut cmds = Vec::new();
            for env in envs {
                let abort = Control::Abort("aborted: the cockpit quit".into());
                cmds.extend(handle(model, &env, DriveEvent::Control(abort)));
            }
            model.notify(
                Level::Warn,
                "aborting: the cockpit quits once traffic is back",
            );
            cmds
        }
        _ => {
            model.notify(Level::Warn, "type b, h or a, then Enter (Esc stays)");
            model.overlay = crate::model::Overlay::Prompt(crate::model::Prompt::Quit { envs });
            Vec::new()
        }
    }
}
