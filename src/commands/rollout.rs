//! Rollouts beyond one process: the machine hosted with this context's ledger and hands, the
//! in-flight check before a new rollout, and the rollback target. `flightdeck rollout …` is
//! [`super::rollout_control`]'s.

use std::time::Duration;

use chrono::Utc;

use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::wire::Target;
use super::{CommandError, driver, health};
use crate::config::profile::Environment;
use crate::ledger::Entry;
use crate::ledger::store::LedgerStore;
use crate::model::command_read::{Read, ReadValue};
use crate::model::rollout::{Phase, Rollout};
use crate::model::rollout_drive::{Drive, DriveEvent};
use crate::model::rollouts::{Driver, Rollouts, Tracked};
use crate::policy::CommandKind;

/// The context's ledger (a file or a database) and its verified entries.
pub(super) async fn book(ctx: &Context) -> Result<(LedgerStore, Vec<Entry>), String> {
    let ledger = ctx.ledger()?;
    let entries = ledger.read_verified().await?;
    Ok((ledger, entries))
}

/// One line on who drives `tracked` now.
pub fn describe(tracked: &Tracked, now: chrono::DateTime<Utc>) -> String {
    let r = &tracked.rollout;
    let to = r.to_revision.as_deref().unwrap_or("(deploying)");
    let phase = match &r.phase {
        Phase::Baking { until } => format!(
            "baking at {}%, {}s left",
            r.current_percent(),
            (*until - now).num_seconds().max(0)
        ),
        Phase::Paused { remaining_secs } => format!(
            "paused at {}%, {remaining_secs}s of bake left",
            r.current_percent()
        ),
        Phase::Shifting { .. } => format!("shifting to {}%", r.current_percent()),
        other => phase_word(other).to_string(),
    };
    let driver = match tracked.driver(now) {
        Driver::Live(lease) => format!(
            "driven by {} (lease until {})",
            lease.holder,
            lease.expires.format("%H:%M:%S")
        ),
        Driver::Orphaned { since, last_holder } => format!(
            "ORPHANED since {} (last driver {}): `flightdeck rollout resume {}` takes it over",
            since.format("%H:%M:%S"),
            last_holder.as_deref().unwrap_or("unknown"),
            r.env
        ),
        Driver::Finished => "finished".to_string(),
    };
    format!(
        "{}: rollout {} {} → {to}: {phase}; {driver}",
        r.env, r.request_id, r.from_revision
    )
}

/// The revision a rollback of `env` goes to: the one named, else the one that served 100 %
/// before the current release began (from the ledger), else `None` (the provider's previous).
/// While a rollout is in flight a rollback would race its driver: abort it instead.
pub(super) fn rollback_target(
    known: &Known<'_>,
    env: &str,
    to: Option<String>,
) -> Result<Option<String>, Halt> {
    let kind = CommandKind::Rollback;
    let Ok(ReadValue::Ledger(ledger)) = known.answer(Read::Ledger)? else {
        return Ok(to);
    };
    let rollouts = Rollouts::from_entries(&ledger.entries);
    if let Some(tracked) = rollouts.in_flight(env) {
        return Err(Outcome::new(
            kind,
            env,
            Status::Usage,
            format!(
                "a rollout is in flight ({}); `flightdeck rollout abort {env}` sends traffic back to {}",
                describe(tracked, known.planning.now),
                tracked.rollout.from_revision
            ),
        )
        .into());
    }
    Ok(to.or_else(|| {
        rollouts
            .release_to_undo(env)
            .map(|t| t.rollout.from_revision.clone())
    }))
}

/// Refuses a new rollout into `env` while one is in flight there (driven or orphaned).
pub(super) fn busy(known: &Known<'_>, kind: CommandKind, env: &str) -> Result<(), Halt> {
    let ledger = known.ledger(kind, env)?;
    let rollouts = Rollouts::from_entries(&ledger.entries);
    match rollouts.in_flight(env) {
        Some(tracked) => Err(Outcome::new(
            kind,
            env,
            Status::Usage,
            format!(
                "a rollout is in flight: {}; nothing was sent",
                describe(tracked, known.planning.now)
            ),
        )
        .into()),
        None => Ok(()),
    }
}

