//! The change a command wants on a Cloud Run service, and how it is written into the Service:
//! the image into the ingress container (sidecars untouched), traffic pinned by short revision
//! names, traffic tags kept, the canary tagged so it can be probed alone. Revisions are compared
//! by the last segment of their names (Cloud Run mixes full and short names).

use super::CommandError;
use crate::providers::cloudrun_wire::{self as wire, TrafficTarget, last_segment};

/// The tag flightdeck puts on a canary revision; its URL reaches that revision alone.
pub const CANARY_TAG: &str = "canary";

/// The change a command wants to see on the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New image. `pin_to` keeps 100 % of traffic on that revision; `None` = 100 % to the latest.
    Image {
        image: String,
        pin_to: Option<String>,
    },
    /// Traffic split `(revision, percent)`.
    Traffic(Vec<(String, u8)>),
    /// A canary split: like `Traffic`, with `revision` tagged [`CANARY_TAG`].
    Canary {
        split: Vec<(String, u8)>,
        revision: String,
    },
}

/// A split that gives `canary` part (not all) of the traffic becomes a tagged canary split.
pub fn tag_canary(change: Change, canary: Option<&str>) -> Change {
    match (change, canary) {
        (Change::Traffic(split), Some(canary))
            if split.len() > 1
                && split
                    .iter()
                    .any(|(r, p)| last_segment(r) == last_segment(canary) && *p < 100) =>
        {
            Change::Canary {
                split,
                revision: last_segment(canary).to_string(),
            }
        }
        (change, _) => change,
    }
}

/// `(revision or "" for latest, percent, latest?, tag)` of the spec's serving entries, sorted.
fn serving_spec(svc: &wire::Service) -> Vec<(String, i32, bool)> {
    let mut spec: Vec<(String, i32, bool)> = svc
        .traffic
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(|t| {
            let latest = wire::is_latest(t.kind.as_deref(), t.revision.as_deref());
            let rev = if latest {
                String::new()
            } else {
                t.revision.as_deref().map(last_segment).unwrap_or("").into()
            };
            (rev, t.percent.unwrap_or(0), latest)
        })
        .collect();
    spec.sort();
    spec
}

fn wanted(split: &[(String, u8)]) -> Vec<(String, i32, bool)> {
    let mut want: Vec<(String, i32, bool)> = split
        .iter()
        .filter(|(_, p)| *p > 0)
        .map(|(r, p)| (last_segment(r).to_string(), i32::from(*p), false))
        .collect();
    want.sort();
    want
}

fn tag_of<'a>(svc: &'a wire::Service, revision: &str) -> Option<&'a str> {
    svc.traffic
        .iter()
        .filter(|t| t.revision.as_deref().map(last_segment) == Some(revision))
        .find_map(|t| t.tag.as_deref())
}

/// Whether `svc` (as read) already asks for `change`.
pub fn is_applied(svc: &wire::Service, change: &Change) -> bool {
    let spec = serving_spec(svc);
    match change {
        Change::Image { image, pin_to } => {
            let current = svc
                .template
                .as_ref()
                .map(|t| wire::ingress_image(&t.containers));
            let traffic_ok = match pin_to {
                Some(pin) => spec == vec![(last_segment(pin).to_string(), 100, false)],
                None => spec.is_empty() || spec == vec![(String::new(), 100, true)],
            };
            current.as_ref() == Some(image) && traffic_ok
        }
        Change::Traffic(split) => spec == wanted(split),
        Change::Canary { split, revision } => {
            spec == wanted(split) && tag_of(svc, revision) == Some(CANARY_TAG)
        }
    }
}

/// The full Service from GET with `change` applied, and the update mask to send.
pub fn modify(
    svc: &wire::Service,
    change: &Change,
) -> Result<(wire::Service, Option<&'static str>), CommandError> {
    let mut body = svc.clone();
    match change {
        Change::Image { image, pin_to } => {
            let template = body.template.as_mut();
            let Some((template, index)) =
                template.and_then(|t| wire::ingress_index(&t.containers).map(|i| (t, i)))
            else {
                return Err(CommandError::Failed(format!(
                    "{} has no ingress container (one with `ports`) in its template; \
                     cannot set the image",
                    svc.name
                )));
            };
            template.containers[index].image = image.clone();
            // A filled-in revision name would be reused, and Cloud Run refuses that with
            // 409 ALREADY_EXISTS: clear it so the new revision gets a fresh name.
            template.revision = None;
            let mut traffic = match pin_to {
                Some(pin) => vec![TrafficTarget::to_revision(last_segment(pin), 100)],
                None => vec![TrafficTarget {
                    kind: Some(wire::TRAFFIC_LATEST.into()),
                    percent: Some(100),
                    ..TrafficTarget::default()
                }],
            };
            keep_tags(svc, &mut traffic, None);
            body.traffic = traffic;
            Ok((body, None))
        }
        Change::Traffic(split) => {
            body.traffic = split_targets(split);
            keep_tags(svc, &mut body.traffic, None);
            Ok((body, Some("traffic")))
        }
        Change::Canary { split, revision } => {
            body.traffic = split_targets(split);
            keep_tags(svc, &mut body.traffic, Some(revision));
            Ok((body, Some("traffic")))
        }
    }
}

fn split_targets(split: &[(String, u8)]) -> Vec<TrafficTarget> {
    split
        .iter()
        .map(|(r, p)| TrafficTarget::to_revision(last_segment(r), i32::from(*p)))
        .collect()
}

/// Carries the service's traffic tags over to `traffic`: a tag stays on its revision (as a 0 %
/// entry when that revision gets no traffic). Our canary tag goes to `canary` only.
fn keep_tags(svc: &wire::Service, traffic: &mut Vec<TrafficTarget>, canary: Option<&str>) {
    for old in svc.traffic.iter().filter(|t| t.tag.is_some()) {
        if old.tag.as_deref() == Some(CANARY_TAG) {
            continue;
        }
        let latest = wire::is_latest(old.kind.as_deref(), old.revision.as_deref());
        let same = traffic.iter_mut().find(|t| {
            t.tag.is_none()
                && if latest {
                    t.kind.as_deref() == Some(wire::TRAFFIC_LATEST)
                } else {
                    t.revision.as_deref().map(last_segment)
                        == old.revision.as_deref().map(last_segment)
                }
        });
        match same {
            Some(entry) => entry.tag = old.tag.clone(),
            None => traffic.push(TrafficTarget {
                percent: None,
                ..old.clone()
            }),
        }
    }
    if let Some(canary) = canary {
        match traffic
            .iter_mut()
            .find(|t| t.revision.as_deref() == Some(canary) && t.tag.is_none())
        {
            Some(entry) => entry.tag = Some(CANARY_TAG.into()),
            None => traffic.push(TrafficTarget {
                tag: Some(CANARY_TAG.into()),
                ..TrafficTarget::to_revision(canary, 0)
            }),
        }
    }
}

pub fn describe(change: &Change) -> String {
    let split_text = |split: &[(String, u8)]| {
        let parts: Vec<String> = split.iter().map(|(r, p)| format!("{r} {p}%")).collect();
        parts.join(" · ")
    };
    match change {
        Change::Image {
            image,
            pin_to: Some(pin),
        } => format!("image {image}, traffic pinned 100% to {pin}"),
        Change::Image {
            image,
            pin_to: None,
        } => format!("image {image}, traffic 100% to latest"),
        Change::Traffic(split) => format!("traffic {}", split_text(split)),
        Change::Canary { split, revision } => {
            format!(
                "traffic {}, {revision} tagged {CANARY_TAG}",
                split_text(split)
            )
        }
    }
}
