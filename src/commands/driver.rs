//! Hosts the rollout machine ([`Drive`]) for the CLI and the cockpit's command task: runs each
//! effect — a ledger append, one change through [`wire::apply`], one probe — and feeds the answer
//! back as an event. Between operations it waits one probe interval for a control (the cockpit's
//! keys, a `rollout_control` entry in the ledger, a signal), then ticks the machine. All decisions
//! are the machine's; this loop only performs I/O.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::health::{self, ProbeHit};
use super::wire::{self, Change, Target};
use super::{CommandError, Progress, ProgressSink, WireOptions};
use crate::ledger::store::{LedgerStore, StoreFollower};
use crate::ledger::{Actor, Payload};
use crate::model::rollout::{NextAction, Phase, Rollout};
use crate::model::rollout_drive::{Drive, DriveEffect, DriveEvent};
pub use crate::model::rollouts::Control;
use crate::model::rollouts::Rollouts;

#[derive(Debug, Clone)]
pub struct DriveOptions {
    pub wire: WireOptions,
    /// How often to probe (and check the bake timer, the ledger and the lease) while baking.
    pub probe_every: Duration,
    /// The lane's health probe; the guard sends it through the canary's tag URL.
    /// `None` = no guard probing.
    pub health: Option<crate::probes::ResolvedProbe>,
    pub http: reqwest::Client,
}

/// Where the rollout's entries go, and as whom.
#[derive(Debug, Clone)]
pub struct DriveLedger {
    pub ledger: LedgerStore,
    pub actor: Actor,
}

/// How the drive ended, besides the rollout's own phase.
#[derive(Debug, Clone, Default)]
pub struct DriveReport {
    /// The last error of an action (a failed deploy, shift or rollback).
    pub last_error: Option<CommandError>,
    pub patches_sent: u32,
    pub probes: u32,
    pub failed_probes: u32,
    /// Handed over (released the lease) before the end.
    pub released: bool,
    /// Another driver holds the lease: this one stopped without sending anything more.
    pub lost_to: Option<String>,
    /// A transition that could not be recorded.
    pub record_error: Option<String>,
}

/// Where a user's hands reach a running drive: controls (cockpit keys, Ctrl-C) and hand-overs
/// (SIGTERM, SIGHUP: the reason).
#[derive(Default)]
pub struct Hands<'a> {
    pub controls: Option<&'a mut mpsc::Receiver<Control>>,
    pub release: Option<&'a mut mpsc::Receiver<String>>,
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

/// `account@host pid N #k`: one driver in one process.
pub fn holder_name(actor: &Actor) -> String {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}@{} pid {} #{}",
        actor.account,
        actor.host,
        std::process::id(),
        &tag[..6]
    )
}

