//! The phases pane's selection and a phase's detail overlay, driven only by messages.

use chrono::Duration;

use super::update;
use crate::model::fixtures::{clock, three_lanes};
use crate::model::fixtures_pipeline::{RunMoment, pipeline};
use crate::model::phase_detail::{Annotation, Annotations};
use crate::model::watch::PipelinePoll;
use crate::model::{Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Msg};

fn watching(moment: RunMoment) -> Model {
    let mut model = three_lanes(1);
    model.pipeline.configured = true;
    update(&mut model, Msg::PollDue { now: clock() });
    changed(&mut model, pipeline(moment));
    model.focus = Pane::Phases;
    model.detail = Pane::Phases;
    model
}

fn changed(model: &mut Model, run: crate::model::pipeline::Pipeline) {
    update(
        model,
        Msg::PipelinePolled {
            at: clock() + Duration::seconds(1),
            poll: PipelinePoll::Changed(Box::new(run)),
            budget: None,
        },
    );
}

fn press(model: &mut Model, action: Action) -> Vec<Cmd> {
    update(model, Msg::Action(action))
}

fn selected(model: &Model) -> Option<usize> {
    let run = model.pipeline.run.as_ref()?;
    model.pipeline.selection.selected(run)
}

#[test]
fn j_and_k_move_from_the_running_phase_and_stay_where_they_are_put() {
    let mut model = watching(RunMoment::RunningPhase4);
    assert_eq!(selected(&model), Some(3), "the running phase first");
    press(&mut model, Action::Up);
    assert_eq!(selected(&model), Some(2));
    for _ in 0..20 {
        press(&mut model, Action::Down);
    }
    assert_eq!(selected(&model), Some(9), "stops at the last phase");
    // The same run polled again keeps the selection; another run starts over.
    changed(&mut model, pipeline(RunMoment::FailedAtPhase6));
    assert_eq!(selected(&model), Some(9));
    let mut newer = pipeline(RunMoment::RunningPhase4);
    newer.run_id += 1;
    changed(&mut model, newer);
    assert_eq!(selected(&model), Some(3));
}

#[test]
fn enter_on_a_failed_phase_opens_it_and_asks_for_its_annotations_once() {
    let mut model = watching(RunMoment::FailedAtPhase6);
    assert_eq!(selected(&model), Some(5), "the failed phase first");
    let id = model.pipeline.run.as_ref().unwrap().phases[5]
        .check_run_id
        .unwrap();
    let cmds = press(&mut model, Action::Open);
    assert_eq!(model.overlay, Overlay::PhaseDetail(5));
    assert_eq!(cmds, [Cmd::FetchAnnotations { check_run_id: id }]);
    let annotation = Annotation {
        level: "failure".into(),
        title: Some("Verify data privacy".into()),
        message: "PHI found in a log line".into(),
        path: "release.sh".into(),
        start_line: 42,
        end_line: 42,
        raw_details: None,
    };
    update(
        &mut model,
        Msg::AnnotationsFetched {
            check_run_id: id,
            result: Ok(vec![annotation.clone()]),
        },
    );
    assert_eq!(
        model.pipeline.selection.annotations.get(&id),
        Some(&Annotations::Loaded(vec![annotation]))
    );
    press(&mut model, Action::Back);
    assert_eq!(model.overlay, Overlay::None);
    assert!(press(&mut model, Action::Open).is_empty(), "known already");
    press(&mut model, Action::Quit);
    assert_eq!(model.overlay, Overlay::None, "q closes the overlay");
    assert!(!model.quitting);
}

#[test]
fn a_failed_read_is_asked_again_and_a_passed_phase_needs_nothing() {
    let mut model = watching(RunMoment::FailedAtPhase6);
    let cmds = press(&mut model, Action::Open);
    let Some(Cmd::FetchAnnotations { check_run_id }) = cmds.first().cloned() else {
        panic!("{cmds:?}");
    };
    update(
        &mut model,
        Msg::AnnotationsFetched {
            check_run_id,
            result: Err("GitHub answered 403".into()),
        },
    );
    press(&mut model, Action::Back);
    assert_eq!(press(&mut model, Action::Open).len(), 1, "asked again");
    press(&mut model, Action::Back);
    press(&mut model, Action::Up);
    assert!(press(&mut model, Action::Open).is_empty());
    assert_eq!(model.overlay, Overlay::PhaseDetail(4));
}

