//! The simulated Cloud Deploy: a delivery pipeline of targets, releases that render, and rollouts
//! whose phases and jobs advance over simulated time. Pure state; `routes` speaks HTTP over it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::ids::{err, valid_id};
use super::model::{Phase, PhaseState, Pipeline, Release, Rollout, RolloutState};
use crate::sandbox::cloudrun_sim::SimError;

/// Simulated seconds each step takes.
pub const RENDER_SECS: i64 = 10;
pub const CREATE_SECS: i64 = 2;

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
    /// Name → deploy policy ([`super::deploy_policy`]).
    pub policies: BTreeMap<String, super::deploy_policy::DeployPolicy>,
    /// The `details` of the last policy violation, taken by the reply that reports it.
    pub violation: Option<serde_json::Value>,
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
            policies: BTreeMap::new(),
            violation: None,
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

    pub(super) fn new_rollout(
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

    pub(super) fn start_rollout(&mut self, rollout: &mut Rollout, at: DateTime<Utc>) {
        rollout.state = RolloutState::InProgress;
        rollout.deploy_start = Some(at);
        if let Some(index) = rollout.next_pending_phase() {
            let fail = self.take_deploy_failure();
            rollout.phases[index].start(at, fail);
        }
    }

    pub(super) fn take_deploy_failure(&mut self) -> bool {
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
}

fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}
