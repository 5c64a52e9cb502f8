//! Where a mouse event lands: the pane and the lane, phase, probe or grid cell under it, measured
//! against the same layout the view draws ([`super::layout::screen`]). `keymap` makes the message.

use ratatui::layout::{Position, Rect};

use crate::model::{Hit, Model, Pane};

/// The pane at (`column`, `row`) and the item drawn there, if any.
pub fn target(model: &Model, area: Rect, column: u16, row: u16) -> Option<(Pane, Option<Hit>)> {
    if super::too_small::applies(area) {
        return None;
    }
    let at = Position::new(column, row);
    let regions = super::layout::screen(model, area).regions;
    if regions.lanes.contains(at) {
        let cards = super::lanes::card_areas(model, regions.lanes);
        let lane = cards.iter().position(|card| card.contains(at));
        return Some((Pane::Lanes, lane.map(Hit::Row)));
    }
    if let (Some(bar), Some((shown, _))) = (regions.tab_bar, regions.panes.first())
        && bar.contains(at)
    {
        let pane = super::tab_bar::pane_at(model, bar, *shown, column)?;
        return Some((pane, None));
    }
    let (pane, rect) = regions.panes.iter().find(|(_, rect)| rect.contains(at))?;
    let item = match pane {
        Pane::Phases => super::phases::phase_at(model, *rect, row).map(Hit::Row),
        Pane::Probes => super::probes::probe_at(model, *rect, row).map(Hit::Row),
        Pane::Signoff => {
            super::grid::cell_at(model, *rect, at).map(|(row, col)| Hit::Cell { row, col })
        }
        Pane::Lanes | Pane::Activity => None,
    };
    Some((*pane, item))
}
