//! The mouse, fed to `update` as the runtime sends it (pane and item already measured).

use super::update;
use crate::model::fixtures::{clock, three_lanes};
use crate::model::fixtures_pipeline::{RunMoment, pipeline};
use crate::model::{Model, Overlay, Pane};
use crate::msg::{Hit, Msg, PointerKind};

fn at(model: &mut Model, pane: Pane, item: Option<usize>, kind: PointerKind) {
    let item = item.map(Hit::Row);
    update(model, Msg::Pointer { pane, item, kind });
}

fn with_run() -> Model {
    let mut model = three_lanes(1);
    model.pipeline.configured = true;
    model.pipeline.run = Some(pipeline(RunMoment::FailedAtPhase6));
    model.pipeline.fetched_at = Some(clock());
    model
}

#[test]
fn a_click_on_a_lane_selects_it_and_focuses_the_lanes() {
    let mut model = with_run();
    model.focus = Pane::Probes;
    at(&mut model, Pane::Lanes, Some(2), PointerKind::Click);
    assert_eq!((model.focus, model.selected_lane), (Pane::Lanes, 2));
    // Between cards: the pane has the focus, the selection stays.
    at(&mut model, Pane::Lanes, None, PointerKind::Click);
    assert_eq!(model.selected_lane, 2);
}

#[test]
fn a_click_on_a_phase_selects_it_and_on_a_pane_focuses_it() {
    let mut model = with_run();
    at(&mut model, Pane::Phases, Some(8), PointerKind::Click);
    assert_eq!((model.focus, model.detail), (Pane::Phases, Pane::Phases));
    assert_eq!(model.pipeline.selection.cursor, Some(8));
    at(&mut model, Pane::Activity, None, PointerKind::Click);
    assert_eq!(
        (model.focus, model.detail),
        (Pane::Activity, Pane::Activity)
    );
    at(&mut model, Pane::Probes, Some(0), PointerKind::Click);
    assert_eq!(model.focus, Pane::Probes);
}

#[test]
fn the_wheel_scrolls_the_pane_under_it_and_an_open_overlay() {
    let mut model = with_run();
    at(&mut model, Pane::Phases, None, PointerKind::WheelUp);
    assert_eq!(model.focus, Pane::Phases);
    assert_eq!(
        model.pipeline.selection.cursor,
        Some(4),
        "from the failed phase up one"
    );
    at(&mut model, Pane::Lanes, None, PointerKind::WheelDown);
    assert_eq!(model.selected_lane, 1);
    // Enter on the failed phase, then the wheel scrolls the overlay, not the pane.
    at(&mut model, Pane::Phases, Some(5), PointerKind::Click);
    update(&mut model, Msg::Action(crate::msg::Action::Open));
    assert_eq!(model.overlay, Overlay::PhaseDetail(5));
    at(&mut model, Pane::Phases, None, PointerKind::WheelDown);
    assert_eq!(model.pipeline.selection.scroll, 1);
    assert_eq!(model.pipeline.selection.cursor, Some(5));
    // A click does not reach under an overlay.
    at(&mut model, Pane::Lanes, Some(0), PointerKind::Click);
    assert_eq!(
        (model.selected_lane, model.overlay.clone()),
        (1, Overlay::PhaseDetail(5))
    );
}

#[test]
fn a_click_on_a_grid_cell_moves_the_cursor_there() {
    let mut model = with_run();
    model.signoffs.config = crate::policy::SignoffConfig {
        items: vec!["Database".into(), "Security".into()],
        roles: ["Technical Lead", "Security Officer"]
            .into_iter()
            .map(|name| crate::policy::RoleConfig {
                name: name.into(),
                accounts: vec!["alice".into()],
                required: true,
            })
            .collect(),
    };
    update(&mut model, Msg::LedgerEntries(Vec::new()));
    assert!(model.signoffs.grid.is_some(), "prod's grid");
    update(
        &mut model,
        Msg::Pointer {
            pane: Pane::Signoff,
            item: Some(Hit::Cell { row: 1, col: 1 }),
            kind: PointerKind::Click,
        },
    );
    let cursor = model.signoffs.grid.as_ref().unwrap().cursor;
    assert_eq!((model.focus, cursor.row, cursor.col), (Pane::Signoff, 1, 1));
}
