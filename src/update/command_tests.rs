use chrono::Duration;

use super::tests::{Sent, sent};
use super::update;
use crate::model::command::Request;
use crate::model::confirm::Mark;
use crate::model::fixtures::{clock, three_lanes};
use crate::model::outcome::{Outcome, Status};
use crate::model::probes::Probes;
use crate::model::{Model, Overlay, Prompt};
use crate::msg::{Action, Cmd, Msg};
use crate::policy::{CommandKind, EnvPolicy, Gate, Refusal};
use crate::probes::{Health, ProbeId, ProbeOutcome, ProbeReport, ProbeSpec, Verdict};

fn on_prod() -> Model {
    let mut model = three_lanes(1);
    model.canary_steps = vec![Vec::new(), Vec::new(), vec![10, 50, 100]];
    model.canary_bake_secs = vec![0, 0, 30];
    model.policies[2] = EnvPolicy {
        confirm_by_name: true,
        require_signoff: true,
        ..Default::default()
    };
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    model
}

fn promote() -> Request {
    Request::Promote {
        from: "staging".into(),
        to: "prod".into(),
        bake_secs: None,
    }
}

fn refused(gates: &[Gate]) -> Msg {
    let mut outcome = Outcome::new(CommandKind::Promote, "prod", Status::Refused, "refused");
    outcome.refusals = gates
        .iter()
        .map(|g| Refusal {
            gate: g.clone(),
            message: format!("{} says no", g.name()),
        })
        .collect();
    Msg::CommandFinished(Box::new(outcome))
}

/// `p` on prod, then prod's name typed at the confirmation.
fn promote_confirmed(model: &mut Model) -> Vec<Cmd> {
    assert!(update(model, Msg::Action(Action::PromoteHere)).is_empty());
    update(model, Msg::PromptSubmitted("prod".into()))
}

#[test]
fn p_promotes_into_the_selected_lane_from_the_one_before() {
    let mut model = on_prod();
    assert!(update(&mut model, Msg::Action(Action::PromoteHere)).is_empty());
    assert!(
        matches!(&model.overlay, Overlay::Prompt(Prompt::Confirm { env, typed: true, .. }) if env == "prod"),
        "nothing is sent before prod's name is typed"
    );
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: promote(),
            override_reason: None,
            confirmed: true
        }]
    );
    assert!(model.operations.running.contains_key("prod"));
    assert!(
        update(&mut model, Msg::Action(Action::PromoteHere)).is_empty(),
        "one command per lane at a time"
    );
}

#[test]
fn read_only_makes_every_command_unavailable() {
    let mut model = on_prod();
    model.read_only = true;
    for action in [Action::PromoteHere, Action::RollbackHere, Action::Trigger] {
        assert!(
            update(&mut model, Msg::Action(action)).is_empty(),
            "{action:?}"
        );
        assert!(model.notice.as_ref().unwrap().text.contains("read-only"));
        assert_eq!(model.overlay, Overlay::None);
    }
}

#[test]
fn prod_asks_for_its_name_and_only_the_exact_name_sends() {
    let mut model = on_prod();
    update(&mut model, Msg::Action(Action::PromoteHere));
    assert!(update(&mut model, Msg::PromptSubmitted("staging".into())).is_empty());
    assert!(
        model
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was sent")
    );
    let cmds = promote_confirmed(&mut model);
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: promote(),
            override_reason: None,
            confirmed: true
        }]
    );
}

