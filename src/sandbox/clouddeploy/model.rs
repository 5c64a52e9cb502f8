//! The simulated Cloud Deploy resources and their JSON in the API's shapes (camelCase, enum names).

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::sandbox::cloudrun_sim::rfc3339;

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub name: String,
    /// Target id and canary percentages (empty: the standard strategy).
    pub stages: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub body: Value,
    /// The pipeline's stages when the release was created (`deliveryPipelineSnapshot`).
    pub stages: Vec<(String, Vec<u8>)>,
    pub created: DateTime<Utc>,
    pub rendered_at: DateTime<Utc>,
    pub first_rollout_created: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutState {
    Pending,
    PendingApproval,
    ApprovalRejected,
    InProgress,
    Succeeded,
    Failed,
    Cancelled,
}

impl RolloutState {
    pub fn wire(self) -> &'static str {
        match self {
            RolloutState::Pending => "PENDING",
            RolloutState::PendingApproval => "PENDING_APPROVAL",
            RolloutState::ApprovalRejected => "APPROVAL_REJECTED",
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Succeeded => "SUCCEEDED",
            RolloutState::Failed => "FAILED",
            RolloutState::Cancelled => "CANCELLED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseState {
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Aborted,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Aborted,
}

fn phase_wire(s: PhaseState) -> &'static str {
    match s {
        PhaseState::Pending => "PENDING",
        PhaseState::InProgress => "IN_PROGRESS",
        PhaseState::Succeeded => "SUCCEEDED",
        PhaseState::Failed => "FAILED",
        PhaseState::Aborted => "ABORTED",
        PhaseState::Skipped => "SKIPPED",
    }
}

fn job_wire(s: JobState) -> &'static str {
    match s {
        JobState::Pending => "PENDING",
        JobState::InProgress => "IN_PROGRESS",
        JobState::Succeeded => "SUCCEEDED",
        JobState::Failed => "FAILED",
        JobState::Aborted => "ABORTED",
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    pub started: Option<DateTime<Utc>>,
    /// This run of the job fails when it ends (a sandbox fault).
    pub fail: bool,
}

#[derive(Debug, Clone)]
pub struct Phase {
    pub id: String,
    pub state: PhaseState,
    pub jobs: Vec<Job>,
}

impl Phase {
    pub fn new(id: &str) -> Phase {
        let job = |id: &str| Job {
            id: id.into(),
            state: JobState::Pending,
            started: None,
            fail: false,
        };
        Phase {
            id: id.into(),
            state: PhaseState::Pending,
            jobs: vec![job("deploy"), job("verify")],
        }
    }

    pub fn start(&mut self, at: DateTime<Utc>, fail_deploy: bool) {
        self.state = PhaseState::InProgress;
        if let Some(first) = self.jobs.first_mut() {
            first.state = JobState::InProgress;
            first.started = Some(at);
            first.fail = fail_deploy;
        }
    }

    /// Finishes what is due by `now`; returns when the phase ended, if it did.
    pub fn step(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        loop {
            let index = self
                .jobs
                .iter()
                .position(|j| j.state == JobState::InProgress)?;
            let started = self.jobs[index].started?;
            let ends = started + Duration::seconds(job_secs(&self.jobs[index]));
            if now < ends {
                return None;
            }
            if self.jobs[index].fail {
                self.jobs[index].state = JobState::Failed;
                self.state = PhaseState::Failed;
                return Some(ends);
            }
            self.jobs[index].state = JobState::Succeeded;
            match self.jobs.get_mut(index + 1) {
                Some(next) => {
                    next.state = JobState::InProgress;
                    next.started = Some(ends);
                }
                None => {
                    self.state = PhaseState::Succeeded;
                    return Some(ends);
                }
            }
        }
    }

    fn json(&self) -> Value {
        let mut jobs = serde_json::Map::new();
        for j in &self.jobs {
            let kind = format!("{}Job", j.id);
            let mut job = json!({"id": j.id, "state": job_wire(j.state)});
            if let Some(map) = job.as_object_mut() {
                map.insert(kind.clone(), json!({}));
            }
            jobs.insert(kind, job);
        }
        json!({"id": self.id, "state": phase_wire(self.state), "deploymentJobs": jobs})
    }
}

#[derive(Debug, Clone)]
pub struct Rollout {
    pub name: String,
    pub target_id: String,
    pub body: Value,
    pub state: RolloutState,
    pub needs_approval: bool,
    pub approved: Option<bool>,
    pub created: DateTime<Utc>,
    pub approve_time: Option<DateTime<Utc>>,
    pub deploy_start: Option<DateTime<Utc>>,
    pub deploy_end: Option<DateTime<Utc>>,
    pub phases: Vec<Phase>,
    /// A canary phase finished; the next starts on `advance`.
    pub waiting_advance: bool,
    pub rollback_of: Option<String>,
    pub rolled_back_by: Vec<String>,
    pub failure_reason: Option<String>,
}

impl Rollout {
    pub fn release(&self) -> String {
        self.name
            .rsplit_once("/rollouts/")
            .map_or_else(String::new, |(r, _)| r.to_string())
    }

    pub fn running_phase(&self) -> Option<usize> {
        self.phases
            .iter()
            .position(|p| p.state == PhaseState::InProgress)
    }

