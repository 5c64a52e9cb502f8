//! What a client does to a rollout of the simulated Cloud Deploy: approve or reject, advance,
//! cancel, retry a job, and roll a target back.

use chrono::{DateTime, Utc};

use super::ids::{err, valid_id};
use super::model::{JobState, PhaseState, Rollout, RolloutState};
use super::sim::DeploySim;
use crate::sandbox::cloudrun_sim::SimError;

impl DeploySim {
    pub fn rollout_mut(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<&mut Rollout, SimError> {
        self.advance(now);
        self.rollouts
            .get_mut(name)
            .ok_or_else(|| err(404, "NOT_FOUND", format!("Resource '{name}' was not found")))
    }

    pub fn approve(
        &mut self,
        name: &str,
        approved: bool,
        now: DateTime<Utc>,
    ) -> Result<(), SimError> {
        let rollout = self.rollout_mut(name, now)?;
        if rollout.state != RolloutState::PendingApproval {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!(
                    "rollout {name} is not pending approval (state {})",
                    rollout.state.wire()
                ),
            ));
        }
        let mut rollout = rollout.clone();
        rollout.approve_time = Some(now);
        rollout.approved = Some(approved);
        if approved {
            self.start_rollout(&mut rollout, now);
        } else {
            rollout.state = RolloutState::ApprovalRejected;
            rollout.abort_pending();
        }
        self.rollouts.insert(name.into(), rollout);
        Ok(())
    }

    pub fn advance_rollout(
        &mut self,
        name: &str,
        phase_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SimError> {
        let rollout = self.rollout_mut(name, now)?.clone();
        let next = rollout.next_pending_phase();
        let wanted = rollout.phases.iter().position(|p| p.id == phase_id);
        if wanted.is_none() {
            return Err(err(
                400,
                "INVALID_ARGUMENT",
                format!("rollout {name} has no phase {phase_id:?}"),
            ));
        }
        if rollout.state != RolloutState::InProgress || !rollout.waiting_advance || next != wanted {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!(
                    "cannot advance rollout {name} to phase {phase_id:?}: it is {} and not waiting for that phase",
                    rollout.state.wire()
                ),
            ));
        }
        let mut rollout = rollout;
        rollout.waiting_advance = false;
        if let Some(index) = wanted {
            let fail = self.take_deploy_failure();
            rollout.phases[index].start(now, fail);
        }
        self.rollouts.insert(name.into(), rollout);
        Ok(())
    }

    pub fn cancel(&mut self, name: &str, now: DateTime<Utc>) -> Result<(), SimError> {
        let rollout = self.rollout_mut(name, now)?;
        if !matches!(
            rollout.state,
            RolloutState::InProgress | RolloutState::PendingApproval | RolloutState::Pending
        ) {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!(
                    "rollout {name} cannot be cancelled in state {}",
                    rollout.state.wire()
                ),
            ));
        }
        rollout.state = RolloutState::Cancelled;
        rollout.deploy_end = Some(now);
        rollout.abort_pending();
        Ok(())
    }

    pub fn retry_job(
        &mut self,
        name: &str,
        phase_id: &str,
        job_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SimError> {
        let rollout = self.rollout_mut(name, now)?;
        let phase = rollout
            .phases
            .iter_mut()
            .find(|p| p.id == phase_id)
            .ok_or_else(|| err(400, "INVALID_ARGUMENT", format!("no phase {phase_id:?}")))?;
        let job = phase
            .jobs
            .iter_mut()
            .find(|j| j.id == job_id)
            .ok_or_else(|| {
                err(
                    400,
                    "INVALID_ARGUMENT",
                    format!("no job {job_id:?} in phase {phase_id:?}"),
                )
            })?;
        if job.state != JobState::Failed {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!("job {job_id} of phase {phase_id} has not failed"),
            ));
        }
        job.state = JobState::InProgress;
        job.started = Some(now);
        job.fail = false;
        phase.state = PhaseState::InProgress;
        rollout.state = RolloutState::InProgress;
        rollout.deploy_end = None;
        rollout.failure_reason = None;
        Ok(())
    }

    /// `rollbackTarget`: a new rollout of an earlier release on `target_id`, starting at `stable`.
    pub fn rollback_target(
        &mut self,
        pipeline: &str,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(Rollout, bool), SimError> {
        self.pipeline(pipeline)?;
        self.advance(now);
        let field = |k: &str| {
            body.get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        let target = field("targetId")
            .ok_or_else(|| err(400, "INVALID_ARGUMENT", "target_id is required"))?;
        let rollout_id = field("rolloutId")
            .ok_or_else(|| err(400, "INVALID_ARGUMENT", "rollout_id is required"))?;
        valid_id("rollout_id", rollout_id)?;
        let validate_only = body
            .get("validateOnly")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let on_target =
            |r: &&Rollout| r.target_id == target && r.name.starts_with(&format!("{pipeline}/"));
        let mut succeeded: Vec<&Rollout> = self
            .rollouts
            .values()
            .filter(on_target)
            .filter(|r| r.state == RolloutState::Succeeded)
            .collect();
        succeeded.sort_by_key(|r| r.deploy_end);
        let current = succeeded.last().copied().ok_or_else(|| {
            err(
                400,
                "FAILED_PRECONDITION",
                format!("target {target} has no successful rollout to roll back"),
            )
        })?;
        if let Some(asked) = field("rolloutToRollBack")
            && asked != current.name
        {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!("{asked} is not the latest successful rollout on {target}"),
            ));
        }
        let current_release = current.release();
        let release = match field("releaseId") {
            Some(id) => format!("{pipeline}/releases/{id}"),
            None => succeeded
                .iter()
                .rev()
                .map(|r| r.release())
                .find(|r| *r != current_release)
                .ok_or_else(|| {
                    err(
                        400,
                        "FAILED_PRECONDITION",
                        format!("no earlier successful release on target {target}"),
                    )
                })?,
        };
        if !self.releases.contains_key(&release) {
            return Err(err(
                404,
                "NOT_FOUND",
                format!("Resource '{release}' was not found"),
            ));
        }
        let name = format!("{release}/rollouts/{rollout_id}");
        if self.rollouts.contains_key(&name) {
            return Err(err(
                409,
                "ALREADY_EXISTS",
                format!("Resource '{name}' already exists"),
            ));
        }
        let current_name = current.name.clone();
        let percentages = self.releases[&release]
            .stages
            .iter()
            .find(|(t, _)| t == target)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        let inner = body
            .pointer("/rollbackConfig/rollout")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        let rollout = self.new_rollout(
            &name,
            target,
            &percentages,
            &inner,
            now,
            Some(current_name.clone()),
        );
        if !validate_only {
            self.rollouts.insert(name.clone(), rollout.clone());
            if let Some(old) = self.rollouts.get_mut(&current_name) {
                old.rolled_back_by.push(name);
            }
        }
        Ok((rollout, validate_only))
    }
}
