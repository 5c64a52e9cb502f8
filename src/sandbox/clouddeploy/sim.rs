//! The simulated Cloud Deploy: a delivery pipeline of targets, releases that render, and rollouts
//! whose phases and jobs advance over simulated time. Pure state; `routes` speaks HTTP over it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::model::{Job, JobState, Phase, PhaseState, Pipeline, Release, Rollout, RolloutState};
use crate::sandbox::cloudrun_sim::SimError;

/// Simulated seconds each step takes.
pub const RENDER_SECS: i64 = 10;
pub const CREATE_SECS: i64 = 2;
pub const DEPLOY_SECS: i64 = 30;
pub const VERIFY_SECS: i64 = 20;

pub fn err(http: u16, status: &'static str, message: impl Into<String>) -> SimError {
    SimError {
        http,
        status,
        message: message.into(),
    }
}

#[derive(Debug, Clone)]
pub struct OperationRecord {
    pub name: String,
    pub verb: &'static str,
    pub target: String,
    pub created: DateTime<Utc>,
    pub done_at: DateTime<Utc>,
}

/// Faults of the Cloud Deploy subset (`POST /_sandbox/clouddeploy/faults`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployFaults {
    /// The next N creates are applied, then answered 503 as if the answer were lost.
    pub lose_next_create_answers: u32,
    /// The next N deploy jobs to start fail (retryJob restarts them).
    pub fail_next_deploy_jobs: u32,
}

pub struct DeploySim {
    pub project: String,
    pub location: String,
    pub pipelines: BTreeMap<String, Pipeline>,
    /// Target id → requireApproval.
    pub targets: BTreeMap<String, bool>,
    pub releases: BTreeMap<String, Release>,
    pub rollouts: BTreeMap<String, Rollout>,
    pub operations: BTreeMap<String, OperationRecord>,
    /// requestId → the operation (or resource) name the first request produced.
    pub request_ids: BTreeMap<String, (String, std::time::Instant)>,
    pub faults: DeployFaults,
    next_op: u64,
}

impl DeploySim {
    /// The seeded pipeline: dev → staging → prod, prod with a canary (10, 50) and an approval.
    pub fn seeded(project: &str, location: &str) -> DeploySim {
        let mut sim = DeploySim {
            project: project.into(),
            location: location.into(),
            pipelines: BTreeMap::new(),
            targets: BTreeMap::new(),
            releases: BTreeMap::new(),
            rollouts: BTreeMap::new(),
            operations: BTreeMap::new(),
            request_ids: BTreeMap::new(),
            faults: DeployFaults::default(),
            next_op: 1,
        };
        for (target, approval) in [("dev", false), ("staging", false), ("prod", true)] {
            sim.targets.insert(target.into(), approval);
        }
        let name = format!("{}/deliveryPipelines/clarity", sim.parent());
        sim.pipelines.insert(
            name.clone(),
            Pipeline {
                name,
                stages: vec![
                    ("dev".into(), Vec::new()),
                    ("staging".into(), Vec::new()),
                    ("prod".into(), vec![10, 50]),
                ],
            },
        );
        sim
    }

    pub fn parent(&self) -> String {
        format!("projects/{}/locations/{}", self.project, self.location)
    }

    pub fn pipeline(&self, name: &str) -> Result<&Pipeline, SimError> {
        self.pipelines
            .get(name)
            .ok_or_else(|| err(404, "NOT_FOUND", format!("Resource '{name}' was not found")))
    }

    /// Checks a `requestId`: a repeat answers what the first request produced.
    pub fn seen_request(&mut self, request_id: Option<&str>) -> Result<Option<String>, SimError> {
        let Some(id) = request_id else {
            return Ok(None);
        };
        match uuid::Uuid::parse_str(id) {
            Ok(u) if !u.is_nil() => {}
            _ => {
                return Err(err(
                    400,
                    "INVALID_ARGUMENT",
                    format!("request_id {id:?} must be a valid non-zero UUID"),
                ));
            }
        }
        let horizon = std::time::Duration::from_secs(2 * 3600);
        self.request_ids.retain(|_, (_, at)| at.elapsed() < horizon);
        Ok(self.request_ids.get(id).map(|(name, _)| name.clone()))
    }

    pub fn remember_request(&mut self, request_id: Option<&str>, result: &str) {
        if let Some(id) = request_id {
            self.request_ids
                .insert(id.into(), (result.into(), std::time::Instant::now()));
        }
    }

    pub fn new_operation(
        &mut self,
        verb: &'static str,
        target: &str,
        now: DateTime<Utc>,
        secs: i64,
    ) -> String {
        let name = format!("{}/operations/operation-{:06}", self.parent(), self.next_op);
        self.next_op += 1;
        self.operations.insert(
            name.clone(),
            OperationRecord {
                name: name.clone(),
                verb,
                target: target.into(),
                created: now,
                done_at: now + Duration::seconds(secs),
            },
        );
        name
    }

