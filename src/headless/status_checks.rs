//! What `status` adds to one poll round: each lane's probes run once, and the sign-off decision
//! of each lane that needs one (from the ledger, read without writing). Also the JSON shapes of
//! `status --json` (schema version 1): traffic always an array, timestamps RFC 3339 to the second.

use serde_json::{Value, json};

use crate::config::{Paths, Profile};
use crate::ledger::Decision;
use crate::model::lane::Lane;
use crate::model::signoff::SignoffGrid;
use crate::probes::ProbeOutcome;

pub use crate::json_out::SCHEMA_VERSION;

/// One probe of one lane, run once.
pub struct ProbeResult {
    pub name: String,
    /// `None` when the probe could not be resolved (no service URI yet): its verdict is unknown.
    pub url: Option<String>,
    pub outcome: Result<ProbeOutcome, String>,
}

impl ProbeResult {
    pub fn verdict(&self) -> &'static str {
        match &self.outcome {
            Ok(outcome) => outcome.status.as_str(),
            Err(_) => "unknown",
        }
    }
}

/// The worst verdict of a lane's probes; `unknown` when it has none (never drawn healthy).
pub fn lane_verdict(results: &[ProbeResult]) -> &'static str {
    let rank = |v: &str| match v {
        "fail" => 3,
        "warn" => 2,
        "unknown" => 1,
        _ => 0,
    };
    if results.is_empty() {
        return "unknown";
    }
    results
        .iter()
        .map(ProbeResult::verdict)
        .max_by_key(|v| rank(v))
        .unwrap_or("unknown")
}

/// Every probe of every lane, once, concurrently.
pub async fn probe_round(
    profile: &Profile,
    lanes: &[Lane],
    client: &reqwest::Client,
) -> Vec<Vec<ProbeResult>> {
    let per_lane = profile.environments.iter().zip(lanes).map(|(env, lane)| {
        let base = lane.service.as_ref().and_then(|s| s.uri.clone());
        let probes = env.probes.iter().map(move |spec| {
            let resolved = spec.resolve(base.as_deref());
            async move {
                match resolved {
                    Ok(probe) => ProbeResult {
                        name: spec.name.clone(),
                        url: Some(probe.url.clone()),
                        outcome: Ok(crate::probes::http::probe_once(client, &probe).await),
                    },
                    Err(e) => ProbeResult {
                        name: spec.name.clone(),
                        url: None,
                        outcome: Err(e),
                    },
                }
            }
        });
        futures::future::join_all(probes)
    });
    futures::future::join_all(per_lane).await
}

/// A lane's sign-off: the decision on the release that would be promoted into it.
pub struct SignoffSummary {
    pub release: String,
    pub go: bool,
    pub signed: usize,
    pub total: usize,
    pub reason: String,
}

/// Per lane: `None` when the lane needs no sign-off; the ledger is read only if it exists.
pub fn signoffs(
    profile: &Profile,
    paths: &Paths,
    lanes: &[Lane],
) -> Result<Vec<Option<SignoffSummary>>, String> {
    // The profile's ledger, a file or a database; reading creates nothing.
    let location = crate::ledger::store::LedgerLocation::of_profile(profile, paths)?;
    let entries = crate::ledger::store::read_all_blocking(&location)?;
    let summaries = profile
        .environments
        .iter()
        .enumerate()
        .map(|(index, env)| {
            if !env.policy.require_signoff {
                return None;
            }
            let source = lanes.get(index.checked_sub(1)?)?;
            let release = source.service.as_ref()?.version()?.to_string();
            let grid = SignoffGrid::from_entries(&profile.signoff, &env.name, &release, &entries);
            let verdict = crate::policy::decide(&grid);
            let required: Vec<usize> = (0..grid.roles.len())
                .filter(|c| grid.roles[*c].required)
                .collect();
            let signed = (0..grid.rows())
                .flat_map(|r| required.iter().map(move |c| (r, *c)))
                .filter(|(r, c)| {
                    grid.cell(*r, *c)
                        .is_some_and(|cell| cell.decision() == Some(Decision::Go))
                })
                .count();
            Some(SignoffSummary {
                release,
                go: verdict.go,
                signed,
                total: grid.rows() * required.len(),
                reason: verdict.reason,
            })
        })
        .collect();
    Ok(summaries)
}

