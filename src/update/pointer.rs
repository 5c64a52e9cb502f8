//! The mouse: a click focuses the pane under it and selects the lane, phase, probe or grid cell
//! clicked;
//! the wheel scrolls the pane under it (or the open detail overlay). The runtime has already
//! measured the event against the view's layout; this only decides what it means.

use crate::model::{Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Hit, PointerKind};

pub fn pointer(model: &mut Model, pane: Pane, item: Option<Hit>, kind: PointerKind) -> Vec<Cmd> {
    let wheel = match kind {
        PointerKind::Click => None,
        PointerKind::WheelUp => Some(-1),
        PointerKind::WheelDown => Some(1),
    };
    match (&model.overlay, wheel) {
        (Overlay::None, _) => {}
        // A prompt owns the keyboard and the screen; nothing under it is reachable.
        (Overlay::Prompt(_), _) | (_, None) => return Vec::new(),
        // The wheel scrolls an open overlay as j/k do.
        (_, Some(delta)) => {
            let action = if delta < 0 { Action::Up } else { Action::Down };
            return super::act(model, action);
        }
    }
    model.dirty = true;
    model.notice = None;
    super::focus(model, pane);
    match (wheel, pane, item) {
        (Some(delta), _, _) => super::scroll(model, delta),
        (None, Pane::Lanes, Some(Hit::Row(lane))) => {
            model.selected_lane = lane.min(model.lanes.len().saturating_sub(1));
            super::signoff::refresh_grid(model);
        }
        (None, Pane::Phases, Some(Hit::Row(phase))) => {
            model.pipeline.selection.cursor = Some(phase)
        }
        (None, Pane::Probes, Some(Hit::Row(probe))) => model.probes.cursor = probe,
        (None, Pane::Signoff, Some(Hit::Cell { row, col })) => {
            if let Some(grid) = model.signoffs.grid.as_mut() {
                grid.cursor.row = row.min(grid.items.len().saturating_sub(1));
                grid.cursor.col = col.min(grid.roles.len().saturating_sub(1));
            }
        }
        (None, _, _) => {}
    }
    Vec::new()
}
