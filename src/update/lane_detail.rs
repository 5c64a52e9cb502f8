//! A lane in depth: Enter on a lane opens it, Esc / q / Enter close it, j / k scroll, h / l (or
//! [ ]) show the lane before or after (and select it).

use crate::model::{Model, Overlay, Pane};
use crate::msg::Action;

/// Opens the selected lane's detail (the lanes pane is focused).
pub fn open(model: &mut Model) {
    if model.focus == Pane::Lanes && model.selected_lane < model.lanes.len() {
        model.overlay = Overlay::LaneDetail {
            lane: model.selected_lane,
            scroll: 0,
        };
    } else {
        model.dirty = false;
    }
}

/// A key while the detail is open.
pub fn act(model: &mut Model, action: Action) {
    let Overlay::LaneDetail { lane, scroll } = model.overlay else {
        return;
    };
    match action {
        Action::Quit | Action::Back | Action::Open => model.overlay = Overlay::None,
        Action::Up | Action::Down => {
            let step: isize = if action == Action::Up { -1 } else { 1 };
            let max = max_scroll(model, lane) as isize;
            let scroll = (scroll as isize + step).clamp(0, max) as usize;
            model.overlay = Overlay::LaneDetail { lane, scroll };
        }
        Action::Left | Action::Right | Action::PrevLane | Action::NextLane => {
            let step: isize = if matches!(action, Action::Left | Action::PrevLane) {
                -1
            } else {
                1
            };
            let last = model.lanes.len().saturating_sub(1) as isize;
            let lane = (lane as isize + step).clamp(0, last) as usize;
            model.selected_lane = lane;
            model.overlay = Overlay::LaneDetail { lane, scroll: 0 };
        }
        Action::ToggleHelp => model.overlay = Overlay::Help,
        _ => model.dirty = false,
    }
}

/// The most rows the detail can be scrolled: to its last page at the smallest size (80×24,
/// where 78×21 cells show); a taller terminal shows that last page from a row further up.
fn max_scroll(model: &Model, lane: usize) -> usize {
    crate::model::lane_detail_rows::row_count(model, lane, 78).saturating_sub(21)
}

#[cfg(test)]
#[path = "lane_detail_tests.rs"]
mod tests;
