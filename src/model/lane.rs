//! A lane: one environment, what it runs, how traffic is split, and how old that knowledge is.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrafficSlice {
    pub revision: String,
    /// The revision name without the service prefix (`00012-abc`).
    pub short: String,
    pub version: String,
    pub percent: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    Ready,
    Reconciling,
    Pending,
    Failed,
    Unknown,
}

impl Readiness {
    pub fn word(self) -> &'static str {
        match self {
            Readiness::Ready => "Ready",
            Readiness::Reconciling => "Reconciling",
            Readiness::Pending => "Pending",
            Readiness::Failed => "Failed",
            Readiness::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCondition {
    pub readiness: Readiness,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub warning: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionInfo {
    pub name: String,
    pub short: String,
    pub version: String,
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    pub ready: bool,
}

/// What the provider reported for a lane's service at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceState {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The image the service template asks for (what is being or was last deployed).
    pub image: String,
    pub generation: i64,
    pub observed_generation: i64,
    pub reconciling: bool,
    pub condition: ServiceCondition,
    /// Observed traffic (`trafficStatuses`), largest share first.
    pub traffic: Vec<TrafficSlice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_ready: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_created: Option<String>,
    /// Newest first.
    pub revisions: Vec<RevisionInfo>,
    /// A Cloud Deploy target's newest rollout with its phases and jobs (other providers: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<DeployRollout>,
    /// The platform's own freezes on this lane (Cloud Deploy deploy policies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub freezes: Vec<PlatformFreeze>,
    /// What the service template asks for (Cloud Run only), for comparing lanes. Not in `--json`.
    #[serde(skip)]
    pub template: Option<TemplateSpec>,
}

/// A freeze the platform enforces (a Cloud Deploy deploy policy's rule), as a freeze window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformFreeze {
    /// The policy's full name (what `overrideDeployPolicy` names).
    pub policy: String,
    /// The actions it restricts (`CREATE`, `ADVANCE`…); empty: all.
    pub actions: Vec<String>,
    pub window: crate::config::policy::FreezeWindow,
}

impl PlatformFreeze {
    pub fn restricts(&self, action: &str) -> bool {
        self.actions.is_empty() || self.actions.iter().any(|a| a == action)
    }
}

/// The settings of a Cloud Run service template that matter when comparing two lanes: the
/// ingress container's image, environment and limits, and the revision's scaling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSpec {
    pub image: String,
    /// In the template's order.
    pub env: Vec<EnvVar>,
    pub min_instances: Option<i64>,
    pub max_instances: Option<i64>,
    /// `maxInstanceRequestConcurrency`.
    pub concurrency: Option<i64>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Plain(String),
    /// `valueSource.secretKeyRef`: only the secret's name and version are ever known here.
    Secret {
        secret: String,
        version: String,
    },
}

/// A platform rollout as the phases pane shows it (Cloud Deploy: `canary-10`, `stable`; jobs
/// `deploy`, `verify`); states are the API's words (`IN_PROGRESS`, `PENDING_APPROVAL`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployRollout {
    pub id: String,
    pub version: String,
    pub state: String,
    pub phases: Vec<DeployPhase>,
    /// The phase it waits to be advanced into, if it does.
    pub next_phase: Option<String>,
    /// Why it failed, as the platform says it (Cloud Deploy's `failureReason`), in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl DeployRollout {
    /// The phase to show first: the one in progress or waiting, else a failed one, else the
    /// first pending, else the last.
    pub fn current_phase(&self) -> Option<usize> {
        let find = |states: &[&str]| {
            self.phases
                .iter()
                .position(|p| states.contains(&p.state.as_str()))
        };
        find(&["IN_PROGRESS", "PENDING_APPROVAL"])
            .or_else(|| find(&["FAILED", "ABORTED"]))
            .or_else(|| find(&["PENDING"]))
            .or_else(|| self.phases.len().checked_sub(1))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployPhase {
    pub id: String,
    pub state: String,
    /// `(job id, state)` in the order they run.
    pub jobs: Vec<(String, String)>,
}

impl ServiceState {
    /// The slice serving the most traffic: what this lane "runs".
    pub fn primary(&self) -> Option<&TrafficSlice> {
        self.traffic.first()
    }

    pub fn version(&self) -> Option<&str> {
        self.primary().map(|slice| slice.version.as_str())
    }

    /// Done as Cloud Run defines it: not reconciling, generation observed, Ready succeeded.
    pub fn settled(&self) -> bool {
        !self.reconciling
            && self.observed_generation >= self.generation
            && self.condition.readiness == Readiness::Ready
    }

    /// `00007 90% · 00008 10%`.
    pub fn split_text(&self) -> String {
        split_text(&self.traffic)
    }
}

/// `00007 90% · 00008 10%`.
pub fn split_text(traffic: &[TrafficSlice]) -> String {
    traffic
        .iter()
        .map(|s| format!("{} {}%", s.short, s.percent))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// How fresh a lane's data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Never fetched yet.
    Unknown,
    Fresh,
    /// Older than two poll intervals, or the last fetch failed.
    Stale,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lane {
    pub env: String,
    pub service: Option<ServiceState>,
    /// When `service` was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The last fetch error, kept until a fetch succeeds.
    pub error: Option<String>,
    #[serde(skip)]
    pub in_flight: bool,
    #[serde(skip)]
    pub queued: bool,
    /// When this cockpit first saw the service reconciling (an operation in flight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciling_since: Option<DateTime<Utc>>,
}

impl Lane {
    pub fn new(env: impl Into<String>) -> Lane {
        Lane {
            env: env.into(),
            service: None,
            fetched_at: None,
            error: None,
            in_flight: false,
            queued: false,
            reconciling_since: None,
        }
    }

    /// Seconds since the data was fetched, if ever.
    pub fn age_secs(&self, now: DateTime<Utc>) -> Option<i64> {
        self.fetched_at.map(|t| (now - t).num_seconds().max(0))
    }

    /// Stale once the data is older than two poll intervals, to the millisecond (whole seconds
    /// made a lane turn stale up to a second late), or while the API answers errors.
    pub fn freshness(&self, now: DateTime<Utc>, poll_interval_secs: u64) -> Freshness {
        let Some(at) = self.fetched_at else {
            return Freshness::Unknown;
        };
        let limit_ms = i64::try_from(poll_interval_secs.saturating_mul(2000)).unwrap_or(i64::MAX);
        if self.error.is_some() || (now - at).num_milliseconds() > limit_ms {
            Freshness::Stale
        } else {
            Freshness::Fresh
        }
    }
}

/// `clarity-backend-prod-00007-abc` → `00007-abc` for display.
pub fn short_revision(service_short: &str, revision: &str) -> String {
    let name = revision.rsplit('/').next().unwrap_or(revision);
    name.strip_prefix(service_short)
        .and_then(|rest| rest.strip_prefix('-'))
        .unwrap_or(name)
        .to_string()
}

/// The image tag (`…/app:1.4.2` → `1.4.2`; digests are cut to 12 hex digits).
pub fn version_of_image(image: &str) -> String {
    if let Some((_, digest)) = image.split_once("@sha256:") {
        return format!("sha256:{}", &digest[..digest.len().min(12)]);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}
