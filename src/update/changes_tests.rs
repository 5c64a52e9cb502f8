//! A rollback hosted in the loop, fed only messages: planned, decided and recorded, then each
//! effect is one command, the answers move it on, the outcome is recorded once.

use chrono::Duration;

use super::update;
use crate::ledger::Payload;
use crate::model::Model;
use crate::model::command::Request;
use crate::model::command_plan::{CommandPlan, Outgoing};
use crate::model::fixtures::{open_question, three_lanes};
use crate::model::outcome::{Outcome, Status};
use crate::model::rollout::NextAction;
use crate::msg::{Cmd, Msg};
use crate::policy::CommandKind;
use crate::probes::ResolvedProbe;

const TO: &str = "clarity-backend-prod-00007-abc";

/// prod's rollback sent from the confirmation, planned by its task, its gates passed and its
/// record appended as `r1`: the change runs in the loop from here.
fn handed_over(model: &mut Model, probes: usize) -> Vec<Cmd> {
    let request = Request::Rollback {
        env: "prod".into(),
        to: None,
    };
    assert!(super::send::run(model, request, None, true).is_empty());
    let read = super::command_read::start_due(model);
    assert!(
        matches!(&read[..], [Cmd::ReadForCommand { env, .. }] if env == "prod"),
        "{read:?}"
    );
    update(model, Msg::LedgerEntries(Vec::new()));
    let mut outcome = Outcome::new(CommandKind::Rollback, "prod", Status::Done, "");
    outcome.release = Some("1.4.0".into());
    outcome.to_revision = Some(TO.into());
    let probes = (0..probes)
        .map(|i| ResolvedProbe::get(format!("http://127.0.0.1:1/p{i}")))
        .collect();
    let plan = CommandPlan {
        question: Some(open_question(CommandKind::Rollback, "prod", "1.4.0")),
        outcome,
        action: "rollback".into(),
        detail: serde_json::json!({}),
        send: Outgoing::Change {
            action: NextAction::RollBack { to: TO.into() },
            probes,
        },
    };
    let asked = super::planned(model, plan);
    assert!(matches!(asked[..], [Cmd::RecordCommand(_)]), "{asked:?}");
    let recorded = Msg::CommandRecorded {
        env: "prod".into(),
        result: Ok("r1".into()),
    };
    let cmds = update(model, recorded);
    assert!(model.operations.running.contains_key("prod"));
    cmds
}

fn applied() -> Msg {
    Msg::RolloutApplied {
        env: "prod".into(),
        result: Ok((None, 1)),
    }
}

fn probed(pass: bool) -> Msg {
    Msg::RolloutProbed {
        env: "prod".into(),
        pass: Some(pass),
        detail: if pass { "UP" } else { "DOWN (HTTP 503)" }.into(),
    }
}

fn outcomes(cmds: &[Cmd]) -> Vec<(bool, serde_json::Value)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::AppendLedger(Payload::CommandOutcome { ok, detail, .. }) => {
                Some((*ok, detail.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_change_then_each_probe_then_the_outcome_each_one_command() {
    let mut model = three_lanes(1);
    let cmds = handed_over(&mut model, 2);
    assert_eq!(
        cmds,
        [Cmd::ApplyChange {
            env: "prod".into(),
            action: NextAction::RollBack { to: TO.into() }
        }]
    );
    let cmds = update(&mut model, applied());
    assert!(
        matches!(&cmds[..], [Cmd::ProbeRevision { probe, .. }] if probe.url.ends_with("/p0")),
        "{cmds:?}"
    );
    let cmds = update(&mut model, probed(true));
    assert!(
        matches!(&cmds[..], [Cmd::ProbeRevision { probe, .. }] if probe.url.ends_with("/p1")),
        "{cmds:?}"
    );
    model.now += Duration::seconds(3);
    let cmds = update(&mut model, probed(true));
    let recorded = outcomes(&cmds);
    assert_eq!(recorded.len(), 1, "{cmds:?}");
    let (ok, detail) = &recorded[0];
    assert!(ok);
    assert_eq!(detail["healthy_after_secs"], 3.0);
    assert_eq!(detail["patches_sent"], 1);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::FetchLane { .. })),
        "lanes polled"
    );
    assert!(model.operations.changes.is_empty());
    assert!(!model.operations.running.contains_key("prod"));
    assert!(
        update(&mut model, probed(true)).is_empty(),
        "nothing waits any more"
    );
}

#[test]
fn a_lane_that_stays_unhealthy_is_recorded_failed_after_the_wait() {
    let mut model = three_lanes(1);
    handed_over(&mut model, 1);
    update(&mut model, applied());
    assert!(update(&mut model, probed(false)).is_empty());
    let start = model.now;
    let tick = |s| Msg::Tick {
        now: start + Duration::seconds(s),
    };
    assert!(matches!(
        update(&mut model, tick(1))[..],
        [Cmd::ProbeRevision { .. }]
    ));
    update(&mut model, probed(false));
    let cmds = update(&mut model, tick(crate::model::change_run::VERIFY_SECS));
    let recorded = outcomes(&cmds);
    assert_eq!(recorded.len(), 1, "{cmds:?}");
    assert!(!recorded[0].0);
    assert_eq!(recorded[0].1["status"], "failed");
    assert!(model.operations.changes.is_empty());
}

#[test]
fn a_change_the_api_refuses_is_recorded_with_its_error_and_probes_nothing() {
    let mut model = three_lanes(1);
    handed_over(&mut model, 1);
    let refused = Msg::RolloutApplied {
        env: "prod".into(),
        result: Err("403 PERMISSION_DENIED".into()),
    };
    let cmds = update(&mut model, refused);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::ProbeRevision { .. })));
    let recorded = outcomes(&cmds);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].1["message"], "403 PERMISSION_DENIED");
}

#[test]
fn q_while_a_rollback_is_out_quits_once_its_outcome_is_recorded() {
    use crate::msg::Action;
    let mut model = three_lanes(1);
    handed_over(&mut model, 1);
    update(&mut model, Msg::Action(Action::Quit));
    assert!(!model.quitting, "the change is out: not yet");
    let notice = model
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("quitting once rollback prod ends") && notice.contains("q again"),
        "{notice}"
    );
    update(&mut model, applied());
    assert!(!model.quitting, "the lane is not checked yet");
    let cmds = update(&mut model, probed(true));
    assert_eq!(outcomes(&cmds).len(), 1, "the outcome is recorded first");
    assert!(model.quitting);
}

#[test]
fn a_second_q_quits_at_once_and_esc_stays() {
    use crate::msg::Action;
    let mut model = three_lanes(1);
    handed_over(&mut model, 1);
    update(&mut model, Msg::Action(Action::Quit));
    update(&mut model, Msg::Action(Action::Back));
    update(&mut model, applied());
    update(&mut model, probed(true));
    assert!(
        !model.quitting,
        "Esc: the cockpit stays once the rollback ends"
    );

    let mut model = three_lanes(1);
    handed_over(&mut model, 1);
    update(&mut model, Msg::Action(Action::Quit));
    update(&mut model, Msg::Action(Action::Down));
    update(&mut model, Msg::Action(Action::Quit));
    assert!(!model.quitting, "another key in between: warned again");
    update(&mut model, Msg::Action(Action::Quit));
    assert!(model.quitting, "q twice: now");
}
