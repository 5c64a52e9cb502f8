//! Probe reports folded into their probe's hysteresis state; the engine's set follows the lanes'
//! service URIs.

use crate::model::{Level, Model, Pane};
use crate::msg::Cmd;
use crate::probes::{ProbeReport, Verdict};

/// After a lane poll: probe the URIs now known (a `path` probe needs its service's URI).
pub fn follow_uris(model: &mut Model) -> Option<Cmd> {
    let uris: Vec<Option<String>> = model
        .lanes
        .iter()
        .map(|l| l.service.as_ref().and_then(|s| s.uri.clone()))
        .collect();
    model.probes.resolve(&uris).map(Cmd::SetProbes)
}

pub fn report(model: &mut Model, report: ProbeReport) {
    let now = model.now;
    let Some(index) = model.probes.all.iter().position(|p| p.id == report.id) else {
        return;
    };
    let lane = model.probes.all[index].lane;
    let lane_before = model.probes.lane_verdict(lane, now);
    let probe_before = model.probes.all[index].state.verdict(now).verdict;
    model.probes.all[index].state.record(report);
    let view = model.probes.all[index].state.verdict(now);
    let lane_after = model.probes.lane_verdict(lane, now);
    if view.verdict != probe_before && view.verdict != Verdict::Unknown {
        let (level, name) = match view.verdict {
            Verdict::Pass => (Level::Good, "pass"),
            Verdict::Warn => (Level::Warn, "warn"),
            Verdict::Fail => (Level::Error, "FAIL"),
            Verdict::Stale | Verdict::Unknown => (Level::Warn, "stale"),
        };
        let probe = &model.probes.all[index];
        let mut text = format!("probe {}: {name}", probe.spec.name);
        if let Some(reason) = view.reason {
            text.push_str(&format!(" ({reason})"));
        }
        let env = model.lanes.get(lane).map(|l| l.env.clone());
        model.log(env.as_deref(), level, text);
        model.dirty = true;
    }
    if lane_after != lane_before || model.detail == Pane::Probes {
        model.dirty = true;
    }
}

pub fn move_cursor(model: &mut Model, delta: isize) {
    let count = model.probes.all.len();
    if count > 0 {
        model.probes.cursor =
            (model.probes.cursor as isize + delta).clamp(0, count as isize - 1) as usize;
    }
}