#[test]
fn j_and_k_scroll_the_overlay_within_its_rows() {
    let mut model = watching(RunMoment::FailedAtPhase6);
    press(&mut model, Action::Open);
    // Three steps, a blank, the failure, "reading the annotations…": six rows.
    for _ in 0..10 {
        press(&mut model, Action::Down);
    }
    assert_eq!(model.pipeline.selection.scroll, 5);
    press(&mut model, Action::Up);
    assert_eq!(model.pipeline.selection.scroll, 4);
    assert_eq!(selected(&model), Some(5), "the pane's selection stays");
    press(&mut model, Action::Back);
    press(&mut model, Action::Open);
    assert_eq!(model.pipeline.selection.scroll, 0, "opens at the top");
}

#[test]
fn an_answer_nobody_asked_for_is_dropped() {
    let mut model = watching(RunMoment::FailedAtPhase6);
    update(
        &mut model,
        Msg::AnnotationsFetched {
            check_run_id: 7,
            result: Ok(Vec::new()),
        },
    );
    assert!(model.pipeline.selection.annotations.is_empty());
}

fn on_a_cloud_deploy_lane(states: &[&str]) -> Model {
    use crate::model::lane::{DeployPhase, DeployRollout};
    let mut model = watching(RunMoment::Done);
    model.selected_lane = 2;
    let service = model.lanes[2].service.as_mut().unwrap();
    service.rollout = Some(DeployRollout {
        id: "r-1".into(),
        version: "1.5.0".into(),
        state: "IN_PROGRESS".into(),
        phases: ["canary-10", "canary-50", "stable"]
            .iter()
            .zip(states)
            .map(|(id, state)| DeployPhase {
                id: (*id).into(),
                state: (*state).into(),
                jobs: Vec::new(),
            })
            .collect(),
        next_phase: None,
        failure: None,
    });
    model
}

#[test]
fn on_a_cloud_deploy_lane_j_k_select_the_rollout_s_phases_and_enter_opens_one() {
    let mut model = on_a_cloud_deploy_lane(&["SUCCEEDED", "IN_PROGRESS", "PENDING"]);
    let rollout = |m: &Model| {
        m.lanes[2]
            .service
            .as_ref()
            .unwrap()
            .rollout
            .clone()
            .unwrap()
    };
    let deploy_selected = |m: &Model| m.pipeline.selection.selected_deploy(&rollout(m));
    assert_eq!(
        deploy_selected(&model),
        Some(1),
        "the phase in progress first"
    );
    for _ in 0..5 {
        press(&mut model, Action::Down);
    }
    assert_eq!(deploy_selected(&model), Some(2), "stops at the last phase");
    let build = selected(&model);
    press(&mut model, Action::Up);
    press(&mut model, Action::Up);
    assert_eq!(deploy_selected(&model), Some(0));
    assert_eq!(
        selected(&model),
        build,
        "the build's selection is not moved"
    );
    let cmds = press(&mut model, Action::Open);
    assert!(cmds.is_empty(), "nothing to fetch: {cmds:?}");
    assert_eq!(model.overlay, Overlay::DeployPhaseDetail(0));
    press(&mut model, Action::Quit);
    assert_eq!(model.overlay, Overlay::None, "q closes the view");
    assert!(!model.quitting, "and does not quit");
}

#[test]
fn a_failed_cloud_deploy_phase_is_selected_first() {
    let model = on_a_cloud_deploy_lane(&["SUCCEEDED", "FAILED", "PENDING"]);
    let rollout = model.lanes[2]
        .service
        .as_ref()
        .unwrap()
        .rollout
        .clone()
        .unwrap();
    assert_eq!(model.pipeline.selection.selected_deploy(&rollout), Some(1));
}
