//! Sample states for tests, snapshots and benchmarks (not used by the cockpit itself).

use chrono::{DateTime, TimeZone, Utc};

use super::Model;
use super::lane::{Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice};

/// 2026-11-21 14:30:00 UTC: the injected clock of every snapshot.
pub fn clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 14, 30, 0)
        .single()
        .unwrap_or_default()
}

/// A settled service of `env` serving `split` = [(revision number, version, percent)].
pub fn service(env: &str, split: &[(u32, &str, u8)]) -> ServiceState {
    let short_service = format!("clarity-backend-{env}");
    let slices: Vec<TrafficSlice> = split
        .iter()
        .map(|(number, version, percent)| TrafficSlice {
            revision: format!("{short_service}-{number:05}-abc"),
            short: format!("{number:05}-abc"),
            version: (*version).to_string(),
            percent: *percent,
            tag: None,
        })
        .collect();
    let newest = split.iter().map(|(n, _, _)| *n).max().unwrap_or(1);
    let revisions = (1..=newest)
        .rev()
        .map(|n| RevisionInfo {
            name: format!("{short_service}-{n:05}-abc"),
            short: format!("{n:05}-abc"),
            version: version_of(split, n),
            image: format!("app:{}", version_of(split, n)),
            created: Some(clock() - chrono::Duration::days(i64::from(newest - n + 1))),
            ready: true,
        })
        .collect();
    ServiceState {
        name: format!("projects/p/locations/r/services/{short_service}"),
        uri: Some(format!("http://127.0.0.1:1/apps/{short_service}")),
        image: format!("app:{}", split.first().map_or("?", |s| s.1)),
        generation: i64::from(newest),
        observed_generation: i64::from(newest),
        reconciling: false,
        condition: ServiceCondition {
            readiness: Readiness::Ready,
            message: None,
            reason: None,
            warning: false,
        },
        traffic: slices,
        latest_ready: Some(format!("{newest:05}-abc")),
        latest_created: Some(format!("{newest:05}-abc")),
        revisions,
    }
}

/// Three lanes fetched `age_secs` ago: dev on 1.5.0, staging on 1.4.2, prod in a 10 % canary.
pub fn three_lanes(age_secs: i64) -> Model {
    let envs = ["dev".to_string(), "staging".to_string(), "prod".to_string()];
    let mut model = Model::new("clarity-backend", "sandbox", &envs, 2, clock());
    let states = [
        service("dev", &[(12, "1.5.0", 100)]),
        service("staging", &[(9, "1.4.2", 100)]),
        service("prod", &[(7, "1.4.0", 90), (8, "1.4.2", 10)]),
    ];
    for (lane, state) in model.lanes.iter_mut().zip(states) {
        lane.service = Some(state);
        lane.fetched_at = Some(clock() - chrono::Duration::seconds(age_secs));
    }
    model
}

fn version_of(split: &[(u32, &str, u8)], number: u32) -> String {
    split
        .iter()
        .find(|(n, _, _)| *n == number)
        .map_or_else(|| format!("1.3.{number}"), |(_, v, _)| (*v).to_string())
}
