//! Where the keys and the wheel point: the focused pane, the selected lane, and the cursor of
//! the pane in focus.

use crate::model::signoff::CursorMove;
use crate::model::{Model, Pane};

pub(super) fn focus(model: &mut Model, pane: Pane) {
    model.focus = pane;
    if pane != Pane::Lanes {
        model.detail = pane;
    }
    super::signoff::refresh_grid(model);
}

pub(super) fn cycle(pane: Pane, step: usize) -> Pane {
    let at = Pane::ORDER.iter().position(|p| *p == pane).unwrap_or(0);
    Pane::ORDER[(at + step) % Pane::ORDER.len()]
}

pub(super) fn move_lane(model: &mut Model, delta: isize) {
    let count = model.lanes.len();
    if count == 0 {
        return;
    }
    model.selected_lane =
        (model.selected_lane as isize + delta).clamp(0, count as isize - 1) as usize;
    super::signoff::refresh_grid(model);
}

pub(super) fn scroll(model: &mut Model, delta: isize) {
    match model.focus {
        Pane::Activity => {
            let max = model.activity.visible().count().saturating_sub(1) as isize;
            model.activity.scroll = (model.activity.scroll as isize + delta).clamp(0, max) as usize;
        }
        Pane::Lanes => move_lane(model, delta),
        Pane::Phases => super::pipeline_detail::move_cursor(model, delta),
        Pane::Probes => super::probes::move_cursor(model, delta),
        Pane::Signoff => {
            let movement = if delta < 0 {
                CursorMove::Up
            } else {
                CursorMove::Down
            };
            super::signoff::move_cursor(model, movement);
        }
    }
}
