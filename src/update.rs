//! `update(&mut Model, Msg) -> Vec<Cmd>`: the only place state changes. Pure: no I/O, no clock.

mod lanes;

use crate::model::{Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Msg};

pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick { now } => {
            // The header clock shows seconds: a new second is a visible change, nothing less is.
            if now.timestamp() != model.now.timestamp() {
                model.dirty = true;
            }
            model.now = now;
            Vec::new()
        }
        Msg::PollDue { now } => {
            model.now = now;
            lanes::poll_all(model)
        }
        Msg::LaneFetched { lane, at, result } => lanes::fetched(model, lane, at, result),
        Msg::Action(action) => act(model, action),
        Msg::Resized => {
            model.dirty = true;
            Vec::new()
        }
    }
}

fn act(model: &mut Model, action: Action) -> Vec<Cmd> {
    model.dirty = true;
    if model.overlay == Overlay::Help {
        match action {
            Action::Quit => model.quitting = true,
            Action::ToggleHelp | Action::Back => model.overlay = Overlay::None,
            _ => {}
        }
        return Vec::new();
    }
    match action {
        Action::Quit => model.quitting = true,
        Action::ToggleHelp => model.overlay = Overlay::Help,
        Action::Back => model.dirty = false,
        Action::NextPane => model.focus = cycle(model.focus, 1),
        Action::PrevPane => model.focus = cycle(model.focus, Pane::ORDER.len() - 1),
        Action::Left => move_lane(model, -1),
        Action::Right => move_lane(model, 1),
        Action::Up => scroll(model, -1),
        Action::Down => scroll(model, 1),
        Action::Refresh => return lanes::poll_all(model),
    }
    Vec::new()
}

fn cycle(pane: Pane, step: usize) -> Pane {
    let at = Pane::ORDER.iter().position(|p| *p == pane).unwrap_or(0);
    Pane::ORDER[(at + step) % Pane::ORDER.len()]
}

fn move_lane(model: &mut Model, delta: isize) {
    let count = model.lanes.len();
    if count == 0 {
        return;
    }
    model.selected_lane =
        (model.selected_lane as isize + delta).clamp(0, count as isize - 1) as usize;
}

fn scroll(model: &mut Model, delta: isize) {
    match model.focus {
        Pane::Activity => {
            let max = model.activity.entries.len().saturating_sub(1) as isize;
            model.activity.scroll = (model.activity.scroll as isize + delta).clamp(0, max) as usize;
        }
        Pane::Lanes => move_lane(model, delta),
    }
}

#[cfg(test)]
mod tests;
