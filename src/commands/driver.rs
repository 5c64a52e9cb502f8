//! Runs a [`Rollout`] to the end against Cloud Run: sends each [`NextAction`] through
//! [`wire::apply`], bakes between steps while probing the new revision (the auto-rollback guard),
//! and obeys [`Control`] messages (pause, resume, advance now, abort) when a channel is given.
//! The TUI can drive the same machine itself, message by message; see `model::rollout`.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::health::{self, ProbeHit};
use super::wire::{self, Change, Target};
use super::{CommandError, Progress, ProgressSink, WireOptions};
use crate::model::rollout::{NextAction, Phase, Rollout};

/// A user's hand on a running rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Advance,
    Abort(String),
}

#[derive(Debug, Clone)]
pub struct DriveOptions {
    pub wire: WireOptions,
    /// How often to probe (and check the bake timer) while baking.
    pub probe_every: Duration,
    /// The lane's health probe; the guard sends it through the canary's tag URL.
    /// `None` = no guard probing.
    pub health: Option<crate::probes::ResolvedProbe>,
    pub http: reqwest::Client,
}

/// How the drive ended, besides the rollout's own phase.
#[derive(Debug, Clone, Default)]
pub struct DriveReport {
    /// The last error of an action (a failed deploy, shift or rollback).
    pub last_error: Option<CommandError>,
    pub patches_sent: u32,
    pub probes: u32,
    pub failed_probes: u32,
}

pub fn change_for(action: &NextAction) -> Change {
    match action {
        NextAction::Deploy { image, pin_to } => Change::Image {
            image: image.clone(),
            pin_to: pin_to.clone(),
        },
        NextAction::SetTraffic { split } => Change::Traffic(split.clone()),
        NextAction::RollBack { to } => Change::Traffic(vec![(to.clone(), 100)]),
    }
}

/// Drives `rollout` until it is Done, Aborted or Failed.
pub async fn drive(
    target: &Target,
    rollout: &mut Rollout,
    opts: &DriveOptions,
    mut controls: Option<&mut mpsc::Receiver<Control>>,
    progress: &ProgressSink,
) -> DriveReport {
    let mut report = DriveReport::default();
    let mut action = if rollout.is_finished() {
        None
    } else {
        Some(rollout.start())
    };
    let env = target.env.clone();
    let mut guard_probe = None;
    loop {
        if let Some(next) = action.take() {
            if let NextAction::RollBack { to } = &next {
                progress(&Progress::Note {
                    env: env.clone(),
                    text: format!("rolling back: 100% to {to}"),
                });
            }
            let change = wire::tag_canary(change_for(&next), rollout.to_revision.as_deref());
            match wire::apply(target, &change, &opts.wire, progress).await {
                Ok(applied) => {
                    report.patches_sent += applied.patches_sent;
                    guard_probe = health::guard_probe(opts.health.as_ref(), &applied);
                    action = rollout.on_op_done(Utc::now(), applied.new_revision.as_deref());
                    if let Phase::Baking { until } = rollout.phase {
                        progress(&Progress::Baking {
                            env: env.clone(),
                            percent: rollout.current_percent(),
                            secs: (until - Utc::now()).num_seconds().max(0),
                        });
                    }
                }
                Err(e) => {
                    action = rollout.on_op_failed(&e.to_string());
                    report.last_error = Some(e);
                }
            }
            continue;
        }
        if rollout.is_finished() {
            return report;
        }
        // Baking or paused: wait one probe interval (or a control message).
        let message = match controls.as_deref_mut() {
            Some(rx) => tokio::select! {
                m = rx.recv() => m,
                () = tokio::time::sleep(opts.probe_every) => None,
            },
            None => {
                tokio::time::sleep(opts.probe_every).await;
                None
            }
        };
        if let Some(control) = message {
            action = match control {
                Control::Pause => {
                    rollout.pause(Utc::now());
                    None
                }
                Control::Resume => {
                    rollout.resume(Utc::now());
                    None
                }
                Control::Advance => rollout.advance(),
                Control::Abort(reason) => rollout.abort(reason),
            };
            continue;
        }
        if let Some(hit) = probe_new_revision(rollout, guard_probe.as_ref(), opts).await {
            report.probes += 1;
            if !hit.pass {
                report.failed_probes += 1;
            }
            progress(&Progress::Probe {
                env: env.clone(),
                revision: hit.revision.clone().unwrap_or_else(|| "service".into()),
                pass: hit.pass,
                detail: hit.detail.clone(),
            });
            if let Some(guard) = rollout.on_probe_result(hit.pass) {
                progress(&Progress::Note {
                    env: env.clone(),
                    text: guard.reason.clone(),
                });
                action = Some(guard.action);
                continue;
            }
        }
        action = rollout.on_tick(Utc::now());
    }
}

/// One probe of the new revision (through its tag URL when it has one), judged by its format.
async fn probe_new_revision(
    rollout: &Rollout,
    probe: Option<&crate::probes::ResolvedProbe>,
    opts: &DriveOptions,
) -> Option<ProbeHit> {
    let to = rollout.to_revision.as_deref()?;
    let mut hit = health::probe_once(&opts.http, probe?).await;
    hit.revision = Some(to.to_string());
    Some(hit)
}