pub use crate::json_out::{normalize_times, time};

/// A lane for scripts: what runs, the traffic as an array, its probes and its sign-off.
pub fn lane_json(
    lane: &Lane,
    probes: &[ProbeResult],
    signoff: Option<&SignoffSummary>,
    required: bool,
) -> Value {
    let service = lane.service.as_ref();
    let traffic: Vec<Value> = service.map_or_else(Vec::new, |s| {
        s.traffic
            .iter()
            .map(|t| serde_json::to_value(t).unwrap_or_default())
            .collect()
    });
    let probe_list: Vec<Value> = probes
        .iter()
        .map(|p| match &p.outcome {
            Ok(o) => json!({
                "name": p.name, "url": p.url, "verdict": p.verdict(),
                "http_status": o.http_status,
                "latency_ms": (o.latency.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
                "reason": o.reason,
            }),
            Err(e) => json!({"name": p.name, "url": null, "verdict": "unknown", "reason": e}),
        })
        .collect();
    let signoff = match (required, signoff) {
        (false, _) => json!({"required": false}),
        (true, None) => json!({"required": true, "release": null, "decision": null}),
        (true, Some(s)) => json!({
            "required": true, "release": s.release,
            "decision": if s.go { "GO" } else { "NO-GO" },
            "signed_go": s.signed, "cells": s.total, "reason": s.reason,
        }),
    };
    json!({
        "env": lane.env,
        "version": service.and_then(|s| s.version()),
        "revision": service.and_then(|s| s.primary()).map(|p| p.revision.clone()),
        "ready": service.map(|s| s.condition.readiness.word()),
        "reconciling": service.map(|s| s.reconciling),
        "traffic": traffic,
        "uri": service.and_then(|s| s.uri.clone()),
        "image": service.map(|s| s.image.clone()),
        "fetched_at": lane.fetched_at.map(time),
        "error": lane.error,
        "probes": {"verdict": lane_verdict(probes), "results": probe_list},
        "signoff": signoff,
        "freezes": freezes_json(lane),
    })
}

/// The platform's own freezes on a lane (Cloud Deploy deploy policies): the window, the actions
/// it restricts, and until when it is in force (null: not now) at the lane's reading.
pub fn freezes_json(lane: &Lane) -> Vec<Value> {
    let now = lane.fetched_at.unwrap_or_else(chrono::Utc::now);
    let freezes = lane
        .service
        .as_ref()
        .map_or(&[][..], |s| s.freezes.as_slice());
    freezes
        .iter()
        .map(|f| {
            let active = crate::policy::freeze::active_at(&f.window, now);
            json!({
                "name": f.window.name,
                "policy": f.policy,
                "actions": f.actions,
                "window": crate::policy::freeze::describe(&f.window),
                "active_until": active.as_ref().ok().and_then(Option::as_ref).map(|a| time(a.until)),
                "error": active.err(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_timestamp_ends_up_at_one_precision() {
        let mut v = json!({
            "a": "2026-11-30T14:03:07.123456789Z",
            "b": ["2026-11-30T15:03:07+01:00", "not a time", "1.4.2"],
            "c": {"d": "2026-11-30T14:03:07Z"},
        });
        normalize_times(&mut v);
        assert_eq!(v["a"], "2026-11-30T14:03:07Z");
        assert_eq!(v["b"][0], "2026-11-30T14:03:07Z");
        assert_eq!(v["b"][1], "not a time");
        assert_eq!(v["c"]["d"], "2026-11-30T14:03:07Z");
    }

    #[test]
    fn a_lane_without_probes_is_unknown_and_traffic_is_always_an_array() {
        assert_eq!(lane_verdict(&[]), "unknown");
        let lane = Lane::new("dev");
        let v = lane_json(&lane, &[], None, false);
        assert_eq!(v["traffic"], json!([]));
        assert_eq!(v["probes"]["verdict"], "unknown");
        assert_eq!(v["signoff"]["required"], false);
    }
}
