//! The phases pane's selection (j/k) and a phase in depth (Enter): its steps, and for a failed
//! job its check run's annotations, asked for once when the phase is opened.

use crate::model::lane::DeployRollout;
use crate::model::phase_detail::{Annotations, rows};
use crate::model::pipeline::PhaseState;
use crate::model::{Level, Model, Overlay};
use crate::msg::{Action, Cmd};

/// The selected lane's Cloud Deploy rollout, which the phases pane shows instead of the build.
fn deploy_rollout(model: &Model) -> Option<&DeployRollout> {
    model
        .lanes
        .get(model.selected_lane)
        .and_then(|lane| lane.service.as_ref())
        .and_then(|service| service.rollout.as_ref())
}

/// j/k in the phases pane: the cursor leaves the current phase and stays where it is put.
pub fn move_cursor(model: &mut Model, delta: isize) {
    if let Some(rollout) = deploy_rollout(model) {
        let selection = &model.pipeline.selection;
        if let Some(at) = selection.selected_deploy(rollout) {
            let last = rollout.phases.len() as isize - 1;
            model.pipeline.selection.deploy_cursor =
                Some((at as isize + delta).clamp(0, last) as usize);
        }
        return;
    }
    let watch = &mut model.pipeline;
    let Some(run) = &watch.run else { return };
    let Some(at) = watch.selection.selected(run) else {
        return;
    };
    let last = run.phases.len() as isize - 1;
    watch.selection.cursor = Some((at as isize + delta).clamp(0, last) as usize);
}

/// Enter in the phases pane: the selected phase's overlay; a failed phase's annotations are
/// fetched unless already known.
pub fn open(model: &mut Model) -> Vec<Cmd> {
    if let Some(rollout) = deploy_rollout(model) {
        match model.pipeline.selection.selected_deploy(rollout) {
            Some(index) => model.overlay = Overlay::DeployPhaseDetail(index),
            None => model.notify(Level::Info, "this rollout has no phases yet"),
        }
        return Vec::new();
    }
    let watch = &mut model.pipeline;
    let Some(run) = &watch.run else {
        model.dirty = false;
        return Vec::new();
    };
    let Some(index) = watch.selection.selected(run) else {
        model.dirty = false;
        return Vec::new();
    };
    let phase = &run.phases[index];
    watch.selection.scroll = 0;
    model.overlay = Overlay::PhaseDetail(index);
    let failed = matches!(phase.state, PhaseState::Failed | PhaseState::Cancelled);
    match phase.check_run_id {
        Some(id) if failed => {
            let known = matches!(
                watch.selection.annotations.get(&id),
                Some(Annotations::Loading | Annotations::Loaded(_))
            );
            if known {
                return Vec::new();
            }
            watch.selection.annotations.insert(id, Annotations::Loading);
            vec![Cmd::FetchAnnotations { check_run_id: id }]
        }
        _ => Vec::new(),
    }
}

/// Keys while the overlay is open: j/k scroll, Esc / q / Enter close.
pub fn overlay_action(model: &mut Model, action: Action) {
    let selection = &mut model.pipeline.selection;
    match action {
        Action::Quit | Action::Back | Action::Open => model.overlay = Overlay::None,
        Action::Up => selection.scroll = selection.scroll.saturating_sub(1),
        Action::Down => {
            let last = match (&model.overlay, &model.pipeline.run) {
                (Overlay::PhaseDetail(index), Some(run)) => run.phases.get(*index).map_or(0, |p| {
                    let annotations = p.check_run_id.and_then(|id| selection.annotations.get(&id));
                    rows(p, annotations).len().saturating_sub(1)
                }),
                _ => 0,
            };
            selection.scroll = (selection.scroll + 1).min(last);
        }
        _ => model.dirty = false,
    }
}

pub fn annotations_fetched(
    model: &mut Model,
    check_run_id: u64,
    result: Result<Vec<crate::model::phase_detail::Annotation>, String>,
) {
    let annotations = &mut model.pipeline.selection.annotations;
    // Only an answer that was asked for (the run may have moved on meanwhile).
    if !annotations.contains_key(&check_run_id) {
        return;
    }
    let state = match result {
        Ok(list) => Annotations::Loaded(list),
        Err(error) => Annotations::Failed(error),
    };
    annotations.insert(check_run_id, state);
    model.dirty = true;
}
