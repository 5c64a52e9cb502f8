//! Rollouts as the ledger tells of them: this cockpit's drives tick; orphans and records the
//! cloud contradicts are told once; controls for a live driver go to the ledger; an orphan is
//! claimed here, and a claim is confirmed (or lost) when the ledger reads it back.

use chrono::Duration;

use super::rollouts::handle;
use crate::ledger::{Entry, Payload};
use crate::model::operations::Hosted;
use crate::model::outcome::Status;
use crate::model::rollout_drive::{Drive, DriveEvent};
use crate::model::rollouts::{Control, Driver};
use crate::model::{Level, Model};
use crate::msg::Cmd;

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
