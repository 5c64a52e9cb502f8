//! Every probe of every lane, with its hysteresis state and the URL it resolved to.

use chrono::{DateTime, Utc};

use crate::probes::verdict::{ProbeState, Verdict, lane_verdict};
use crate::probes::{ProbeId, ProbeSpec, ResolvedProbe};

#[derive(Debug, Clone)]
pub struct LaneProbe {
    pub id: ProbeId,
    pub lane: usize,
    pub spec: ProbeSpec,
    pub state: ProbeState,
    /// The URL probed (None until the lane's service URI is known, for `path` probes).
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Probes {
    pub all: Vec<LaneProbe>,
    /// The selected row of the probes pane.
    pub cursor: usize,
}

impl Probes {
    /// `(lane name, its probe specs)` in lane order.
    pub fn from_profile<'a>(lanes: impl IntoIterator<Item = (&'a str, &'a [ProbeSpec])>) -> Probes {
        let mut all = Vec::new();
        for (index, (lane, specs)) in lanes.into_iter().enumerate() {
            for spec in specs {
                all.push(LaneProbe {
                    id: ProbeId::new(lane, &spec.name),
                    lane: index,
                    spec: spec.clone(),
                    state: ProbeState::from_spec(spec),
                    url: None,
                });
            }
        }
        Probes { all, cursor: 0 }
    }

    /// Resolves every probe against its lane's service URI; returns the set when it changed.
    pub fn resolve(&mut self, uris: &[Option<String>]) -> Option<Vec<(ProbeId, ResolvedProbe)>> {
        let mut changed = false;
        let mut set = Vec::new();
        for probe in &mut self.all {
            let base = uris.get(probe.lane).and_then(|u| u.as_deref());
            match probe.spec.resolve(base) {
                Ok(resolved) => {
                    if probe.url.as_deref() != Some(resolved.url.as_str()) {
                        probe.url = Some(resolved.url.clone());
                        changed = true;
                    }
                    set.push((probe.id.clone(), resolved));
                }
                Err(_) => {
                    changed |= probe.url.take().is_some();
                }
            }
        }
        changed.then_some(set)
    }

    /// The worst verdict of a lane's probes (Unknown when it has none: never drawn healthy).
    pub fn lane_verdict(&self, lane: usize, now: DateTime<Utc>) -> Verdict {
        lane_verdict(
            self.all
                .iter()
                .filter(|p| p.lane == lane)
                .map(|p| p.state.verdict(now).verdict),
        )
    }

    pub fn of_lane(&self, lane: usize) -> impl Iterator<Item = &LaneProbe> {
        self.all.iter().filter(move |p| p.lane == lane)
    }
}
