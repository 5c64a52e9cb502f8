//! Every change to a lane is confirmed, and the confirmation says what will change.

use super::tests::{Sent, sent};
use super::update;
use crate::model::command::Request;
use crate::model::confirm::{Change, Mark, Preview};
use crate::model::fixtures::three_lanes;
use crate::model::rollout::Rollout;
use crate::model::rollouts::Control;
use crate::model::{Model, Overlay, Prompt};
use crate::msg::{Action, Msg};
use crate::policy::{EnvPolicy, Gate};

fn model_on(lane: usize) -> Model {
    let mut model = three_lanes(1);
    model.canary_steps = vec![Vec::new(), vec![50, 100], vec![10, 50, 100]];
    model.canary_bake_secs = vec![0, 20, 30];
    model.policies[2] = EnvPolicy {
        confirm_by_name: true,
        require_signoff: true,
        two_person_rule: true,
        ..Default::default()
    };
    model.signoffs.account = Some("ana".into());
    for _ in 0..lane {
        update(&mut model, Msg::Action(Action::NextLane));
    }
    model
}

fn confirmation(model: &Model) -> (&Change, bool, &Preview) {
    match &model.overlay {
        Overlay::Prompt(Prompt::Confirm {
            change,
            typed,
            preview,
            ..
        }) => (change, *typed, preview),
        other => panic!("no confirmation: {other:?}"),
    }
}

fn row<'a>(preview: &'a Preview, label: &str) -> &'a str {
    preview
        .changes
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no `{label}` in {preview:?}"))
}

#[test]
fn a_promote_into_prod_names_versions_revisions_canary_and_gates() {
    let mut model = model_on(2);
    update(&mut model, Msg::Action(Action::PromoteHere));
    let (_, typed, preview) = confirmation(&model);
    assert!(typed, "prod asks for its name");
    assert_eq!(
        row(preview, "now"),
        "1.4.0 · 00007-abc 90% + 1.4.2 · 00008-abc 10%"
    );
    assert_eq!(
        row(preview, "after"),
        "1.4.2 · a new revision of staging's image (staging serves 00009-abc)"
    );
    assert_eq!(
        row(preview, "canary"),
        "10% → 50% → 100%, 30s bake at each step"
    );
    let gates: Vec<(Mark, &str)> = preview
        .gates
        .iter()
        .map(|g| (g.mark, g.text.as_str()))
        .collect();
    assert_eq!(
        gates,
        [
            (Mark::Passed, "no freeze windows"),
            (Mark::Unknown, "sign-off GO for 1.4.2: checked when sent"),
            (
                Mark::Unknown,
                "two-person rule: another account signed GO: checked when sent"
            ),
        ]
    );
}

#[test]
fn a_non_prod_lane_takes_enter_and_esc_sends_nothing() {
    let mut model = model_on(1);
    update(&mut model, Msg::Action(Action::PromoteHere));
    let (_, typed, preview) = confirmation(&model);
    assert!(!typed);
    assert_eq!(row(preview, "canary"), "50% → 100%, 20s bake at each step");
    assert!(update(&mut model, Msg::PromptCancelled).is_empty());
    assert!(model.operations.running.is_empty(), "Esc sends nothing");
    update(&mut model, Msg::Action(Action::PromoteHere));
    let cmds = update(&mut model, Msg::PromptSubmitted(String::new()));
    assert!(
        matches!(&sent(&model, &cmds)[..], [Sent { confirmed: true, request: Request::Promote { to, .. }, .. }] if to == "staging"),
        "{cmds:?}"
    );
}

#[test]
fn a_no_go_the_cockpit_can_see_asks_for_a_reason_first_then_confirms_it_overridden() {
    let mut model = model_on(2);
    model.signoffs.loaded = true;
    update(&mut model, Msg::Action(Action::PromoteHere));
    let Overlay::Prompt(Prompt::Override {
        refusals, gates, ..
    }) = &model.overlay
    else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(gates, &[Gate::Signoff, Gate::TwoPerson]);
    assert!(refusals[0].contains("not GO"), "{refusals:?}");
    assert!(update(&mut model, Msg::PromptSubmitted("INC-7 hotfix".into())).is_empty());
    let (_, _, preview) = confirmation(&model);
    let overridden: Vec<&str> = preview
        .gates
        .iter()
        .filter(|g| g.mark == Mark::Overridden)
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(overridden.len(), 2, "{preview:?}");
    assert!(
        overridden
            .iter()
            .all(|t| t.ends_with("— overridden: “INC-7 hotfix”"))
    );
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    assert!(
        matches!(&sent(&model, &cmds)[..], [Sent { confirmed: true, override_reason: Some(r), .. }] if r == "INC-7 hotfix"),
        "{cmds:?}"
    );
}

#[test]
fn a_trigger_and_a_rollback_say_from_what_to_what() {
    let mut model = model_on(0);
    update(&mut model, Msg::Action(Action::Trigger));
    update(&mut model, Msg::PromptSubmitted("1.6.0".into()));
    let (_, typed, preview) = confirmation(&model);
    assert!(!typed);
    assert_eq!(row(preview, "now"), "1.5.0 · 00012-abc 100%");
    assert_eq!(
        row(preview, "after"),
        "1.6.0 · a new revision (image tag 1.6.0)"
    );
    update(&mut model, Msg::PromptCancelled);
    let mut model = model_on(2);
    update(&mut model, Msg::Action(Action::RollbackHere));
    update(&mut model, Msg::PromptSubmitted("00006-abc".into()));
    let (change, typed, preview) = confirmation(&model);
    assert!(typed);
    assert!(matches!(change, Change::Command(Request::Rollback { .. })));
    assert_eq!(row(preview, "after"), "00006-abc (1.3.6, 3d old) at 100%");
    assert!(preview.gates[0].text.starts_with("no policy gate"));
}

