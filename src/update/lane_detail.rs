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

/// The most rows the detail can be scrolled: about every row it holds (the view shows the
/// last page at most, whatever the terminal's height).
fn max_scroll(model: &Model, lane: usize) -> usize {
    let env = model.lanes.get(lane).map_or("", |l| l.env.as_str());
    let service = model.lanes.get(lane).and_then(|l| l.service.as_ref());
    let history = crate::model::lane_detail::history(&model.signoffs.entries, env, service);
    // Two rows per history item, the comparison (image, env, scaling) and the links.
    let env_vars = service
        .and_then(|s| s.template.as_ref())
        .map_or(0, |t| t.env.len());
    (2 * history.len() + env_vars + 24).saturating_sub(MIN_ROWS_SHOWN)
}

/// Rows of content the detail shows at 80×24.
const MIN_ROWS_SHOWN: usize = 16;

#[cfg(test)]
#[path = "lane_detail_tests.rs"]
mod tests;
