//! Lane polling: coalesced requests, and what changed between two polls, told in the activity pane.

use chrono::{DateTime, Utc};

use crate::model::Level;
use crate::model::Model;
use crate::model::lane::ServiceState;
use crate::msg::Cmd;

/// Asks for every lane that is not already being fetched; a busy lane gets one queued poll.
pub fn poll_all(model: &mut Model) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for (index, lane) in model.lanes.iter_mut().enumerate() {
        if lane.in_flight {
            lane.queued = true;
        } else {
            lane.in_flight = true;
            cmds.push(Cmd::FetchLane { lane: index });
        }
    }
    cmds
}

pub fn fetched(
    model: &mut Model,
    index: usize,
    at: DateTime<Utc>,
    result: Result<Box<ServiceState>, String>,
) -> Vec<Cmd> {
    let Some(lane) = model.lanes.get_mut(index) else {
        return Vec::new();
    };
    lane.in_flight = false;
    let env = lane.env.clone();
    let mut notes: Vec<(Level, String)> = Vec::new();
    match result {
        Ok(state) => {
            let state = *state;
            if let Some(error) = lane.error.take() {
                notes.push((Level::Good, format!("API reachable again (was: {error})")));
            }
            if lane.service.as_ref() != Some(&state) {
                notes.extend(describe_change(lane.service.as_ref(), &state));
                lane.reconciling_since = match (state.reconciling, lane.reconciling_since) {
                    (true, None) => Some(at),
                    (true, since) => since,
                    (false, _) => None,
                };
                lane.service = Some(state);
                model.dirty = true;
            }
            lane.fetched_at = Some(at);
        }
        Err(error) => {
            if lane.error.as_deref() != Some(error.as_str()) {
                notes.push((Level::Error, error.clone()));
                model.dirty = true;
            }
            lane.error = Some(error);
        }
    }
    let cmds = if lane.queued {
        lane.queued = false;
        lane.in_flight = true;
        vec![Cmd::FetchLane { lane: index }]
    } else {
        Vec::new()
    };
    for (level, text) in notes {
        model.log(Some(&env), level, text);
    }
    cmds
}

/// What an on-call engineer wants to read about the change from `old` to `new`.
fn describe_change(old: Option<&ServiceState>, new: &ServiceState) -> Vec<(Level, String)> {
    let mut notes = Vec::new();
    let Some(old) = old else {
        let what = new.primary().map_or_else(
            || "no traffic".to_string(),
            |p| format!("runs {} ({})", p.version, p.short),
        );
        notes.push((Level::Info, what));
        return notes;
    };
    if let Some(created) = new
        .latest_created
        .as_ref()
        .filter(|c| old.latest_created.as_ref() != Some(*c))
    {
        notes.push((
            Level::Info,
            format!("new revision {created} ({})", version_of(new, created)),
        ));
    }
    if new.traffic != old.traffic {
        notes.push((Level::Info, format!("traffic now {}", new.split_text())));
    }
    if new.reconciling && !old.reconciling {
        notes.push((
            Level::Info,
            format!("operation in flight (generation {})", new.generation),
        ));
    }
    if !new.reconciling && old.reconciling {
        notes.push((
            Level::Good,
            format!("operation done (generation {})", new.observed_generation),
        ));
    }
    if new.condition.readiness != old.condition.readiness
        && new.condition.readiness == crate::model::lane::Readiness::Failed
    {
        let why = new.condition.message.clone().unwrap_or_default();
        notes.push((Level::Error, format!("service not ready: {why}")));
    }
    notes
}

fn version_of(state: &ServiceState, short: &str) -> String {
    state
        .revisions
        .iter()
        .find(|r| r.short == short)
        .map_or_else(|| "?".to_string(), |r| r.version.clone())
}
