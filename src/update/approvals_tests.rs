//! `approvals` through `update`, as the runtime drives it.

use super::tests::{Sent, sent};
use super::update;
use crate::model::command::GateAction;
use crate::model::command::Request;
use crate::model::fixtures::three_lanes;
use crate::model::fixtures_pipeline::{RunMoment, pipeline};
use crate::model::{Model, Overlay, Prompt};
use crate::msg::Msg;
use crate::msg::{Action, Cmd};

fn on_prod(can_approve: bool) -> Model {
    let mut model = three_lanes(1);
    let mut run = pipeline(RunMoment::WaitingApproval);
    run.approvals[0].current_user_can_approve = can_approve;
    model.pipeline.run = Some(run);
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    model
}

fn notice(model: &Model) -> String {
    model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn approving_asks_for_a_comment_then_sends_the_gate_command() {
    let mut model = on_prod(true);
    assert!(update(&mut model, Msg::Action(Action::Approve)).is_empty());
    let prompt = Prompt::Review {
        env: "prod".into(),
        reject: false,
    };
    assert_eq!(model.overlay, Overlay::Prompt(prompt));
    let cmds = update(&mut model, Msg::PromptSubmitted("looks good".into()));
    let request = Request::Gate {
        env: "prod".into(),
        action: GateAction::Approve,
        comment: Some("looks good".into()),
    };
    assert!(
        matches!(&sent(&model, &cmds)[..], [Sent { request: r, .. }] if *r == request),
        "{cmds:?}"
    );
    assert_eq!(model.operations.running["prod"].label, "approve prod");
}

#[test]
fn rejecting_with_no_comment_sends_only_the_grids() {
    let mut model = on_prod(true);
    update(&mut model, Msg::Action(Action::Reject));
    let cmds = update(&mut model, Msg::PromptSubmitted(String::new()));
    assert!(
        matches!(
            &sent(&model, &cmds)[..],
            [Sent {
                request: Request::Gate {
                    action: GateAction::Reject,
                    comment: None,
                    ..
                },
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn a_non_reviewer_or_a_lane_with_nothing_waiting_is_told_why() {
    let mut model = on_prod(false);
    assert!(update(&mut model, Msg::Action(Action::Approve)).is_empty());
    assert_eq!(model.overlay, Overlay::None);
    assert!(
        notice(&model).contains("you are not a required reviewer of prod")
            && notice(&model).contains("oncall-lead or team release-managers"),
        "{}",
        notice(&model)
    );
    update(&mut model, Msg::Action(Action::PrevLane));
    update(&mut model, Msg::Action(Action::Approve));
    assert_eq!(model.overlay, Overlay::None);
    assert!(notice(&model).contains("nothing waits for approval on staging"));
}

fn rollout(phases: &[(&str, &str)], next: Option<&str>) -> crate::model::lane::DeployRollout {
    crate::model::lane::DeployRollout {
        id: "r-1-4-2-to-prod".into(),
        version: "1.4.2".into(),
        state: "IN_PROGRESS".into(),
        phases: phases
            .iter()
            .map(|(id, state)| crate::model::lane::DeployPhase {
                id: (*id).into(),
                state: (*state).into(),
                jobs: Vec::new(),
            })
            .collect(),
        next_phase: next.map(str::to_string),
        failure: None,
    }
}

fn confirm(model: &Model) -> (bool, Vec<(String, String)>) {
    match &model.overlay {
        Overlay::Prompt(Prompt::Confirm { typed, preview, .. }) => {
            (*typed, preview.changes.clone())
        }
        other => panic!("no confirmation: {other:?}"),
    }
}

fn row(changes: &[(String, String)], label: &str) -> String {
    changes
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| panic!("no `{label}` in {changes:?}"))
}

fn gate(model: &Model, cmds: &[Cmd]) -> Option<GateAction> {
    match &sent(model, cmds)[..] {
        [
            Sent {
                request: Request::Gate { action, .. },
                confirmed: true,
                ..
            },
        ] => Some(action.clone()),
        _ => None,
    }
}

#[test]
fn on_a_cloud_deploy_lane_a_and_x_are_confirmed_naming_the_rollout_and_phases() {
    let mut model = on_prod(true);
    model.clouddeploy_lanes = vec![false, true, true];
    model.operations.setup = Some(crate::model::fixtures::setup_of(
        "profiles/clouddeploy-sandbox.toml",
        include_str!("../../profiles/clouddeploy-sandbox.toml"),
    ));
    model.policies[2].confirm_by_name = true;
    let phases = [
        ("canary-10", "SUCCEEDED"),
        ("canary-50", "PENDING"),
        ("stable", "PENDING"),
    ];
    for lane in [1, 2] {
        if let Some(service) = model.lanes[lane].service.as_mut() {
            service.rollout = Some(rollout(&phases, Some("canary-50")));
        }
    }
    // prod: advance asks for the typed name and says what moves.
    assert!(update(&mut model, Msg::Action(Action::Advance)).is_empty());
    let (typed, changes) = confirm(&model);
    assert!(typed, "prod asks for its name");
    assert_eq!(
        row(&changes, "rollout"),
        "r-1-4-2-to-prod · 1.4.2 · in progress"
    );
    assert_eq!(row(&changes, "phase"), "canary-10 done → canary-50");
    assert_eq!(row(&changes, "after"), "canary-50 starts: 50% on 1.4.2");
    let cmds = update(&mut model, Msg::PromptSubmitted("staging".into()));
    assert!(cmds.is_empty(), "a wrong name sends nothing: {cmds:?}");
    update(&mut model, Msg::Action(Action::Advance));
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    assert_eq!(gate(&model, &cmds), Some(GateAction::Advance(None)));
    assert!(model.operations.running.contains_key("prod"));
    // staging: cancel takes Enter; Esc first sends nothing.
    update(&mut model, Msg::Action(Action::PrevLane));
    update(&mut model, Msg::Action(Action::Abort));
    let (typed, changes) = confirm(&model);
    assert!(!typed);
    assert_eq!(row(&changes, "phase"), "canary-10 done → cancelled");
    assert!(row(&changes, "after").contains("staging keeps what it ran"));
    assert!(update(&mut model, Msg::PromptCancelled).is_empty());
    assert!(!model.operations.running.contains_key("staging"));
    update(&mut model, Msg::Action(Action::Abort));
    let cmds = update(&mut model, Msg::PromptSubmitted(String::new()));
    assert_eq!(gate(&model, &cmds), Some(GateAction::Cancel));
    assert_eq!(model.operations.running["staging"].label, "cancel staging");
}
