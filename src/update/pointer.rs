//! The mouse: a click focuses the pane under it and selects the lane, phase, probe or grid cell
//! clicked;
//! the wheel scrolls the pane under it (or the open detail overlay). The runtime has already
//! measured the event against the view's layout; this only decides what it means.

use crate::model::{Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Hit, PointerKind};

/// The wheel over an open overlay (not a prompt) scrolls it as j/k do: the action it stands for.
pub fn overlay_wheel(model: &Model, kind: PointerKind) -> Option<Action> {
    match (&model.overlay, kind) {
        (Overlay::None | Overlay::Prompt(_), _) | (_, PointerKind::Click) => None,
        (_, PointerKind::WheelUp) => Some(Action::Up),
        (_, PointerKind::WheelDown) => Some(Action::Down),
    }
}

pub fn pointer(model: &mut Model, pane: Pane, item: Option<Hit>, kind: PointerKind) -> Vec<Cmd> {
    let wheel = match kind {
        PointerKind::Click => None,
        PointerKind::WheelUp => Some(-1),
        PointerKind::WheelDown => Some(1),
    };
    if model.overlay != Overlay::None {
        // A prompt owns the keyboard and the screen; nothing under an overlay is reachable.
        return Vec::new();
    }
    model.dirty = true;
    model.notice = None;
    super::focus::focus(model, pane);
    match (wheel, pane, item) {
        (Some(delta), _, _) => super::focus::scroll(model, delta),
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
