//! One-shot probes for commands: is the source lane green, is a lane healthy after a rollback,
//! does the canary's new revision pass. Each probe is judged by the probe engine's format-aware
//! verdict (`crate::probes`), never by its status code alone: `200 {"status":"DOWN"}` fails.
//! The canary is probed through its traffic tag URL, which reaches that revision alone.

use std::time::Duration;

use crate::config::profile::Environment;
use crate::probes::{Health, ResolvedProbe};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeHit {
    pub url: String,
    pub health: Health,
    /// Not a failure (a warning still passes a guard; only `Pass` is green for a gate).
    pub pass: bool,
    /// The revision probed, when the URL reaches one revision alone (a tag URL).
    pub revision: Option<String>,
    pub detail: String,
}

/// The probes of an environment, resolved against the service URI (probes that cannot be
/// resolved yet are left out).
pub fn probes(env: &Environment, service_uri: Option<&str>) -> Vec<ResolvedProbe> {
    env.probes
        .iter()
        .filter_map(|p| p.resolve(service_uri).ok())
        .collect()
}

/// The probe to watch a canary with: the one whose path ends in `health`, else the first.
pub fn health_probe(env: &Environment, service_uri: Option<&str>) -> Option<ResolvedProbe> {
    let all = probes(env, service_uri);
    all.iter()
        .find(|p| p.url.trim_end_matches('/').ends_with("health"))
        .or(all.first())
        .cloned()
}

/// The same probe sent to a traffic tag's URL instead of the service URL; `None` when the probe
/// does not go to the service URL (an absolute URL elsewhere cannot be pointed at one revision).
pub fn through_tag(
    probe: &ResolvedProbe,
    service_uri: Option<&str>,
    tag_uri: &str,
) -> Option<ResolvedProbe> {
    let base = service_uri?.trim_end_matches('/');
    let rest = probe.url.strip_prefix(base)?;
    if !(rest.is_empty() || rest.starts_with(['/', '?'])) {
        return None;
    }
    let mut tagged = probe.clone();
    tagged.url = format!("{}{rest}", tag_uri.trim_end_matches('/'));
    Some(tagged)
}

/// What the canary guard probes after `applied`: the health probe through the canary's tag URL
/// while a split tags one, else the service URL (then all traffic is on one revision).
pub fn guard_probe(
    health: Option<&ResolvedProbe>,
    applied: &super::wire::Applied,
) -> Option<ResolvedProbe> {
    let health = health?;
    applied
        .canary_uri
        .as_deref()
        .and_then(|tag_uri| through_tag(health, applied.state.uri.as_deref(), tag_uri))
        .or_else(|| Some(health.clone()))
}

pub async fn probe_once(http: &reqwest::Client, probe: &ResolvedProbe) -> ProbeHit {
    let outcome = crate::probes::http::probe_once(http, probe).await;
    let code = outcome
        .http_status
        .map_or_else(String::new, |c| format!("HTTP {c}"));
    let detail = match (&outcome.reason, code.is_empty()) {
        (Some(reason), true) => format!("{}: {reason}", outcome.status),
        (Some(reason), false) if *reason != code => {
            format!("{} ({code}): {reason}", outcome.status)
        }
        (_, _) => format!("{} ({code})", outcome.status),
    };
    ProbeHit {
        // The query may carry a token: never shown.
        url: probe
            .url
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_string(),
        health: outcome.status,
        pass: outcome.status != Health::Fail,
        revision: None,
        detail,
    }
}

/// Probes until every probe passes in one round, at most `rounds` rounds `every` apart.
/// Returns the failures of the last round (empty = healthy).
pub async fn wait_healthy(
    http: &reqwest::Client,
    probes: &[ResolvedProbe],
    rounds: u32,
    every: Duration,
) -> Vec<ProbeHit> {
    let mut failing = Vec::new();
    for round in 0..rounds.max(1) {
        if round > 0 {
            tokio::time::sleep(every).await;
        }
        failing.clear();
        for probe in probes {
            let hit = probe_once(http, probe).await;
            if !hit.pass {
                failing.push(hit);
            }
        }
        if failing.is_empty() {
            break;
        }
    }
    failing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_of_the_service_url_moves_to_the_tag_url() {
        let probe = ResolvedProbe::get("https://svc-abc-uc.a.run.app/health?verbose");
        let tagged = through_tag(
            &probe,
            Some("https://svc-abc-uc.a.run.app/"),
            "https://canary---svc-abc-uc.a.run.app",
        )
        .expect("under the service URL");
        assert_eq!(
            tagged.url,
            "https://canary---svc-abc-uc.a.run.app/health?verbose"
        );
        let elsewhere = ResolvedProbe::get("https://status.example.com/health");
        assert!(
            through_tag(
                &elsewhere,
                Some("https://svc-abc-uc.a.run.app"),
                "https://t"
            )
            .is_none()
        );
        let prefix_only = ResolvedProbe::get("https://svc-abc-uc.a.run.app.evil/health");
        assert!(
            through_tag(
                &prefix_only,
                Some("https://svc-abc-uc.a.run.app"),
                "https://t"
            )
            .is_none()
        );
    }
}
