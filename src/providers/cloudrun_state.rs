//! A Cloud Run Service and its revisions, as a lane sees them: what runs, the traffic split,
//! the Ready condition, the revision list newest first.

use chrono::{DateTime, Utc};

use super::cloudrun_wire as wire;
use crate::model::lane::{
    Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice, short_revision,
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
                let image = r
                    .containers
                    .first()
                    .map(|c| c.image.clone())
                    .unwrap_or_default();
                let name = r.name.rsplit('/').next().unwrap_or(&r.name).to_string();
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
    let mut traffic: Vec<TrafficSlice> = svc
        .traffic_statuses
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(|t| {
            let revision = match (&t.revision, t.kind.as_deref()) {
                (Some(r), _) if !r.is_empty() => r.clone(),
                _ => svc.latest_ready_revision.clone().unwrap_or_default(),
            };
            let version = infos
                .iter()
                .find(|i| i.name == revision)
                .map_or_else(|| "?".to_string(), |i| i.version.clone());
            TrafficSlice {
                short: short_revision(&short_service, &revision),
                revision,
                version,
                percent: t.percent.unwrap_or(0).clamp(0, 100) as u8,
                tag: t.tag.clone(),
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
            .and_then(|t| t.containers.first())
            .map(|c| c.image.clone())
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
    }
}
