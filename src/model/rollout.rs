//! A rollout into one environment as a pure state machine: deploy the new revision (pinned to no
//! traffic when there are canary steps), shift traffic step by step with a bake between steps and a
//! final verification bake at 100 %, pause / resume / advance-now / abort, and the auto-rollback
//! guard. No I/O and no clock reads: time arrives as arguments.
//!
//! Driving it (the CLI driver in `commands::driver` and the TUI do the same):
//! 1. `Rollout::new(…)`, then send [`Rollout::start`]'s action.
//! 2. When an operation finishes: [`Rollout::on_op_done`] (with the new revision's name after the
//!    deploy) or [`Rollout::on_op_failed`]; send the action it returns, if any.
//! 3. On every timer tick: [`Rollout::on_tick`]; on every probe of the new revision:
//!    [`Rollout::on_probe_result`].
//! 4. User keys: [`Rollout::pause`], [`Rollout::resume`], [`Rollout::advance`], [`Rollout::abort`].

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Phase {
    /// The new revision is being created (with no traffic when canary steps follow).
    Deploying,
    /// Traffic is moving to `steps[step]` % on the new revision.
    Shifting {
        step: usize,
    },
    /// Watching the current split until `until`.
    Baking {
        until: DateTime<Utc>,
    },
    Paused {
        remaining_secs: i64,
    },
    /// Traffic is going back 100 % to the previous revision.
    RollingBack {
        reason: String,
    },
    Done,
    Aborted {
        reason: String,
    },
    Failed {
        reason: String,
    },
}

/// What the driver must send next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum NextAction {
    /// Set the image; `pin_to` keeps 100 % of traffic on that revision (no traffic for the new
    /// one); `None` sends all traffic to the new revision once ready.
    Deploy {
        image: String,
        pin_to: Option<String>,
    },
    /// Set the traffic split, `(revision, percent)`, summing to 100.
    SetTraffic { split: Vec<(String, u8)> },
    /// 100 % back to the previous revision.
    RollBack { to: String },
}

/// The guard fired: the rollout is now rolling back; send `action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoRollback {
    pub reason: String,
    pub action: NextAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    pub request_id: String,
    pub env: String,
    /// The revision that served before (the rollback target).
    pub from_revision: String,
    /// Known once the deploy is done.
    pub to_revision: Option<String>,
    pub image: String,
    /// Canary percentages for the new revision, ending at 100; empty = straight to 100 %.
    pub steps: Vec<u8>,
    /// The step being shifted to or baked at.
    pub step_index: usize,
    pub bake_secs: i64,
    pub phase: Phase,
    /// Consecutive failing probes of the new revision that trigger a rollback.
    pub auto_rollback_after: Option<u32>,
    pub consecutive_failures: u32,
    /// A pause asked for while an operation was in flight takes effect when it is done.
    pub pause_requested: bool,
    pub started: DateTime<Utc>,
}

