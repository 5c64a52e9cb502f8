use chrono::Duration;

use super::update;
use crate::model::fixtures::{clock, service, three_lanes};
use crate::model::lane::Freshness;
use crate::model::{Level, Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Msg};

/// A command sent on its way: the request its reads started for (`Cmd::ReadForCommand`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sent {
    pub request: crate::model::command::Request,
    pub override_reason: Option<String>,
    pub confirmed: bool,
}

/// The commands `cmds` started reading for (one per environment), as the model keeps them.
pub(super) fn sent(model: &Model, cmds: &[Cmd]) -> Vec<Sent> {
    let envs: std::collections::BTreeSet<&String> = cmds
        .iter()
        .filter_map(|cmd| match cmd {
            Cmd::ReadForCommand { env, .. } => Some(env),
            _ => None,
        })
        .collect();
    envs.into_iter()
        .filter_map(|env| model.operations.running.get(env))
        .map(|running| Sent {
            request: running.request.clone(),
            override_reason: running.override_reason.clone(),
            confirmed: running.confirmed,
        })
        .collect()
}

fn empty_model() -> Model {
    let envs = ["dev".to_string(), "staging".to_string(), "prod".to_string()];
    Model::new("svc", "sandbox", &envs, 2, clock())
}

fn fetched(lane: usize, secs: i64, result: Result<crate::model::lane::ServiceState, &str>) -> Msg {
    Msg::LaneFetched {
        lane,
        at: clock() + Duration::seconds(secs),
        result: result.map(Box::new).map_err(str::to_string),
    }
}

#[test]
fn a_poll_asks_for_every_idle_lane_once() {
    let mut model = empty_model();
    let cmds = update(&mut model, Msg::PollDue { now: clock() });
    assert_eq!(
        cmds,
        vec![
            Cmd::FetchLane { lane: 0 },
            Cmd::FetchLane { lane: 1 },
            Cmd::FetchLane { lane: 2 }
        ]
    );
    assert!(model.lanes.iter().all(|l| l.in_flight));
}

#[test]
fn polls_coalesce_to_one_in_flight_and_one_queued() {
    let mut model = empty_model();
    update(&mut model, Msg::PollDue { now: clock() });
    // Two more polls while every lane is busy: nothing new is sent, one poll is queued per lane.
    assert!(update(&mut model, Msg::PollDue { now: clock() }).is_empty());
    assert!(update(&mut model, Msg::PollDue { now: clock() }).is_empty());
    assert!(model.lanes.iter().all(|l| l.queued));
    // The answer for dev releases exactly the one queued poll.
    let cmds = update(
        &mut model,
        fetched(0, 1, Ok(service("dev", &[(3, "1.4.3", 100)]))),
    );
    assert_eq!(cmds, vec![Cmd::FetchLane { lane: 0 }]);
    let cmds = update(
        &mut model,
        fetched(0, 2, Ok(service("dev", &[(3, "1.4.3", 100)]))),
    );
    assert!(cmds.is_empty());
}

#[test]
fn an_unchanged_answer_does_not_redraw() {
    let mut model = empty_model();
    update(
        &mut model,
        fetched(0, 1, Ok(service("dev", &[(3, "1.4.3", 100)]))),
    );
    model.dirty = false;
    update(
        &mut model,
        fetched(0, 2, Ok(service("dev", &[(3, "1.4.3", 100)]))),
    );
    assert!(!model.dirty, "same data must not cause a frame");
    assert_eq!(
        model.lanes[0].fetched_at,
        Some(clock() + Duration::seconds(2))
    );
}

#[test]
fn traffic_changes_and_new_revisions_are_told_in_the_activity_pane() {
    let mut model = empty_model();
    update(
        &mut model,
        fetched(2, 1, Ok(service("prod", &[(7, "1.4.0", 100)]))),
    );
    update(
        &mut model,
        fetched(
            2,
            3,
            Ok(service("prod", &[(7, "1.4.0", 90), (8, "1.4.2", 10)])),
        ),
    );
    let texts: Vec<&str> = model
        .activity
        .entries
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(texts[0], "traffic now 00007-abc 90% · 00008-abc 10%");
    assert_eq!(texts[1], "new revision 00008-abc (1.4.2)");
    assert_eq!(model.activity.entries[0].lane.as_deref(), Some("prod"));
}

