//! Rollouts as the ledger tells them: every `rollout` entry carries the rollout's whole state after
//! a transition and its driver's lease; folding the entries in order rebuilds every rollout in
//! flight, who drives it and whether that driver is still alive (its lease not expired).
//!
//! Lease rule (what keeps two drivers off one rollout): while a lease is live (entry time before
//! its expiry), entries written by anyone but its holder are void. A successor may claim a rollout
//! only after the lease expired or was released; of two claims, the first in the ledger wins and
//! the other claimant, reading the ledger back, sees it is not the holder and stops.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::lane::ServiceState;
use super::rollout::{Phase, Rollout};
use crate::ledger::{Entry, Payload};

/// A user's hand on a running rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Advance,
    Abort(String),
}

impl Control {
    /// The word written in the ledger and typed on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Control::Pause => "pause",
            Control::Resume => "resume",
            Control::Advance => "advance",
            Control::Abort(_) => "abort",
        }
    }

    pub fn parse(name: &str, reason: Option<&str>) -> Option<Control> {
        Some(match name {
            "pause" => Control::Pause,
            "resume" => Control::Resume,
            "advance" => Control::Advance,
            "abort" => Control::Abort(reason.unwrap_or("aborted").to_string()),
            _ => return None,
        })
    }

    /// The `rollout_control` entry asking the driver of `request_id` for this.
    pub fn payload(&self, request_id: &str, env: &str) -> Payload {
        Payload::RolloutControl {
            request_id: request_id.to_string(),
            env: env.to_string(),
            control: self.name().to_string(),
            reason: match self {
                Control::Abort(reason) => Some(reason.clone()),
                _ => None,
            },
        }
    }
}

/// Who drives a rollout, until when. Renewed by every entry its holder writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// `account@host pid N`: one process.
    pub holder: String,
    pub heartbeat: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

impl Lease {
    pub fn new(holder: &str, now: DateTime<Utc>, period: Duration) -> Lease {
        Lease {
            holder: holder.to_string(),
            heartbeat: now,
            expires: now + period,
        }
    }

    pub fn live_at(&self, now: DateTime<Utc>) -> bool {
        now < self.expires
    }
}

/// Whether anyone drives a rollout in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    Live(Lease),
    /// Nobody: the lease expired (the driver died) or was released (handed over).
    Orphaned {
        since: DateTime<Utc>,
        last_holder: Option<String>,
    },
    Finished,
}

/// One rollout, as of its latest valid entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub rollout: Rollout,
    /// A released lease (handed over) expires when it is written.
    pub lease: Option<Lease>,
    pub last_event: String,
    pub last_time: DateTime<Utc>,
    pub last_seq: u64,
    /// Controls written after the latest transition: not yet obeyed by any driver.
    pub pending: Vec<(u64, Control)>,
}

impl Tracked {
    /// The ledger's word checked against the cloud's traffic split: `None` when they agree (or
    /// there is nothing to compare: deploying, shifting, finished), else what differs. A rollout
    /// rebuilt from the ledger says this instead of showing a step the cloud no longer serves.
    pub fn split_disagrees(&self, state: &ServiceState) -> Option<String> {
        let r = &self.rollout;
        let to = r.to_revision.as_deref()?;
        if !matches!(r.phase, Phase::Baking { .. } | Phase::Paused { .. }) {
            return None;
        }
        let expected = r.current_percent();
        let serving = state
            .traffic
            .iter()
            .find(|s| s.revision == to || s.short == to || to.ends_with(&format!("-{}", s.short)))
            .map_or(0, |s| s.percent);
        (serving != expected).then(|| {
            format!(
                "the ledger says {} holds {to} at {expected}%, but the cloud serves {}: the \
                 rollout's record is stale (its traffic was changed outside it)",
                r.env,
                state.split_text()
            )
        })
    }