#[test]
fn canary_controls_that_move_traffic_are_confirmed_pause_is_not() {
    let mut model = model_on(1);
    let mut rollout = Rollout::new(
        "req-1",
        "staging",
        "00009-abc",
        "repo:1.5.0",
        vec![50, 100],
        20,
        None,
        model.now,
    );
    rollout.to_revision = Some("00010-new".into());
    let hosted = crate::model::operations::Hosted {
        drive: crate::model::rollout_drive::Drive::new(
            rollout,
            "me",
            chrono::Duration::seconds(15),
        ),
        health: None,
        claim_pending: false,
        outcome: Box::new(crate::model::outcome::Outcome::new(
            crate::policy::CommandKind::Promote,
            "staging",
            crate::model::outcome::Status::Done,
            "",
        )),
    };
    model.operations.hosted.insert("staging".into(), hosted);
    assert!(update(&mut model, Msg::Action(Action::Advance)).is_empty());
    let (change, typed, preview) = confirmation(&model);
    assert_eq!(change, &Change::Control(Control::Advance));
    assert!(!typed);
    assert_eq!(
        row(preview, "canary"),
        "1.5.0: [50%] → 100%, 20s bake at each step"
    );
    assert_eq!(
        row(preview, "after"),
        "00010-new gets 100% now (the bake at 50% ends early)"
    );
    update(&mut model, Msg::PromptCancelled);
    update(&mut model, Msg::Action(Action::Abort));
    let (_, _, preview) = confirmation(&model);
    assert_eq!(
        row(preview, "after"),
        "all traffic back to 00009-abc (100%); 00010-new gets none"
    );
    update(&mut model, Msg::PromptCancelled);
    update(&mut model, Msg::Action(Action::PauseResume));
    assert_eq!(
        model.overlay,
        Overlay::None,
        "pause holds traffic: no question asked"
    );
}

#[test]
fn t_offers_what_built_or_runs_and_warns_before_a_version_that_never_built() {
    let mut model = model_on(0);
    model.pipeline.configured = true;
    model.pipeline.built = vec!["1.5.1".into()];
    update(&mut model, Msg::Action(Action::Trigger));
    let Overlay::Prompt(Prompt::Trigger { offered }) = &model.overlay else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(offered, &["1.5.1", "1.5.0", "1.4.2", "1.4.0"]);
    update(&mut model, Msg::PromptSubmitted("1.5.1".into()));
    let (_, _, preview) = confirmation(&model);
    assert!(
        preview.gates.iter().all(|g| g.mark != Mark::Warning),
        "{preview:?}"
    );
    update(&mut model, Msg::PromptCancelled);
    update(&mut model, Msg::Action(Action::Trigger));
    update(&mut model, Msg::PromptSubmitted("1.6.0-typo".into()));
    let (_, _, preview) = confirmation(&model);
    let warned: Vec<&str> = preview
        .gates
        .iter()
        .filter(|g| g.mark == Mark::Warning)
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(
        warned,
        ["1.6.0-typo never built here: no successful build of it was seen, and no lane runs it"]
    );
}

#[test]
fn a_deploy_policy_on_the_lane_asks_for_a_reason_and_shows_overridden_in_the_confirmation() {
    let mut model = model_on(1);
    let window = crate::policy::FreezeWindow {
        name: "deploy policy year-end/no-rollouts".into(),
        timezone: "America/New_York".into(),
        days: Vec::new(),
        start: None,
        end: None,
        from: Some("2000-01-01 00:00".into()),
        until: Some("2999-01-01 00:00".into()),
    };
    let freeze = crate::model::lane::PlatformFreeze {
        policy: "projects/p/locations/l/deployPolicies/year-end".into(),
        actions: vec!["CREATE".into()],
        window,
    };
    if let Some(service) = model.lanes[1].service.as_mut() {
        service.freezes = vec![freeze.clone()];
    }
    update(&mut model, Msg::Action(Action::PromoteHere));
    let Overlay::Prompt(Prompt::Override {
        refusals, gates, ..
    }) = &model.overlay
    else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(gates, &[Gate::Freeze]);
    assert!(
        refusals[0].contains("deploy policy year-end/no-rollouts")
            && refusals[0].contains("America/New_York"),
        "{refusals:?}"
    );
    update(&mut model, Msg::PromptSubmitted("incident 42".into()));
    let (_, _, preview) = confirmation(&model);
    assert_eq!(preview.gates[0].mark, Mark::Overridden, "{preview:?}");
    assert!(preview.gates[0].text.contains("year-end/no-rollouts"));
    // A freeze that restricts only ADVANCE does not stand before a promote.
    let mut model = model_on(1);
    if let Some(service) = model.lanes[1].service.as_mut() {
        service.freezes = vec![crate::model::lane::PlatformFreeze {
            actions: vec!["ADVANCE".into()],
            ..freeze
        }];
    }
    update(&mut model, Msg::Action(Action::PromoteHere));
    let (_, _, preview) = confirmation(&model);
    assert_eq!(preview.gates[0].mark, Mark::Passed, "{preview:?}");
}