#[test]
fn an_overridable_refusal_takes_a_reason_and_sends_it_along() {
    let mut model = on_prod();
    promote_confirmed(&mut model);
    update(&mut model, refused(&[Gate::Freeze, Gate::Signoff]));
    let Overlay::Prompt(Prompt::Override { refusals, .. }) = &model.overlay else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(
        refusals,
        &vec!["freeze says no".to_string(), "signoff says no".to_string()]
    );
    assert!(
        update(&mut model, Msg::PromptSubmitted("  ".into())).is_empty(),
        "a blank reason is no override"
    );
    promote_confirmed(&mut model);
    update(&mut model, refused(&[Gate::Freeze]));
    let asked = update(
        &mut model,
        Msg::PromptSubmitted("hotfix for INC-4411".into()),
    );
    assert!(asked.is_empty(), "the confirmation comes last, again");
    let Overlay::Prompt(Prompt::Confirm { preview, .. }) = &model.overlay else {
        panic!("{:?}", model.overlay)
    };
    assert!(
        preview
            .gates
            .iter()
            .any(|g| g.mark == Mark::Overridden && g.text.contains("“hotfix for INC-4411”")),
        "{preview:?}"
    );
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: promote(),
            override_reason: Some("hotfix for INC-4411".into()),
            confirmed: true
        }]
    );
}

#[test]
fn a_read_only_refusal_cannot_be_overridden() {
    let mut model = on_prod();
    promote_confirmed(&mut model);
    update(&mut model, refused(&[Gate::ReadOnly]));
    assert_eq!(model.overlay, Overlay::None);
    assert!(model.notice.unwrap().text.contains("read_only says no"));
}

#[test]
fn the_command_line_parses_commands_and_names_what_it_does_not_know() {
    let mut model = on_prod();
    let line = |model: &mut Model, text: &str| {
        model.overlay = Overlay::Prompt(Prompt::CommandLine);
        let mut cmds = update(model, Msg::PromptSubmitted(text.into()));
        // The history file is another test's business.
        cmds.retain(|c| !matches!(c, Cmd::RememberCommand(_)));
        match &model.overlay {
            Overlay::Prompt(Prompt::Confirm { env, .. }) => {
                let env = env.clone();
                update(model, Msg::PromptSubmitted(env))
            }
            _ => cmds,
        }
    };
    let cmds = line(&mut model, "rollback prod 00007-abc");
    let expected = Request::Rollback {
        env: "prod".into(),
        to: Some("00007-abc".into()),
    };
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: expected,
            override_reason: None,
            confirmed: true
        }]
    );
    model.operations.running.clear();
    let cmds = line(&mut model, "trigger 1.6.0");
    assert!(
        matches!(&sent(&model, &cmds)[..], [Sent { request: Request::Trigger { version, .. }, .. }] if version == "1.6.0")
    );
    assert!(line(&mut model, "promote staging qa").is_empty());
    assert!(
        model
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("lanes: dev, staging, prod")
    );
    line(&mut model, "quit");
    assert!(model.quitting);
}

fn probe_model() -> Model {
    let mut model = three_lanes(1);
    let spec: ProbeSpec = toml::from_str(
        "name = \"health\"\npath = \"/health\"\ninterval_secs = 2\nfailure_threshold = 2",
    )
    .unwrap();
    let specs = [spec];
    model.probes = Probes::from_profile([
        ("dev", &specs[..]),
        ("staging", &[][..]),
        ("prod", &specs[..]),
    ]);
    model
}

fn report(lane: &str, secs: i64, health: Health) -> Msg {
    let outcome = ProbeOutcome {
        http_status: Some(if health == Health::Fail { 503 } else { 200 }),
        latency: std::time::Duration::from_millis(12),
        status: health,
        format: None,
        checks: Vec::new(),
        reason: (health == Health::Fail).then(|| "HTTP 503".to_string()),
        body: String::new(),
    };
    Msg::ProbeReport(Box::new(ProbeReport {
        id: ProbeId::new(lane, "health"),
        at: clock() + Duration::seconds(secs),
        outcome,
    }))
}

