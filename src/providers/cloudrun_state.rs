//! A Cloud Run Service and its revisions, as a lane sees them: what runs, the traffic split,
//! the Ready condition, the revision list newest first.

use chrono::{DateTime, Utc};

use super::cloudrun_wire as wire;
use serde_json::Value;

use crate::model::lane::{
    EnvValue, EnvVar, Readiness, RevisionInfo, ServiceCondition, ServiceState, TemplateSpec,
    TrafficSlice, short_revision,
};

fn parse_time(t: &Option<String>) -> Option<DateTime<Utc>> {
    t.as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Turns the wire Service and its revisions into a lane's [`ServiceState`].
pub fn service_state(svc: &wire::Service, revisions: &[wire::Revision]) -> ServiceState {
    let short_service = svc.name.rsplit('/').next().unwrap_or(&svc.name).to_string();
    let infos: Vec<RevisionInfo> = {
        let mut infos: Vec<RevisionInfo> = revisions
            .iter()
            .map(|r| {
                let image = wire::ingress_image(&r.containers);
                let name = wire::last_segment(&r.name).to_string();
                RevisionInfo {
                    short: short_revision(&short_service, &name),
                    version: wire::version_of_image(&image),
                    ready: r.conditions.iter().any(|c| {
                        c.kind.as_deref() == Some("Ready")
                            && c.state.as_deref() == Some("CONDITION_SUCCEEDED")
                    }),
                    created: parse_time(&r.create_time),
                    image,
                    name,
                }
            })
            .collect();
        infos.sort_by(|a, b| b.created.cmp(&a.created).then(b.name.cmp(&a.name)));
        infos
    };
    let latest_ready = svc
        .latest_ready_revision
        .as_deref()
        .map(wire::last_segment)
        .unwrap_or_default();
    let mut traffic: Vec<TrafficSlice> = observed_traffic(svc)
        .into_iter()
        .filter(|(_, percent, _)| *percent > 0)
        .map(|(revision, percent, tag)| {
            let revision = revision.unwrap_or_else(|| latest_ready.to_string());
            let version = infos
                .iter()
                .find(|i| i.name == revision)
                .map_or_else(|| "?".to_string(), |i| i.version.clone());
            TrafficSlice {
                short: short_revision(&short_service, &revision),
                revision,
                version,
                percent: percent.clamp(0, 100) as u8,
                tag,
            }
        })
        .collect();
    traffic.sort_by(|a, b| b.percent.cmp(&a.percent).then(b.revision.cmp(&a.revision)));
    let terminal = svc.terminal_condition.clone().unwrap_or_default();
    let readiness = match terminal.state.as_deref() {
        Some("CONDITION_SUCCEEDED") => Readiness::Ready,
        Some("CONDITION_RECONCILING") => Readiness::Reconciling,
        Some("CONDITION_PENDING") => Readiness::Pending,
        Some("CONDITION_FAILED") => Readiness::Failed,
        _ if svc.reconciling => Readiness::Reconciling,
        _ => Readiness::Unknown,
    };
    ServiceState {
        name: svc.name.clone(),
        uri: svc.uri.clone(),
        image: svc
            .template
            .as_ref()
            .map(|t| wire::ingress_image(&t.containers))
            .unwrap_or_default(),
        generation: svc
            .generation
            .as_deref()
            .and_then(|g| g.parse().ok())
            .unwrap_or(0),
        observed_generation: svc
            .observed_generation
            .as_deref()
            .and_then(|g| g.parse().ok())
            .unwrap_or(0),
        reconciling: svc.reconciling,
        condition: ServiceCondition {
            readiness,
            message: terminal.message.clone(),
            reason: terminal.reason.clone(),
            warning: terminal.severity.as_deref() == Some("WARNING"),
        },
        traffic,
        latest_ready: svc
            .latest_ready_revision
            .as_deref()
            .map(|r| short_revision(&short_service, r)),
        latest_created: svc
            .latest_created_revision
            .as_deref()
            .map(|r| short_revision(&short_service, r)),
        revisions: infos,
        rollout: None,
        freezes: Vec::new(),
        template: svc.template.as_ref().map(template_spec),
    }
}

/// The settings of the template a lane comparison shows (the ingress container's image, env
/// and limits; scaling and concurrency). Everything else stays only in the wire type.
fn template_spec(template: &wire::RevisionTemplate) -> TemplateSpec {
    let ingress =
        wire::ingress_index(&template.containers).and_then(|i| template.containers.get(i));
    let field = |key: &str| ingress.and_then(|c| c.other.get(key));
    let env = field("env")
        .and_then(Value::as_array)
        .map(|vars| vars.iter().filter_map(env_var).collect())
        .unwrap_or_default();
    let limit = |name: &str| {
        field("resources")
            .and_then(|r| r.pointer(&format!("/limits/{name}")))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let scaling = |key: &str| {
        template
            .other
            .get("scaling")
            .and_then(|s| s.get(key))
            .and_then(int64)
    };
    TemplateSpec {
        image: ingress.map(|c| c.image.clone()).unwrap_or_default(),
        env,
        min_instances: scaling("minInstanceCount"),
        max_instances: scaling("maxInstanceCount"),
        concurrency: template
            .other
            .get("maxInstanceRequestConcurrency")
            .and_then(int64),
        cpu: limit("cpu"),
        memory: limit("memory"),
    }
}

/// `{"name", "value"}` or `{"name", "valueSource": {"secretKeyRef": {"secret", "version"}}}`.
fn env_var(value: &Value) -> Option<EnvVar> {
    let name = value.get("name")?.as_str()?.to_string();
    let value = match value.pointer("/valueSource/secretKeyRef") {
        Some(secret) => EnvValue::Secret {
            secret: text(secret.get("secret")),
            version: text(secret.get("version")),
        },
        None => EnvValue::Plain(text(value.get("value"))),
    };
    Some(EnvVar { name, value })
}

fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// An int32 or int64 of the protobuf JSON mapping: a number or a decimal string.
fn int64(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// What serves: `(short revision or None for the latest ready, percent, tag)`. Observed statuses
/// win; while they are absent the spec counts; no traffic at all means 100 % to the latest ready.
fn observed_traffic(svc: &wire::Service) -> Vec<(Option<String>, i32, Option<String>)> {
    let entries: Vec<_> = if svc.traffic_statuses.is_empty() {
        svc.traffic
            .iter()
            .map(|t| (t.kind.as_deref(), t.revision.as_deref(), t.percent, &t.tag))
            .collect()
    } else {
        svc.traffic_statuses
            .iter()
            .map(|t| (t.kind.as_deref(), t.revision.as_deref(), t.percent, &t.tag))
            .collect()
    };
    if entries.is_empty() {
        return vec![(None, 100, None)];
    }
    entries
        .into_iter()
        .map(|(kind, revision, percent, tag)| {
            let revision = (!wire::is_latest(kind, revision))
                .then(|| revision.map(|r| wire::last_segment(r).to_string()))
                .flatten();
            (revision, percent.unwrap_or(0), tag.clone())
        })
        .collect()
}

/// The URL of a traffic tag (`trafficStatuses[].uri`), which reaches that revision alone.
pub fn tag_uri(svc: &wire::Service, tag: &str) -> Option<String> {
    svc.traffic_statuses
        .iter()
        .find(|t| t.tag.as_deref() == Some(tag))
        .and_then(|t| t.uri.clone())
        .filter(|uri| !uri.is_empty())
}