#[test]
fn an_error_keeps_the_old_data_but_marks_it_stale_and_is_logged_once() {
    let mut model = empty_model();
    update(
        &mut model,
        fetched(1, 0, Ok(service("staging", &[(9, "1.4.2", 100)]))),
    );
    for secs in 1..4 {
        update(
            &mut model,
            fetched(1, secs, Err("GET http://x/v2/s: connection failed")),
        );
    }
    let lane = &model.lanes[1];
    assert!(lane.service.is_some(), "last good data is kept");
    assert_eq!(lane.freshness(clock(), 2), Freshness::Stale);
    let errors = model
        .activity
        .entries
        .iter()
        .filter(|e| e.level == Level::Error)
        .count();
    assert_eq!(errors, 1, "a repeated error is not logged again");
    update(
        &mut model,
        fetched(1, 5, Ok(service("staging", &[(9, "1.4.2", 100)]))),
    );
    assert_eq!(model.lanes[1].error, None);
    assert_eq!(model.activity.entries[0].level, Level::Good);
}

#[test]
fn data_older_than_two_intervals_is_stale() {
    let model = three_lanes(5);
    assert_eq!(model.lanes[0].freshness(model.now, 2), Freshness::Stale);
    let model = three_lanes(4);
    assert_eq!(model.lanes[0].freshness(model.now, 2), Freshness::Fresh);
    let model = empty_model();
    assert_eq!(model.lanes[0].freshness(model.now, 2), Freshness::Unknown);
}

#[test]
fn the_clock_redraws_once_a_second_not_more() {
    let mut model = empty_model();
    model.dirty = false;
    update(
        &mut model,
        Msg::Tick {
            now: clock() + Duration::milliseconds(300),
        },
    );
    assert!(!model.dirty);
    update(
        &mut model,
        Msg::Tick {
            now: clock() + Duration::milliseconds(1100),
        },
    );
    assert!(model.dirty);
}

#[test]
fn keys_move_focus_and_lanes_within_bounds() {
    let mut model = empty_model();
    let table = [
        (Action::Right, Pane::Lanes, 1),
        (Action::Right, Pane::Lanes, 2),
        (Action::Right, Pane::Lanes, 2),
        (Action::Left, Pane::Lanes, 1),
        (Action::NextPane, Pane::Phases, 1),
        (Action::NextPane, Pane::Probes, 1),
        (Action::NextPane, Pane::Signoff, 1),
        (Action::NextPane, Pane::Activity, 1),
        (Action::NextPane, Pane::Lanes, 1),
        (Action::PrevPane, Pane::Activity, 1),
        (Action::PrevLane, Pane::Activity, 0),
    ];
    for (action, pane, lane) in table {
        update(&mut model, Msg::Action(action));
        assert_eq!(
            (model.focus, model.selected_lane),
            (pane, lane),
            "after {action:?}"
        );
    }
}

#[test]
fn help_opens_closes_and_swallows_other_keys() {
    let mut model = empty_model();
    update(&mut model, Msg::Action(Action::ToggleHelp));
    assert_eq!(model.overlay, Overlay::Help);
    update(&mut model, Msg::Action(Action::Right));
    assert_eq!(model.selected_lane, 0);
    update(&mut model, Msg::Action(Action::Back));
    assert_eq!(model.overlay, Overlay::None);
    update(&mut model, Msg::Action(Action::Quit));
    assert!(model.quitting);
}

#[test]
fn reconciling_is_timed_from_when_it_was_first_seen() {
    let mut model = empty_model();
    let mut busy = service("dev", &[(3, "1.4.3", 100)]);
    busy.reconciling = true;
    busy.generation += 1;
    update(&mut model, fetched(0, 10, Ok(busy.clone())));
    busy.latest_created = Some("00004-abc".into());
    update(&mut model, fetched(0, 12, Ok(busy)));
    assert_eq!(
        model.lanes[0].reconciling_since,
        Some(clock() + Duration::seconds(10))
    );
    update(
        &mut model,
        fetched(0, 14, Ok(service("dev", &[(4, "1.4.4", 100)]))),
    );
    assert_eq!(model.lanes[0].reconciling_since, None);
}

#[test]
fn slash_filters_the_activity_pane_and_esc_clears_it() {
    let mut model = empty_model();
    update(
        &mut model,
        fetched(2, 1, Ok(service("prod", &[(7, "1.4.0", 100)]))),
    );
    update(
        &mut model,
        fetched(0, 1, Ok(service("dev", &[(3, "1.4.3", 100)]))),
    );
    update(&mut model, Msg::Action(Action::Filter));
    assert!(matches!(model.overlay, Overlay::Prompt(_)));
    update(&mut model, Msg::PromptSubmitted("prod".into()));
    assert_eq!(model.focus, Pane::Activity);
    let shown: Vec<_> = model.activity.visible().map(|e| e.lane.clone()).collect();
    assert_eq!(shown, vec![Some("prod".to_string())]);
    update(&mut model, Msg::Action(Action::Back));
    assert_eq!(model.activity.visible().count(), 2);
}
