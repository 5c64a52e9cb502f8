//! Cloud Run Admin API v2 wire types (`specs/run-v2.discovery.json`), camelCase, int64 as strings.
//!
//! Unknown fields are kept in `other` so that GET → modify → PATCH sends back the whole Service.
//! Reading follows the protobuf JSON mapping: int64 as a string or a number, enums as names or
//! numbers (what `$alt=json;enum-encoding=int` answers); we always write names and strings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::cloudrun_enums::{de_condition_state, de_int, de_int64, de_severity, de_traffic_type};
pub use crate::model::lane::version_of_image;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_int64",
        skip_serializing_if = "Option::is_none"
    )]
    pub generation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<RevisionTemplate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traffic: Vec<TrafficTarget>,
    #[serde(
        default,
        deserialize_with = "de_int64",
        skip_serializing_if = "Option::is_none"
    )]
    pub observed_generation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_ready_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_created_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traffic_statuses: Vec<TrafficTargetStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reconciling: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<Container>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub image: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

pub const TRAFFIC_REVISION: &str = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";
pub const TRAFFIC_LATEST: &str = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficTarget {
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de_traffic_type",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub percent: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl TrafficTarget {
    pub fn to_revision(revision: &str, percent: i32) -> TrafficTarget {
        TrafficTarget {
            kind: Some(TRAFFIC_REVISION.into()),
            revision: Some(revision.into()),
            percent: Some(percent),
            tag: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficTargetStatus {
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de_traffic_type",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub percent: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_condition_state",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_severity",
        skip_serializing_if = "Option::is_none"
    )]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_reason: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_int64",
        skip_serializing_if = "Option::is_none"
    )]
    pub generation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(
        default,
        deserialize_with = "de_int64",
        skip_serializing_if = "Option::is_none"
    )]
    pub observed_generation: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reconciling: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRevisionsResponse {
    #[serde(default)]
    pub revisions: Vec<Revision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListServicesResponse {
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RpcStatus>,
}

/// `google.rpc.Status`: `code` is the numeric google.rpc.Code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RpcStatus {
    #[serde(default)]
    pub code: i32,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Value>,
}

/// The HTTP error body: `{"error": {"code": 404, "message": "…", "status": "NOT_FOUND"}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: u16,
    pub message: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Value>,
}

/// `projects/P/locations/L/services/S/revisions/S-00002-abc` → `S-00002-abc`. Cloud Run gives
/// full names in some fields and short ones in others; compare revisions only by this.
pub fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The container that receives requests: the one declaring `ports` (Cloud Run allows exactly one
/// with sidecars), else the only container. Sidecars may come first.
pub fn ingress_index(containers: &[Container]) -> Option<usize> {
    containers
        .iter()
        .position(|c| {
            c.other
                .get("ports")
                .and_then(Value::as_array)
                .is_some_and(|ports| !ports.is_empty())
        })
        .or_else(|| (containers.len() == 1).then_some(0))
}

/// The ingress container's image (empty when there is none).
pub fn ingress_image(containers: &[Container]) -> String {
    ingress_index(containers)
        .and_then(|i| containers.get(i))
        .map(|c| c.image.clone())
        .unwrap_or_default()
}

/// Whether a traffic entry sends its share to the latest ready revision.
pub fn is_latest(kind: Option<&str>, revision: Option<&str>) -> bool {
    kind == Some(TRAFFIC_LATEST) || (kind.is_none() && revision.is_none_or(str::is_empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_tag_or_a_short_digest() {
        assert_eq!(version_of_image("us-docker.pkg.dev/p/r/app:1.4.2"), "1.4.2");
        assert_eq!(version_of_image("localhost:5000/app"), "latest");
        assert_eq!(
            version_of_image("gcr.io/p/app@sha256:0123456789abcdef0123"),
            "sha256:0123456789ab"
        );
    }

    #[test]
    fn unknown_service_fields_survive_a_round_trip() {
        let json = r#"{"name":"s","ingress":"INGRESS_TRAFFIC_ALL","generation":"3",
            "template":{"containers":[{"image":"a:1","ports":[{"containerPort":8080}]}],"timeout":"300s"}}"#;
        let service: Service = serde_json::from_str(json).unwrap();
        let back = serde_json::to_value(&service).unwrap();
        assert_eq!(back["ingress"], "INGRESS_TRAFFIC_ALL");
        assert_eq!(back["template"]["timeout"], "300s");
        assert_eq!(
            back["template"]["containers"][0]["ports"][0]["containerPort"],
            8080
        );
        assert_eq!(back["generation"], "3");
    }
}