#[test]
fn probes_start_when_the_service_uri_is_known() {
    let mut model = probe_model();
    let state = model.lanes[2].service.clone().unwrap();
    let cmds = update(
        &mut model,
        Msg::LaneFetched {
            lane: 2,
            at: clock(),
            result: Ok(Box::new(state.clone())),
        },
    );
    let Some(Cmd::SetProbes(set)) = cmds.last() else {
        panic!("{cmds:?}")
    };
    let urls: Vec<&str> = set.iter().map(|(_, p)| p.url.as_str()).collect();
    assert!(
        urls.contains(&"http://127.0.0.1:1/apps/clarity-backend-prod/health"),
        "{urls:?}"
    );
    let again = update(
        &mut model,
        Msg::LaneFetched {
            lane: 2,
            at: clock(),
            result: Ok(Box::new(state)),
        },
    );
    assert!(
        !again.iter().any(|c| matches!(c, Cmd::SetProbes(_))),
        "same URIs: the engine is left alone"
    );
}

#[test]
fn a_lane_turns_red_only_after_the_threshold_and_says_so() {
    let mut model = probe_model();
    assert_eq!(
        model.probes.lane_verdict(2, model.now),
        Verdict::Unknown,
        "no answer yet is not green"
    );
    update(&mut model, report("prod", 0, Health::Pass));
    assert_eq!(model.probes.lane_verdict(2, model.now), Verdict::Pass);
    update(&mut model, report("prod", 1, Health::Fail));
    assert_eq!(model.probes.lane_verdict(2, model.now), Verdict::Warn);
    update(&mut model, report("prod", 2, Health::Fail));
    assert_eq!(model.probes.lane_verdict(2, model.now), Verdict::Fail);
    assert!(
        model.activity.entries[0]
            .text
            .starts_with("probe health: FAIL"),
        "{:?}",
        model.activity.entries[0]
    );
    model.now = clock() + Duration::seconds(30);
    assert_eq!(model.probes.lane_verdict(2, model.now), Verdict::Stale);
}

#[test]
fn after_an_override_only_the_typed_name_is_asked_and_the_reason_is_kept() {
    let mut model = on_prod();
    promote_confirmed(&mut model);
    update(&mut model, refused(&[Gate::Signoff, Gate::TwoPerson]));
    update(
        &mut model,
        Msg::PromptSubmitted("signed off in RELEASE-88".into()),
    );
    let Overlay::Prompt(Prompt::Confirm {
        override_reason,
        overridden,
        ..
    }) = &model.overlay
    else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(override_reason.as_deref(), Some("signed off in RELEASE-88"));
    assert_eq!(overridden, &vec![Gate::Signoff, Gate::TwoPerson]);
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    let expected = Sent {
        request: promote(),
        override_reason: Some("signed off in RELEASE-88".into()),
        confirmed: true,
    };
    assert_eq!(sent(&model, &cmds), vec![expected]);
}

#[test]
fn rollback_offers_the_revision_list_and_enter_takes_the_previous_one() {
    let mut model = on_prod();
    update(&mut model, Msg::Action(Action::RollbackHere));
    let Overlay::Prompt(Prompt::Rollback { env, revisions }) = &model.overlay else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(env, "prod");
    assert!(
        revisions[0].starts_with("00008-abc") && revisions[0].ends_with("serving 10%"),
        "{revisions:?}"
    );
    update(&mut model, Msg::PromptSubmitted(String::new()));
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    let previous = Request::Rollback {
        env: "prod".into(),
        to: None,
    };
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: previous,
            override_reason: None,
            confirmed: true
        }]
    );
    model.operations.running.clear();
    update(&mut model, Msg::Action(Action::RollbackHere));
    update(&mut model, Msg::PromptSubmitted(" 00006-abc ".into()));
    let cmds = update(&mut model, Msg::PromptSubmitted("prod".into()));
    let picked = Request::Rollback {
        env: "prod".into(),
        to: Some("00006-abc".into()),
    };
    assert_eq!(
        sent(&model, &cmds),
        vec![Sent {
            request: picked,
            override_reason: None,
            confirmed: true
        }]
    );
}
