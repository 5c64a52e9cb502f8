//! The build pipeline: coalesced, rate-limit-aware polls, and what changed told in the activity pane.

use chrono::{DateTime, Utc};

use crate::model::pipeline::{PhaseState, Pipeline};
use crate::model::{Level, Model};
use crate::msg::Cmd;
use crate::runtime::PipelinePoll;

pub fn poll_due(model: &mut Model, now: DateTime<Utc>) -> Option<Cmd> {
    let watch = &mut model.pipeline;
    if !watch.configured || watch.in_flight || watch.blocked_until.is_some_and(|until| now < until)
    {
        return None;
    }
    watch.in_flight = true;
    let look_for_newer = watch.look_for_newer();
    watch.polls_since_list = if look_for_newer {
        0
    } else {
        watch.polls_since_list + 1
    };
    Some(Cmd::PollPipeline {
        run_id: watch.run.as_ref().map(|r| r.run_id),
        look_for_newer,
    })
}

pub fn polled(
    model: &mut Model,
    at: DateTime<Utc>,
    poll: PipelinePoll,
    budget: Option<(u64, u64)>,
) {
    let watch = &mut model.pipeline;
    watch.in_flight = false;
    if budget.is_some() && watch.budget != budget {
        watch.budget = budget;
    }
    let mut notes = Vec::new();
    match poll {
        PipelinePoll::Unchanged => {
            watch.fetched_at = Some(at);
            if watch.error.take().is_some() {
                model.dirty = true;
            }
        }
        PipelinePoll::NoRuns => {
            watch.fetched_at = Some(at);
            watch.error = None;
            if !watch.no_runs {
                watch.no_runs = true;
                model.dirty = true;
            }
        }
        PipelinePoll::Changed(run) => {
            notes = describe(watch.run.as_ref(), &run);
            if run.state == crate::model::pipeline::RunState::Succeeded
                && let Some(version) = crate::model::watch::version_of_title(&run.title)
                && !watch.built.iter().any(|v| v == version)
            {
                watch.built.insert(0, version.to_string());
            }
            if watch.run.as_ref().map(|r| r.run_id) != Some(run.run_id) {
                // Another run: its phases are not the ones selected or opened.
                watch.selection = Default::default();
                if matches!(model.overlay, crate::model::Overlay::PhaseDetail(_)) {
                    model.overlay = crate::model::Overlay::None;
                }
            }
            if let Some(version) = crate::model::watch::version_of_title(&run.title) {
                let link = crate::model::watch::RunLink {
                    number: run.run_number,
                    html_url: run.html_url.clone(),
                };
                watch.run_links.insert(version.to_string(), link);
            }
            watch.run = Some(*run);
            watch.fetched_at = Some(at);
            watch.error = None;
            watch.blocked_until = None;
            watch.no_runs = false;
            model.dirty = true;
        }
        PipelinePoll::Failed { error, retry_at } => {
            if watch.error.as_deref() != Some(error.as_str()) {
                notes.push((Level::Error, error.clone()));
                model.dirty = true;
            }
            watch.error = Some(error);
            watch.blocked_until = retry_at;
        }
    }
    for (level, text) in notes {
        model.log(Some("build"), level, text);
    }
}

fn describe(old: Option<&Pipeline>, new: &Pipeline) -> Vec<(Level, String)> {
    let mut notes = Vec::new();
    if old.map(|o| o.run_id) != Some(new.run_id) {
        notes.push((
            Level::Info,
            format!("run #{}: {}", new.run_number, new.title),
        ));
    }
    for (index, phase) in new.phases.iter().enumerate() {
        let before = old
            .filter(|o| o.run_id == new.run_id)
            .and_then(|o| o.phases.get(index))
            .map(|p| p.state);
        if before == Some(phase.state) {
            continue;
        }
        let note = match phase.state {
            PhaseState::Running if before.is_some() => {
                Some((Level::Info, format!("{} started", phase.name)))
            }
            PhaseState::Succeeded if before.is_some() => {
                Some((Level::Good, format!("{} done", phase.name)))
            }
            PhaseState::Failed => Some((
                Level::Error,
                format!(
                    "{} failed{}",
                    phase.name,
                    phase
                        .failed_step
                        .as_ref()
                        .map(|s| format!(" at step \"{s}\""))
                        .unwrap_or_default()
                ),
            )),
            PhaseState::WaitingApproval => {
                Some((Level::Warn, format!("{} waits for an approval", phase.name)))
            }
            _ => None,
        };
        notes.extend(note);
    }
    notes
}