/// Runs the machine with this context's ledger, hands and probe settings.
pub(super) async fn drive_rollout(
    ctx: &Context,
    target: &Target,
    env: &Environment,
    uri: Option<&str>,
    drive: &mut Drive,
    first: DriveEvent,
) -> driver::DriveReport {
    let health = health::health_probe(env, uri);
    let interval = env
        .probes
        .first()
        .map_or(1.0, |p| p.interval_secs)
        .clamp(0.05, 60.0);
    let bake = drive.rollout.bake_secs.max(0) as f64;
    let lease_tick = ctx.lease.as_secs_f64() / 3.0;
    let probe_every = ctx.probe_every.unwrap_or_else(|| {
        Duration::from_secs_f64((bake / 5.0).clamp(0.1, interval).min(lease_tick.max(0.05)))
    });
    let opts = driver::DriveOptions {
        wire: ctx.wire.clone(),
        probe_every,
        health,
        http: ctx.http.clone(),
    };
    let ledger = match ctx.ledger() {
        Ok(ledger) => driver::DriveLedger {
            ledger,
            actor: ctx.actor.clone(),
        },
        Err(e) => {
            return driver::DriveReport {
                record_error: Some(e),
                ..Default::default()
            };
        }
    };
    let mut control = ctx.control.lock().ok().and_then(|mut slot| slot.take());
    let mut release = ctx.release.lock().ok().and_then(|mut slot| slot.take());
    let hands = driver::Hands {
        controls: control.as_mut(),
        release: release.as_mut(),
    };
    driver::drive(target, drive, first, &opts, &ledger, hands, &ctx.progress).await
}

/// The outcome's status and message from how the rollout ended.
pub(super) async fn conclude(
    ctx: &Context,
    target: &Target,
    outcome: &mut Outcome,
    rollout: &Rollout,
    report: &driver::DriveReport,
) {
    outcome.patches_sent = report.patches_sent;
    outcome.to_revision = rollout.to_revision.clone();
    let env = &rollout.env;
    (outcome.status, outcome.message) = match (&rollout.phase, &report.last_error) {
        _ if report.released => (
            Status::HandedOver,
            format!(
                "handed over at {}% ({}): `flightdeck rollout resume {env}` takes it over",
                rollout.current_percent(),
                phase_word(&rollout.phase)
            ),
        ),
        _ if report.lost_to.is_some() => (
            Status::HandedOver,
            format!(
                "{} drives this rollout now",
                report.lost_to.as_deref().unwrap_or("another driver")
            ),
        ),
        (Phase::Done, _) => (
            Status::Done,
            format!(
                "{env} serves {} at 100%",
                rollout.to_revision.as_deref().unwrap_or("?")
            ),
        ),
        (Phase::Aborted { reason }, _) => (
            Status::Aborted,
            format!("rolled back to {}: {reason}", rollout.from_revision),
        ),
        (Phase::Failed { reason }, Some(CommandError::Api(_))) => {
            (Status::ApiError, reason.clone())
        }
        (phase, _) => (Status::Failed, format!("{phase:?}")),
    };
    if let Some(error) = &report.record_error {
        outcome.message.push_str(&format!(" ({error})"));
    }
    if let Ok(after) = ctx.state(target, outcome.action).await {
        outcome.traffic = Some(after.traffic.clone());
    }
}

pub(super) fn phase_word(phase: &Phase) -> &'static str {
    match phase {
        Phase::Deploying => "deploying",
        Phase::Shifting { .. } => "shifting traffic",
        Phase::Baking { .. } => "baking",
        Phase::Paused { .. } => "paused",
        Phase::RollingBack { .. } => "rolling back",
        Phase::Done | Phase::Aborted { .. } | Phase::Failed { .. } => "finished",
    }
}