    pub fn driver(&self, now: DateTime<Utc>) -> Driver {
        if self.rollout.is_finished() {
            return Driver::Finished;
        }
        match &self.lease {
            Some(lease) if lease.live_at(now) => Driver::Live(lease.clone()),
            Some(lease) => Driver::Orphaned {
                since: lease.expires,
                last_holder: Some(lease.holder.clone()),
            },
            None => Driver::Orphaned {
                since: self.last_time,
                last_holder: None,
            },
        }
    }
}

/// Every rollout of a ledger, by request id, and the newest per environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollouts {
    by_id: BTreeMap<String, Tracked>,
    latest: BTreeMap<String, String>,
    /// The seq of the latest `rollback` command per environment.
    rollbacks: BTreeMap<String, u64>,
}

impl Rollouts {
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Rollouts {
        let mut book = Rollouts::default();
        for entry in entries {
            book.apply(entry);
        }
        book
    }

    /// Folds one entry in; entries must come in ledger order.
    pub fn apply(&mut self, entry: &Entry) {
        match &entry.payload {
            Payload::Rollout {
                request_id,
                env,
                event,
                state,
                lease,
            } => {
                let Ok(rollout) = serde_json::from_value::<Rollout>(state.clone()) else {
                    return;
                };
                let lease = serde_json::from_value::<Option<Lease>>(lease.clone())
                    .ok()
                    .flatten();
                if let Some(known) = self.by_id.get(request_id)
                    && let Some(held) = &known.lease
                    && held.live_at(entry.time)
                    && lease.as_ref().map(|l| &l.holder) != Some(&held.holder)
                {
                    return;
                }
                let pending = self
                    .by_id
                    .get(request_id)
                    .map(|t| {
                        let mut p = t.pending.clone();
                        p.retain(|(seq, _)| *seq > entry.seq);
                        p
                    })
                    .unwrap_or_default();
                self.latest.insert(env.clone(), request_id.clone());
                self.by_id.insert(
                    request_id.clone(),
                    Tracked {
                        rollout,
                        lease,
                        last_event: event.clone(),
                        last_time: entry.time,
                        last_seq: entry.seq,
                        pending,
                    },
                );
            }
            Payload::RolloutControl {
                request_id,
                control,
                reason,
                ..
            } => {
                if let (Some(tracked), Some(control)) = (
                    self.by_id.get_mut(request_id),
                    Control::parse(control, reason.as_deref()),
                ) {
                    tracked.pending.push((entry.seq, control));
                }
            }
            Payload::Command { action, env, .. } if action == "rollback" => {
                self.rollbacks.insert(env.clone(), entry.seq);
            }
            _ => {}
        }
    }

    /// What "roll back" means in `env`: the rollout whose `from_revision` served 100 % before
    /// the current release began — unless that release was already rolled back (aborted,
    /// failed, or a rollback command came after it). `None`: the ledger does not know.
    pub fn release_to_undo(&self, env: &str) -> Option<&Tracked> {
        let latest = self.latest(env)?;
        let undone = matches!(
            latest.rollout.phase,
            super::rollout::Phase::Aborted { .. } | super::rollout::Phase::Failed { .. }
        ) || self
            .rollbacks
            .get(env)
            .is_some_and(|seq| *seq > latest.last_seq);
        (!undone && !latest.rollout.from_revision.is_empty()).then_some(latest)
    }

    pub fn get(&self, request_id: &str) -> Option<&Tracked> {
        self.by_id.get(request_id)
    }

    /// The newest rollout into `env`, finished or not.
    pub fn latest(&self, env: &str) -> Option<&Tracked> {
        self.by_id.get(self.latest.get(env)?)
    }

    /// The rollout in flight in `env`, if any.
    pub fn in_flight(&self, env: &str) -> Option<&Tracked> {
        self.latest(env).filter(|t| !t.rollout.is_finished())
    }

    /// Every rollout in flight, by environment.
    pub fn all_in_flight(&self) -> impl Iterator<Item = &Tracked> {
        self.latest
            .values()
            .filter_map(|id| self.by_id.get(id))
            .filter(|t| !t.rollout.is_finished())
    }
}
