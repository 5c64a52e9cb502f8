//! `flightdeck rollout status|pause|resume|advance|abort ENV`: a live driver is asked through a
//! `rollout_control` entry; a rollout whose driver is gone (lease expired or released) is taken
//! over here and driven to its end.

use std::time::Duration;

use chrono::Utc;

use super::context::Context;
use super::driver;
use super::outcome::{Outcome, Status};
use super::rollout::{book, conclude, describe, drive_rollout, phase_word};
use crate::config::profile::Environment;
use crate::ledger::store::LedgerStore;
use crate::model::rollout::{Phase, Rollout};
use crate::model::rollout_drive::{Drive, DriveEvent};
use crate::model::rollouts::{Control, Driver, Rollouts, Tracked};
use crate::policy::CommandKind;

/// What `flightdeck rollout … ENV` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Status,
    Control(Control),
}

/// Waits (up to two lease periods) until nobody drives the rollout in `env`.
pub async fn wait_for_orphan(ctx: &Context, env: &str) {
    let deadline = tokio::time::Instant::now() + ctx.lease * 2;
    while tokio::time::Instant::now() < deadline {
        let live = book(ctx).await.ok().is_some_and(|(_, entries)| {
            Rollouts::from_entries(&entries)
                .in_flight(env)
                .is_some_and(|t| matches!(t.driver(Utc::now()), Driver::Live(_)))
        });
        if !live {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `flightdeck rollout VERB ENV`. Every rollout of any request counts as a promote here.
pub async fn act(ctx: &Context, env_name: &str, verb: Verb) -> Outcome {
    let kind = CommandKind::Promote;
    let fail = |status, message: String| Outcome::new(kind, env_name, status, message);
    let env = match ctx.env(kind, env_name) {
        Ok(env) => env,
        Err(refused) => return *refused,
    };
    let (ledger, entries) = match book(ctx).await {
        Ok(found) => found,
        Err(e) => return fail(Status::Failed, e),
    };
    let rollouts = Rollouts::from_entries(&entries);
    let now = Utc::now();
    let Some(tracked) = rollouts.in_flight(env_name).cloned() else {
        let message = match rollouts.latest(env_name) {
            Some(last) => format!(
                "no rollout is in flight in {env_name} (the last one: {})",
                describe(last, now)
            ),
            None => format!("no rollout is recorded for {env_name}"),
        };
        let status = if verb == Verb::Status {
            Status::Done
        } else {
            Status::Usage
        };
        return fail(status, message);
    };
    let mut outcome = fail(Status::Done, describe(&tracked, now));
    outcome.request_id = Some(tracked.rollout.request_id.clone());
    outcome.from_revision = Some(tracked.rollout.from_revision.clone());
    outcome.to_revision = tracked.rollout.to_revision.clone();
    outcome.image = Some(tracked.rollout.image.clone());
    outcome.rollout = Some(tracked.rollout.clone());
    let Verb::Control(control) = verb else {
        if let Some(stale) = split_disagrees(ctx, env, &tracked).await {
            outcome.message = format!("{}\nbut: {stale}", outcome.message);
        }
        return outcome;
    };
    if ctx.read_only {
        return fail(
            Status::Refused,
            "read-only: rollouts cannot be touched".into(),
        );
    }
    match tracked.driver(now) {
        Driver::Live(lease) => ask(ctx, &ledger, &tracked, &lease.holder, control, outcome).await,
        Driver::Orphaned { .. } => take_over(ctx, env, &tracked, control, outcome).await,
        Driver::Finished => outcome,
    }
}

/// What the cloud's traffic split says against the ledger's record of `tracked` (`None`: they
/// agree, or the cloud could not be read: then nothing is claimed either way).
async fn split_disagrees(ctx: &Context, env: &Environment, tracked: &Tracked) -> Option<String> {
    let target = ctx.target(CommandKind::Promote, env).ok()?;
    let state = ctx.state(&target, CommandKind::Promote).await.ok()?;
    tracked.split_disagrees(&state)
}

/// Asks the live driver through the ledger, then waits (one lease period) for its transition.
async fn ask(
    ctx: &Context,
    ledger: &LedgerStore,
    tracked: &Tracked,
    holder: &str,
    control: Control,
    mut outcome: Outcome,
) -> Outcome {
    let id = &tracked.rollout.request_id;
    let asked = match ledger
        .append(&ctx.actor, control.payload(id, &tracked.rollout.env))
        .await
    {
        Ok(entry) => entry.seq,
        Err(e) => {
            outcome.status = Status::Failed;
            outcome.message = format!("not asked: the ledger did not record it: {e}");
            return outcome;
        }
    };
    let deadline = tokio::time::Instant::now() + ctx.lease;
    loop {
        let answered = ledger.read_verified().await.ok().and_then(|entries| {
            let book = Rollouts::from_entries(&entries);
            book.get(id)
                .filter(|t| t.last_seq > asked && t.last_event == control.name())
                .cloned()
        });
        if let Some(now) = answered {
            outcome.message = format!(
                "{} obeyed `{}`: {}",
                holder,
                control.name(),
                describe(&now, Utc::now())
            );
            outcome.rollout = Some(now.rollout);
            return outcome;
        }
        if tokio::time::Instant::now() >= deadline {
            outcome.status = Status::Failed;
            outcome.message = format!(
                "asked {holder} to {}; no answer within {}s (it may be stuck: its lease runs out soon)",
                control.name(),
                ctx.lease.as_secs()
            );
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Claims an orphaned rollout, obeys the controls waiting for it and `control`, and drives it to
/// its end (a pause during a bake only records the pause and hands the rollout back).
async fn take_over(
    ctx: &Context,
    env: &Environment,
    tracked: &Tracked,
    control: Control,
    mut outcome: Outcome,
) -> Outcome {
    let kind = CommandKind::Promote;
    let target = match ctx.target(kind, env) {
        Ok(target) => target,
        Err(refused) => return *refused,
    };
    let state = match ctx.state(&target, kind).await {
        Ok(state) => state,
        Err(failed) => return *failed,
    };
    ctx.progress.as_ref()(&super::Progress::Note {
        env: env.name.clone(),
        text: format!("taking over: {}", describe(tracked, Utc::now())),
    });
    let lease = chrono::Duration::from_std(ctx.lease).unwrap_or(chrono::Duration::seconds(15));
    let mut drive = Drive::new(
        tracked.rollout.clone(),
        driver::holder_name(&ctx.actor),
        lease,
    );
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let (release_tx, release_rx) = tokio::sync::mpsc::channel(2);
    for (_, waiting) in &tracked.pending {
        let _ = tx.try_send(waiting.clone());
    }
    let pause_only = control == Control::Pause
        && matches!(
            tracked.rollout.phase,
            Phase::Baking { .. } | Phase::Paused { .. }
        );
    if control != Control::Resume {
        let _ = tx.try_send(control);
    }
    if pause_only {
        // Released once the pause is recorded: a paused rollout needs nobody to drive it.
        let _ = release_tx.try_send("paused; `flightdeck rollout resume` continues it".into());
    }
    // The caller's hands (signals, keys) still reach the drive, after the controls above.
    if let Ok(mut slot) = ctx.control.lock() {
        forward(slot.replace(rx), tx);
    }
    if let Ok(mut slot) = ctx.release.lock() {
        forward(slot.replace(release_rx), release_tx);
    }
    let report = drive_rollout(
        ctx,
        &target,
        env,
        state.uri.as_deref(),
        &mut drive,
        DriveEvent::Claim,
    )
    .await;
    conclude(ctx, &target, &mut outcome, &drive.rollout, &report).await;
    if pause_only && report.released && report.lost_to.is_none() {
        outcome.status = Status::Done;
        outcome.message = format!("paused: {}", describe_rollout(&drive.rollout));
    }
    let finished = drive.rollout.is_finished();
    let since = drive.rollout.started;
    outcome.rollout = Some(drive.rollout);
    if finished {
        // The first driver never wrote this request's outcome (it died or handed over).
        super::guard::record_outcome(ctx, &mut outcome, since);
    }
    outcome
}

fn describe_rollout(rollout: &Rollout) -> String {
    format!(
        "{} at {}% ({})",
        rollout.env,
        rollout.current_percent(),
        phase_word(&rollout.phase)
    )
}

fn forward<T: Send + 'static>(
    from: Option<tokio::sync::mpsc::Receiver<T>>,
    to: tokio::sync::mpsc::Sender<T>,
) {
    if let Some(mut from) = from {
        tokio::spawn(async move {
            while let Some(item) = from.recv().await {
                if to.send(item).await.is_err() {
                    return;
                }
            }
        });
    }
}