impl Rollout {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        request_id: impl Into<String>,
        env: impl Into<String>,
        from_revision: impl Into<String>,
        image: impl Into<String>,
        steps: Vec<u8>,
        bake_secs: u64,
        auto_rollback_after: Option<u32>,
        now: DateTime<Utc>,
    ) -> Rollout {
        Rollout {
            request_id: request_id.into(),
            env: env.into(),
            from_revision: from_revision.into(),
            to_revision: None,
            image: image.into(),
            steps,
            step_index: 0,
            bake_secs: i64::try_from(bake_secs).unwrap_or(i64::MAX / 4),
            phase: Phase::Deploying,
            auto_rollback_after: auto_rollback_after.filter(|n| *n > 0),
            consecutive_failures: 0,
            pause_requested: false,
            started: now,
        }
    }

    pub fn is_canary(&self) -> bool {
        !self.steps.is_empty()
    }

    pub fn is_finished(&self) -> bool {
        matches!(
            self.phase,
            Phase::Done | Phase::Aborted { .. } | Phase::Failed { .. }
        )
    }

    /// The percent of traffic the new revision has (or is getting) now.
    pub fn current_percent(&self) -> u8 {
        match self.phase {
            Phase::Deploying => 0,
            Phase::Done => 100,
            _ => self.steps.get(self.step_index).copied().unwrap_or(100),
        }
    }

    /// The action a driver that takes over must (re-)send: the one whose answer the phase awaits.
    /// Re-sending is safe: `commands::wire` re-reads the service and skips a change already applied.
    pub fn action_in_flight(&self) -> Option<NextAction> {
        match &self.phase {
            Phase::Deploying => Some(self.start()),
            Phase::Shifting { step } => self.clone().shift(*step),
            Phase::RollingBack { .. } => Some(NextAction::RollBack {
                to: self.from_revision.clone(),
            }),
            _ => None,
        }
    }

    /// The first action: deploy the image.
    pub fn start(&self) -> NextAction {
        NextAction::Deploy {
            image: self.image.clone(),
            pin_to: self.is_canary().then(|| self.from_revision.clone()),
        }
    }

    fn shift(&mut self, step: usize) -> Option<NextAction> {
        let to = self.to_revision.clone()?;
        self.step_index = step;
        self.phase = Phase::Shifting { step };
        let percent = self.steps.get(step).copied().unwrap_or(100).min(100);
        let mut split = vec![(to, percent)];
        if percent < 100 {
            split.push((self.from_revision.clone(), 100 - percent));
        }
        Some(NextAction::SetTraffic { split })
    }

    fn bake(&mut self, now: DateTime<Utc>) {
        self.phase = if self.pause_requested {
            self.pause_requested = false;
            Phase::Paused {
                remaining_secs: self.bake_secs,
            }
        } else {
            Phase::Baking {
                until: now + Duration::seconds(self.bake_secs),
            }
        };
    }

    /// The operation of the last action is done. After a deploy, `new_revision` names the revision.
    pub fn on_op_done(
        &mut self,
        now: DateTime<Utc>,
        new_revision: Option<&str>,
    ) -> Option<NextAction> {
        match self.phase.clone() {
            Phase::Deploying => {
                let Some(revision) = new_revision.filter(|r| !r.is_empty()) else {
                    self.phase = Phase::Failed {
                        reason: "the deploy finished but no new revision was found".into(),
                    };
                    return None;
                };
                self.to_revision = Some(revision.to_string());
                if self.is_canary() {
                    self.shift(0)
                } else {
                    self.phase = Phase::Done;
                    None
                }
            }
            // Every step bakes, the last one too: the verification bake at 100 % (seed 002, step 5).
            Phase::Shifting { .. } => {
                self.bake(now);
                None
            }
            Phase::RollingBack { reason } => {
                self.phase = Phase::Aborted { reason };
                None
            }
            _ => None,
        }
    }

    /// The operation of the last action failed. A failed shift rolls back; a failed rollback fails.
    pub fn on_op_failed(&mut self, reason: &str) -> Option<NextAction> {
        match self.phase.clone() {
            Phase::Shifting { .. } => {
                Some(self.roll_back(format!("traffic shift failed: {reason}")))
            }
            Phase::RollingBack { reason: why } => {
                self.phase = Phase::Failed {
                    reason: format!("{why}; then the rollback failed: {reason}"),
                };
                None
            }
            Phase::Deploying => {
                self.phase = Phase::Failed {
                    reason: format!("deploy failed: {reason}"),
                };
                None
            }
            _ => None,
        }
    }

    /// A timer tick: the bake ends → the next step, or done after the last.
    pub fn on_tick(&mut self, now: DateTime<Utc>) -> Option<NextAction> {
        match self.phase {
            Phase::Baking { until } if now >= until => self.next_step(),
            _ => None,
        }
    }

    fn next_step(&mut self) -> Option<NextAction> {
        let next = self.step_index + 1;
        if next >= self.steps.len() {
            self.phase = Phase::Done;
            return None;
        }
        self.shift(next)
    }

    /// Stop the bake clock; while an operation is in flight, pause when it is done.
    pub fn pause(&mut self, now: DateTime<Utc>) {
        match self.phase {
            Phase::Baking { until } => {
                self.phase = Phase::Paused {
                    remaining_secs: (until - now).num_seconds().max(0),
                }
            }
            Phase::Deploying | Phase::Shifting { .. } => self.pause_requested = true,
            _ => {}
        }
    }

    pub fn resume(&mut self, now: DateTime<Utc>) {
        self.pause_requested = false;
        if let Phase::Paused { remaining_secs } = self.phase {
            self.phase = Phase::Baking {
                until: now + Duration::seconds(remaining_secs),
            };
        }
    }

    /// Skip the rest of the bake: the next step now.
    pub fn advance(&mut self) -> Option<NextAction> {
        match self.phase {
            Phase::Baking { .. } | Phase::Paused { .. } => self.next_step(),
            _ => None,
        }
    }

    fn roll_back(&mut self, reason: String) -> NextAction {
        self.phase = Phase::RollingBack { reason };
        self.pause_requested = false;
        NextAction::RollBack {
            to: self.from_revision.clone(),
        }
    }

    /// Abort: traffic 100 % back to the previous revision (also after Done: a manual rollback).
    pub fn abort(&mut self, reason: impl Into<String>) -> Option<NextAction> {
        match self.phase {
            Phase::Aborted { .. } | Phase::Failed { .. } | Phase::RollingBack { .. } => None,
            _ => Some(self.roll_back(reason.into())),
        }
    }

    /// One probe result of the new revision during the canary. N failures in a row roll back.
    pub fn on_probe_result(&mut self, pass: bool) -> Option<AutoRollback> {
        let watching = matches!(
            self.phase,
            Phase::Shifting { .. } | Phase::Baking { .. } | Phase::Paused { .. }
        );
        if !watching {
            return None;
        }
        if pass {
            self.consecutive_failures = 0;
            return None;
        }
        self.consecutive_failures += 1;
        let limit = self.auto_rollback_after?;
        if self.consecutive_failures < limit {
            return None;
        }
        let reason = format!(
            "auto-rollback: {} consecutive failing probes of {} at {}% traffic",
            self.consecutive_failures,
            self.to_revision.as_deref().unwrap_or("the new revision"),
            self.current_percent()
        );
        let action = self.roll_back(reason.clone());
        Some(AutoRollback { reason, action })
    }
}
