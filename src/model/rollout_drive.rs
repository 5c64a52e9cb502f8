//! Driving one rollout as a pure machine: events in, effects out (the shape of atuin's
//! `fsm::handle`). No I/O and no clock: the host (the CLI's loop in `commands::driver`) runs each
//! effect — append to the ledger, apply one change, probe once — and answers with an event.
//!
//! Every transition is recorded (the rollout's whole state plus this driver's lease), so another
//! cockpit or CLI can rebuild it and take over when this driver stops renewing its lease.

use chrono::{DateTime, Duration, Utc};

use super::rollout::{NextAction, Phase, Rollout};
use super::rollouts::{Control, Lease};
use crate::ledger::Payload;

#[derive(Debug, Clone, PartialEq)]
pub enum DriveEvent {
    /// A new rollout: record the plan, deploy.
    Start,
    /// Claim a rollout whose driver is gone (record the claim; the host checks it won).
    Claim,
    /// The claim won: re-send the action the phase awaits, if any.
    Continue,
    OpDone {
        new_revision: Option<String>,
    },
    OpFailed {
        reason: String,
    },
    Probe {
        pass: bool,
    },
    /// Time passed (the host's probe interval): bake ends, probes, heartbeats.
    Tick,
    Control(Control),
    /// Stop driving and hand the rollout over (SIGTERM, SIGHUP, a quitting cockpit).
    Release {
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum DriveEffect {
    /// Append this entry to the ledger (it renews the lease, or releases it).
    Record(Payload),
    /// Apply one change; answer with `OpDone` or `OpFailed`.
    Apply(NextAction),
    /// Probe the new revision once; answer with `Probe`.
    Probe,
    Note(String),
    /// Finished or released: the host stops.
    Stop,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drive {
    pub rollout: Rollout,
    /// This driver's lease holder name (`account@host pid N`).
    pub holder: String,
    pub lease_period: Duration,
    /// An operation is out: its answer comes before anything else is sent.
    pub in_flight: bool,
    /// Controls that arrived while an operation was out, obeyed after its answer.
    deferred: Vec<Control>,
    next_heartbeat: Option<DateTime<Utc>>,
}

impl Drive {
    pub fn new(rollout: Rollout, holder: impl Into<String>, lease_period: Duration) -> Drive {
        Drive {
            rollout,
            holder: holder.into(),
            lease_period,
            in_flight: false,
            deferred: Vec::new(),
            next_heartbeat: None,
        }
    }

    /// A control to obey once the drive may act (after a claim is confirmed, or an answer).
    pub fn defer(&mut self, control: Control) {
        self.deferred.push(control);
    }

    fn record(&mut self, now: DateTime<Utc>, event: &str) -> DriveEffect {
        let lease = if event == "released" {
            Lease::new(&self.holder, now, Duration::zero())
        } else {
            Lease::new(&self.holder, now, self.lease_period)
        };
        self.next_heartbeat = Some(now + self.lease_period / 3);
        DriveEffect::Record(Payload::Rollout {
            request_id: self.rollout.request_id.clone(),
            env: self.rollout.env.clone(),
            event: event.to_string(),
            state: serde_json::to_value(&self.rollout).unwrap_or_default(),
            lease: serde_json::to_value(&lease).unwrap_or_default(),
        })
    }

    /// The event name of the phase just reached.
    fn phase_event(&self) -> &'static str {
        match self.rollout.phase {
            Phase::Deploying => "deploying",
            Phase::Shifting { .. } => "step",
            Phase::Baking { .. } => "bake",
            Phase::Paused { .. } => "paused",
            Phase::RollingBack { .. } => "rolling_back",
            Phase::Done => "done",
            Phase::Aborted { .. } => "aborted",
            Phase::Failed { .. } => "failed",
        }
    }

    /// Records the phase reached, then sends `next` (or stops when the rollout is finished).
    fn settle(&mut self, now: DateTime<Utc>, next: Option<NextAction>) -> Vec<DriveEffect> {
        let event = self.phase_event();
        let mut effects = vec![self.record(now, event)];
        if let Some(action) = next {
            self.in_flight = true;
            effects.push(DriveEffect::Apply(action));
        } else if self.rollout.is_finished() {
            effects.push(DriveEffect::Stop);
        }
        effects
    }

    pub fn handle(&mut self, now: DateTime<Utc>, event: DriveEvent) -> Vec<DriveEffect> {
        match event {
            DriveEvent::Start => {
                let plan = self.record(now, "plan");
                self.in_flight = true;
                vec![plan, DriveEffect::Apply(self.rollout.start())]
            }
            DriveEvent::Claim => vec![self.record(now, "takeover")],
            DriveEvent::Continue => match self.rollout.action_in_flight() {
                Some(action) => {
                    self.in_flight = true;
                    vec![DriveEffect::Apply(action)]
                }
                None if self.rollout.is_finished() => vec![DriveEffect::Stop],
                None => self.obey_deferred(now),
            },
            DriveEvent::OpDone { new_revision } => {
                self.in_flight = false;
                let next = self.rollout.on_op_done(now, new_revision.as_deref());
                let mut effects = self.settle(now, next);
                effects.extend(self.obey_deferred(now));
                effects
            }
            DriveEvent::OpFailed { reason } => {
                self.in_flight = false;
                let next = self.rollout.on_op_failed(&reason);
                let mut effects = vec![DriveEffect::Note(reason)];
                effects.extend(self.settle(now, next));
                effects.extend(self.obey_deferred(now));
                effects
            }
            DriveEvent::Probe { pass } => match self.rollout.on_probe_result(pass) {
                Some(guard) if !self.in_flight => {
                    let mut effects = vec![DriveEffect::Note(guard.reason)];
                    effects.extend(self.settle(now, Some(guard.action)));
                    effects
                }
                _ => Vec::new(),
            },
            DriveEvent::Tick => self.tick(now),
            DriveEvent::Control(control) => self.control(now, control),
            DriveEvent::Release { why } => {
                vec![
                    DriveEffect::Note(format!("handing the rollout over: {why}")),
                    self.record(now, "released"),
                    DriveEffect::Stop,
                ]
            }
        }
    }

    fn tick(&mut self, now: DateTime<Utc>) -> Vec<DriveEffect> {
        if !self.in_flight && matches!(self.rollout.phase, Phase::Baking { .. }) {
            let next = self.rollout.on_tick(now);
            if next.is_some() || self.rollout.is_finished() {
                return self.settle(now, next);
            }
        }
        let mut effects = Vec::new();
        if self.next_heartbeat.is_some_and(|due| now >= due) {
            effects.push(self.record(now, "heartbeat"));
        }
        if !self.in_flight && matches!(self.rollout.phase, Phase::Baking { .. }) {
            effects.push(DriveEffect::Probe);
        }
        effects
    }

    fn control(&mut self, now: DateTime<Utc>, control: Control) -> Vec<DriveEffect> {
        if self.in_flight && control != Control::Pause {
            self.deferred.push(control);
            return Vec::new();
        }
        let next = match &control {
            Control::Pause => {
                self.rollout.pause(now);
                None
            }
            Control::Resume => {
                self.rollout.resume(now);
                None
            }
            Control::Advance => self.rollout.advance(),
            Control::Abort(reason) => self.rollout.abort(reason.clone()),
        };
        let mut effects = vec![self.record(now, control.name())];
        if let Some(action) = next {
            self.in_flight = true;
            effects.push(DriveEffect::Apply(action));
        } else if self.rollout.is_finished() {
            effects.push(DriveEffect::Stop);
        }
        effects
    }

    fn obey_deferred(&mut self, now: DateTime<Utc>) -> Vec<DriveEffect> {
        let mut effects = Vec::new();
        while !self.in_flight && !self.deferred.is_empty() {
            let control = self.deferred.remove(0);
            effects.extend(self.control(now, control));
        }
        effects
    }
}