    pub fn create_release(
        &mut self,
        pipeline: &str,
        release_id: &str,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<String, SimError> {
        let stages = self.pipeline(pipeline)?.stages.clone();
        valid_id("release_id", release_id)?;
        let name = format!("{pipeline}/releases/{release_id}");
        if self.releases.contains_key(&name) {
            return Err(err(
                409,
                "ALREADY_EXISTS",
                format!("Resource '{name}' already exists"),
            ));
        }
        self.releases.insert(
            name.clone(),
            Release {
                name: name.clone(),
                body: body.clone(),
                stages,
                created: now,
                rendered_at: now + Duration::seconds(RENDER_SECS),
                first_rollout_created: false,
            },
        );
        Ok(self.new_operation("create", &name, now, RENDER_SECS))
    }

    pub fn create_rollout(
        &mut self,
        release: &str,
        rollout_id: &str,
        target_id: &str,
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<String, SimError> {
        valid_id("rollout_id", rollout_id)?;
        let rel = self.releases.get(release).ok_or_else(|| {
            err(
                404,
                "NOT_FOUND",
                format!("Resource '{release}' was not found"),
            )
        })?;
        if now < rel.rendered_at {
            return Err(err(
                400,
                "FAILED_PRECONDITION",
                format!("release {release} is still rendering"),
            ));
        }
        let percentages = rel
            .stages
            .iter()
            .find(|(t, _)| t == target_id)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| {
                err(
                    400,
                    "INVALID_ARGUMENT",
                    format!("target {target_id:?} is not a stage of the release's pipeline"),
                )
            })?;
        let name = format!("{release}/rollouts/{rollout_id}");
        if self.rollouts.contains_key(&name) {
            return Err(err(
                409,
                "ALREADY_EXISTS",
                format!("Resource '{name}' already exists"),
            ));
        }
        let rollout = self.new_rollout(&name, target_id, &percentages, body, now, None);
        self.rollouts.insert(name.clone(), rollout);
        Ok(self.new_operation("create", &name, now, CREATE_SECS))
    }

    fn new_rollout(
        &mut self,
        name: &str,
        target_id: &str,
        percentages: &[u8],
        body: &serde_json::Value,
        now: DateTime<Utc>,
        rollback_of: Option<String>,
    ) -> Rollout {
        let approval = self.targets.get(target_id).copied().unwrap_or(false);
        let mut phases: Vec<Phase> = percentages
            .iter()
            .map(|p| Phase::new(&format!("canary-{p}")))
            .collect();
        phases.push(Phase::new("stable"));
        if rollback_of.is_some() {
            for phase in phases.iter_mut().filter(|p| p.id != "stable") {
                phase.state = PhaseState::Skipped;
            }
        }
        let starts_at = now + Duration::seconds(CREATE_SECS);
        let mut rollout = Rollout {
            name: name.into(),
            target_id: target_id.into(),
            body: body.clone(),
            state: RolloutState::Pending,
            needs_approval: approval,
            approved: None,
            created: now,
            approve_time: None,
            deploy_start: None,
            deploy_end: None,
            phases,
            waiting_advance: false,
            rollback_of,
            rolled_back_by: Vec::new(),
            failure_reason: None,
        };
        if approval {
            rollout.state = RolloutState::PendingApproval;
        } else {
            self.start_rollout(&mut rollout, starts_at);
        }
        rollout
    }

    fn start_rollout(&mut self, rollout: &mut Rollout, at: DateTime<Utc>) {
        rollout.state = RolloutState::InProgress;
        rollout.deploy_start = Some(at);
        if let Some(index) = rollout.next_pending_phase() {
            let fail = self.take_deploy_failure();
            rollout.phases[index].start(at, fail);
        }
    }

    fn take_deploy_failure(&mut self) -> bool {
        let fail = self.faults.fail_next_deploy_jobs > 0;
        if fail {
            self.faults.fail_next_deploy_jobs -= 1;
        }
        fail
    }

    /// Moves every release and rollout forward to `now`.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        let ready: Vec<(String, String, serde_json::Value)> = self
            .releases
            .values_mut()
            .filter(|r| !r.first_rollout_created && now >= r.rendered_at)
            .filter_map(|r| {
                r.first_rollout_created = true;
                let first = r.stages.first()?.0.clone();
                Some((r.name.clone(), first, r.body.clone()))
            })
            .collect();
        for (release, target, _) in ready {
            let id = format!("{}-to-{target}-0001", short(&release));
            let at = self.releases[&release].rendered_at;
            if let Ok(op) = self.create_rollout(&release, &id, &target, &serde_json::json!({}), at)
            {
                self.operations.remove(&op);
            }
        }
        let names: Vec<String> = self.rollouts.keys().cloned().collect();
        for name in names {
            let Some(mut rollout) = self.rollouts.remove(&name) else {
                continue;
            };
            self.step_rollout(&mut rollout, now);
            self.rollouts.insert(name, rollout);
        }
    }

    fn step_rollout(&mut self, rollout: &mut Rollout, now: DateTime<Utc>) {
        while rollout.state == RolloutState::InProgress && !rollout.waiting_advance {
            let Some(index) = rollout.running_phase() else {
                return;
            };
            let Some(finished) = rollout.phases[index].step(now) else {
                return;
            };
            match rollout.phases[index].state {
                PhaseState::Failed => {
                    rollout.state = RolloutState::Failed;
                    rollout.deploy_end = Some(finished);
                    rollout.failure_reason = Some(format!(
                        "phase {} failed: the deploy job failed (sandbox fault)",
                        rollout.phases[index].id
                    ));
                }
                _ => match rollout.next_pending_phase() {
                    None => {
                        rollout.state = RolloutState::Succeeded;
                        rollout.deploy_end = Some(finished);
                    }
                    // A canary phase done: the rollout waits to be advanced.
                    Some(_) => rollout.waiting_advance = true,
                },
            }
        }
    }

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

fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Resource ids: `^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`.
fn valid_id(field: &str, id: &str) -> Result<(), SimError> {
    let bytes = id.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(err(
            400,
            "INVALID_ARGUMENT",
            format!("{field} {id:?} must match ^[a-z]([a-z0-9-]{{0,61}}[a-z0-9])?$"),
        ))
    }
}

pub fn job_secs(job: &Job) -> i64 {
    if job.id == "verify" {
        VERIFY_SECS
    } else {
        DEPLOY_SECS
    }
}
