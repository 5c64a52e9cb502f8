//! One change to a lane as a pure machine: send it, then probe the lane until every probe passes
//! or the wait runs out, then the outcome. A Cloud Run rollback is one. No I/O and no clock: the
//! host (the cockpit's update loop, or the CLI's short loop in `commands::rollback`) runs each
//! effect and answers with an event.

use chrono::{DateTime, Duration, Utc};

use super::outcome::{Outcome, Status};
use super::rollout::NextAction;
use crate::probes::ResolvedProbe;

/// How long a changed lane may take to answer healthy.
pub const VERIFY_SECS: i64 = 15;

#[derive(Debug, Clone, PartialEq)]
pub enum ChangePhase {
    /// Nothing sent yet.
    Ready,
    /// The change is out; its answer comes next.
    Applying,
    /// Probe `next` of this round is out (`in_flight`) or the next round waits for a tick.
    Verifying {
        next: usize,
        in_flight: bool,
        until: DateTime<Utc>,
        /// This round's failures, `URL detail`.
        failing: Vec<String>,
    },
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeEvent {
    Start,
    Applied {
        patches: u32,
    },
    ApplyFailed {
        status: Status,
        message: String,
    },
    Probed {
        pass: bool,
        detail: String,
    },
    /// Time passed: a failed round is tried again, or the wait ends.
    Tick,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeEffect {
    /// Send this change; answer `Applied` or `ApplyFailed`.
    Apply(NextAction),
    /// Probe `probes[i]` once; answer `Probed`.
    Probe(usize),
    /// The outcome is final: record it.
    Finish,
}

#[derive(Debug, Clone)]
pub struct ChangeRun {
    pub env: String,
    pub action: NextAction,
    /// What the outcome says so far (request id, release, revisions); final once finished.
    pub outcome: Outcome,
    /// When the command was given: "healthy after" counts from here.
    pub started: DateTime<Utc>,
    /// The lane's probes, resolved against its service URI.
    pub probes: Vec<ResolvedProbe>,
    pub phase: ChangePhase,
}

impl ChangeRun {
    pub fn new(
        action: NextAction,
        outcome: Outcome,
        started: DateTime<Utc>,
        probes: Vec<ResolvedProbe>,
    ) -> ChangeRun {
        ChangeRun {
            env: outcome.env.clone(),
            action,
            outcome,
            started,
            probes,
            phase: ChangePhase::Ready,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.phase == ChangePhase::Finished
    }

    pub fn handle(&mut self, now: DateTime<Utc>, event: ChangeEvent) -> Vec<ChangeEffect> {
        match (event, &mut self.phase) {
            (ChangeEvent::Start, ChangePhase::Ready) => {
                self.phase = ChangePhase::Applying;
                vec![ChangeEffect::Apply(self.action.clone())]
            }
            (ChangeEvent::Applied { patches }, ChangePhase::Applying) => {
                self.outcome.patches_sent += patches;
                self.phase = ChangePhase::Verifying {
                    next: 0,
                    in_flight: false,
                    until: now + Duration::seconds(VERIFY_SECS),
                    failing: Vec::new(),
                };
                self.next_round(now)
            }
            (ChangeEvent::ApplyFailed { status, message }, ChangePhase::Applying) => {
                self.finish(status, message)
            }
            (
                ChangeEvent::Probed { pass, detail },
                ChangePhase::Verifying {
                    next,
                    in_flight: in_flight @ true,
                    failing,
                    until,
                },
            ) => {
                *in_flight = false;
                if !pass {
                    let url = self.probes.get(*next).map_or("", |p| p.url.as_str());
                    failing.push(format!("{url} {detail}"));
                    *next = 0;
                    return match now >= *until {
                        true => self.gave_up(),
                        false => Vec::new(),
                    };
                }
                *next += 1;
                if *next < self.probes.len() {
                    *in_flight = true;
                    return vec![ChangeEffect::Probe(*next)];
                }
                self.healthy(now)
            }
            (
                ChangeEvent::Tick,
                ChangePhase::Verifying {
                    in_flight: false,
                    until,
                    ..
                },
            ) => {
                if now >= *until {
                    return self.gave_up();
                }
                self.next_round(now)
            }
            _ => Vec::new(),
        }
    }

    /// A round of probes from the first; a lane without probes is done once changed.
    fn next_round(&mut self, now: DateTime<Utc>) -> Vec<ChangeEffect> {
        if self.probes.is_empty() {
            return self.healthy(now);
        }
        if let ChangePhase::Verifying {
            next,
            in_flight,
            failing,
            ..
        } = &mut self.phase
        {
            (*next, *in_flight) = (0, true);
            failing.clear();
        }
        vec![ChangeEffect::Probe(0)]
    }

    fn healthy(&mut self, now: DateTime<Utc>) -> Vec<ChangeEffect> {
        self.outcome.healthy_after_secs =
            Some((now - self.started).num_milliseconds().max(0) as f64 / 1000.0);
        let message = format!(
            "100% on {} ({})",
            self.outcome.to_revision.as_deref().unwrap_or("?"),
            self.outcome.release.as_deref().unwrap_or("?")
        );
        self.finish(Status::Done, message)
    }

    fn gave_up(&mut self) -> Vec<ChangeEffect> {
        let failing = match &self.phase {
            ChangePhase::Verifying { failing, .. } => failing.join("; "),
            _ => String::new(),
        };
        let message = format!(
            "traffic is on {} but probes still fail: {failing}",
            self.outcome.to_revision.as_deref().unwrap_or("?")
        );
        self.finish(Status::Failed, message)
    }

    fn finish(&mut self, status: Status, message: String) -> Vec<ChangeEffect> {
        (self.outcome.status, self.outcome.message) = (status, message);
        self.phase = ChangePhase::Finished;
        vec![ChangeEffect::Finish]
    }
}

#[cfg(test)]
#[path = "change_run_tests.rs"]
mod tests;