async fn next_of<T>(rx: &mut Option<&mut mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

struct Book {
    follower: StoreFollower,
    rollouts: Rollouts,
}

impl Book {
    /// New entries: controls for `request_id`, and whether another driver now holds the lease.
    async fn poll(&mut self, drive: &Drive) -> (Vec<Control>, Option<String>) {
        let mut controls = Vec::new();
        // Only verified entries steer a rollout; after a change of history, all of them again.
        if let Ok(Some(reading)) = self.follower.poll().await {
            if reading.reset {
                self.rollouts = Rollouts::default();
            }
            for entry in &reading.entries {
                self.rollouts.apply(entry);
                if let Payload::RolloutControl {
                    request_id,
                    control,
                    reason,
                    ..
                } = &entry.payload
                    && *request_id == drive.rollout.request_id
                    && let Some(control) = Control::parse(control, reason.as_deref())
                {
                    controls.push(control);
                }
            }
        }
        let holder = self
            .rollouts
            .get(&drive.rollout.request_id)
            .and_then(|t| t.lease.as_ref())
            .map(|l| l.holder.clone());
        let lost = holder.filter(|h| *h != drive.holder);
        (controls, lost)
    }
}

/// Drives until the rollout is finished, handed over, or another driver holds its lease.
/// `first` is [`DriveEvent::Start`] for a new rollout or [`DriveEvent::Claim`] for a takeover.
pub async fn drive(
    target: &Target,
    drive: &mut Drive,
    first: DriveEvent,
    opts: &DriveOptions,
    ledger: &DriveLedger,
    mut hands: Hands<'_>,
    progress: &ProgressSink,
) -> DriveReport {
    let mut report = DriveReport::default();
    let mut book = Book {
        follower: ledger.ledger.follower(),
        rollouts: Rollouts::default(),
    };
    // A claim is checked against the ledger (did another claimant come first?) before acting.
    let mut claim_unchecked = first == DriveEvent::Claim;
    let mut queue = VecDeque::from([first]);
    let env = target.env.clone();
    let mut guard_probe = None;
    let mut was_baking = false;
    loop {
        while let Some(event) = queue.pop_front() {
            let releasing = matches!(event, DriveEvent::Release { .. });
            for effect in drive.handle(Utc::now(), event) {
                match effect {
                    DriveEffect::Record(payload) => {
                        if let Err(e) = ledger.ledger.append(&ledger.actor, payload).await {
                            let text = format!("the ledger did not record a transition: {e}");
                            progress(&Progress::Note {
                                env: env.clone(),
                                text: text.clone(),
                            });
                            report.record_error = Some(text);
                        }
                    }
                    DriveEffect::Apply(action) => {
                        if let NextAction::RollBack { to } = &action {
                            progress(&Progress::Note {
                                env: env.clone(),
                                text: format!("rolling back: 100% to {to}"),
                            });
                        }
                        let change = wire::tag_canary(
                            change_for(&action),
                            drive.rollout.to_revision.as_deref(),
                        );
                        tokio::select! {
                            applied = wire::apply(target, &change, &opts.wire, progress) => {
                                queue.push_back(match applied {
                                    Ok(applied) => {
                                        report.patches_sent += applied.patches_sent;
                                        guard_probe = health::guard_probe(opts.health.as_ref(), &applied);
                                        DriveEvent::OpDone { new_revision: applied.new_revision }
                                    }
                                    Err(e) => {
                                        let reason = e.to_string();
                                        report.last_error = Some(e);
                                        DriveEvent::OpFailed { reason }
                                    }
                                });
                            }
                            Some(why) = next_of(&mut hands.release) => {
                                queue.clear();
                                queue.push_back(DriveEvent::Release { why });
                            }
                        }
                        break;
                    }
                    DriveEffect::Probe => {
                        if let Some(hit) =
                            probe_new_revision(&drive.rollout, guard_probe.as_ref(), opts).await
                        {
                            report.probes += 1;
                            report.failed_probes += u32::from(!hit.pass);
                            progress(&Progress::Probe {
                                env: env.clone(),
                                revision: hit.revision.clone().unwrap_or_else(|| "service".into()),
                                pass: hit.pass,
                                detail: hit.detail.clone(),
                            });
                            queue.push_back(DriveEvent::Probe { pass: hit.pass });
                        }
                    }
                    DriveEffect::Note(text) => progress(&Progress::Note {
                        env: env.clone(),
                        text,
                    }),
                    DriveEffect::Stop => {
                        report.released = releasing;
                        return report;
                    }
                }
            }
            let baking = matches!(drive.rollout.phase, Phase::Baking { .. });
            if let Phase::Baking { until } = drive.rollout.phase
                && !was_baking
            {
                progress(&Progress::Baking {
                    env: env.clone(),
                    percent: drive.rollout.current_percent(),
                    secs: (until - Utc::now()).num_seconds().max(0),
                });
            }
            was_baking = baking;
        }
        let (controls, lost) = book.poll(drive).await;
        if let Some(holder) = lost {
            progress(&Progress::Note {
                env: env.clone(),
                text: format!("{holder} drives this rollout now; this driver stops"),
            });
            report.lost_to = Some(holder);
            return report;
        }
        if std::mem::take(&mut claim_unchecked) {
            queue.push_back(DriveEvent::Continue);
        }
        queue.extend(controls.into_iter().map(DriveEvent::Control));
        if !queue.is_empty() {
            continue;
        }
        tokio::select! {
            biased;
            Some(control) = next_of(&mut hands.controls) => queue.push_back(DriveEvent::Control(control)),
            Some(why) = next_of(&mut hands.release) => queue.push_back(DriveEvent::Release { why }),
            () = tokio::time::sleep(opts.probe_every) => queue.push_back(DriveEvent::Tick),
        }
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