    pub fn next_pending_phase(&self) -> Option<usize> {
        self.phases
            .iter()
            .position(|p| p.state == PhaseState::Pending)
    }

    pub fn abort_pending(&mut self) {
        self.waiting_advance = false;
        for phase in &mut self.phases {
            if matches!(phase.state, PhaseState::Pending | PhaseState::InProgress) {
                phase.state = PhaseState::Aborted;
                for job in &mut phase.jobs {
                    if matches!(job.state, JobState::Pending | JobState::InProgress) {
                        job.state = JobState::Aborted;
                    }
                }
            }
        }
    }

    pub fn json(&self, now: DateTime<Utc>) -> Value {
        let approval = match (self.needs_approval, self.approved) {
            (false, _) => "DOES_NOT_NEED_APPROVAL",
            (true, None) => "NEEDS_APPROVAL",
            (true, Some(true)) => "APPROVED",
            (true, Some(false)) => "REJECTED",
        };
        let mut out = json!({
            "name": self.name,
            "uid": format!("{:x}", sha_short(&self.name)),
            "targetId": self.target_id,
            "createTime": rfc3339(self.created),
            "enqueueTime": rfc3339(self.created),
            "approvalState": approval,
            "state": self.state.wire(),
            "phases": self.phases.iter().map(Phase::json).collect::<Vec<_>>(),
            "etag": format!("\"{}\"", now.timestamp_millis()),
        });
        let map = out.as_object_mut();
        let Some(map) = map else { return out };
        for key in ["description", "labels", "annotations"] {
            if let Some(v) = self.body.get(key) {
                map.insert(key.into(), v.clone());
            }
        }
        let times = [
            ("approveTime", self.approve_time),
            ("deployStartTime", self.deploy_start),
            ("deployEndTime", self.deploy_end),
        ];
        for (key, t) in times {
            if let Some(t) = t {
                map.insert(key.into(), Value::String(rfc3339(t)));
            }
        }
        if let Some(of) = &self.rollback_of {
            map.insert("rollbackOfRollout".into(), Value::String(of.clone()));
        }
        if !self.rolled_back_by.is_empty() {
            map.insert("rolledBackByRollouts".into(), json!(self.rolled_back_by));
        }
        if let Some(reason) = &self.failure_reason {
            map.insert("failureReason".into(), Value::String(reason.clone()));
            map.insert("deployFailureCause".into(), json!("EXECUTION_FAILED"));
        }
        out
    }
}

pub(super) fn sha_short(name: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    digest[..8]
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

impl Pipeline {
    pub fn json(&self, targets: &std::collections::BTreeMap<String, bool>) -> Value {
        let _ = targets;
        let stages: Vec<Value> = self.stages.iter().map(stage_json).collect();
        json!({
            "name": self.name,
            "uid": format!("{:x}", sha_short(&self.name)),
            "serialPipeline": {"stages": stages},
            "condition": {"pipelineReadyCondition": {"status": true}},
            "suspended": false,
        })
    }
}

fn stage_json((target, percentages): &(String, Vec<u8>)) -> Value {
    let strategy = if percentages.is_empty() {
        json!({"standard": {"verify": true}})
    } else {
        json!({"canary": {"canaryDeployment": {"percentages": percentages, "verify": true}}})
    };
    json!({"targetId": target, "profiles": [], "strategy": strategy})
}

impl Release {
    pub fn json(&self, now: DateTime<Utc>) -> Value {
        let rendered = now >= self.rendered_at;
        let state = if rendered { "SUCCEEDED" } else { "IN_PROGRESS" };
        let renders: serde_json::Map<String, Value> = self
            .stages
            .iter()
            .map(|(t, _)| (t.clone(), json!({"renderingState": state})))
            .collect();
        let pipeline = self.name.rsplit_once("/releases/").map_or("", |(p, _)| p);
        let mut out = json!({
            "name": self.name,
            "uid": format!("{:x}", sha_short(&self.name)),
            "createTime": rfc3339(self.created),
            "renderStartTime": rfc3339(self.created),
            "renderState": state,
            "targetRenders": renders,
            "abandoned": false,
            "deliveryPipelineSnapshot": {
                "name": pipeline,
                "serialPipeline": {"stages": self.stages.iter().map(stage_json).collect::<Vec<_>>()},
            },
            "condition": {"releaseReadyCondition": {"status": rendered}},
        });
        if let Some(map) = out.as_object_mut() {
            if rendered {
                map.insert("renderEndTime".into(), json!(rfc3339(self.rendered_at)));
            }
            for key in [
                "description",
                "labels",
                "annotations",
                "buildArtifacts",
                "skaffoldConfigUri",
                "skaffoldConfigPath",
                "deployParameters",
            ] {
                if let Some(v) = self.body.get(key) {
                    map.insert(key.into(), v.clone());
                }
            }
        }
        out
    }
}

pub const DEPLOY_SECS: i64 = 30;
pub const VERIFY_SECS: i64 = 20;

/// How long a job of a phase runs, simulated.
pub fn job_secs(job: &Job) -> i64 {
    if job.id == "verify" {
        VERIFY_SECS
    } else {
        DEPLOY_SECS
    }
}
