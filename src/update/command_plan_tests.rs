//! A planned command in the loop, fed only messages: each step is one effect (the record at the
//! entry the gates rest on, the one provider call, the outcome's record), a record that finds
//! new entries plans again and sends nothing, and a rollout is driven here once recorded.

use super::tests::{Sent, sent};
use super::update;
use crate::ledger::Payload;
use crate::model::Model;
use crate::model::command::Request;
use crate::model::command_plan::{CommandPlan, NotRecorded, Outgoing, ProviderCall, RolloutPlan};
use crate::model::fixtures::{open_question, three_lanes};
use crate::model::operations::CommandPhase;
use crate::model::outcome::{Outcome, Status};
use crate::msg::{Cmd, Msg};
use crate::policy::CommandKind;

fn promote() -> Request {
    Request::Promote {
        from: "staging".into(),
        to: "prod".into(),
        bake_secs: None,
    }
}

/// The ledger is read (empty) and carol's promote into prod is confirmed: its task reads next.
fn running(override_reason: Option<&str>) -> Model {
    let mut model = three_lanes(1);
    model.signoffs.account = Some("carol".into());
    update(&mut model, Msg::LedgerEntries(Vec::new()));
    super::send::run(&mut model, promote(), override_reason.map(Into::into), true);
    model
}

fn script() -> ProviderCall {
    ProviderCall::Script {
        key: "promote".into(),
        argv: vec!["deploy.sh".into(), "{version}".into()],
        version: "1.4.2".into(),
        from: "staging".into(),
        to: "prod".into(),
        revision: String::new(),
    }
}

/// What the task planned: no gate of the profile stands in the way.
fn plan(send: Outgoing) -> CommandPlan {
    let mut outcome = Outcome::new(CommandKind::Promote, "prod", Status::Done, "");
    outcome.release = Some("1.4.2".into());
    CommandPlan {
        question: Some(open_question(CommandKind::Promote, "prod", "1.4.2")),
        outcome,
        action: "promote".into(),
        detail: serde_json::json!({"command": ["deploy.sh"]}),
        send,
    }
}

fn recorded(request_id: &str) -> Msg {
    Msg::CommandRecorded {
        env: "prod".into(),
        result: Ok(request_id.into()),
    }
}

/// The `command_outcome` entries among `cmds`: request id and whether it went well.
fn outcome_entries(cmds: &[Cmd]) -> Vec<(&str, bool)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::AppendLedger(Payload::CommandOutcome { request_id, ok, .. }) => {
                Some((request_id.as_str(), *ok))
            }
            _ => None,
        })
        .collect()
}

fn phase(model: &Model) -> Option<&CommandPhase> {
    model.operations.running.get("prod").map(|r| &r.phase)
}

#[test]
fn a_plan_is_recorded_at_the_entry_its_gates_rest_on_then_its_one_call_goes_out() {
    let mut model = running(None);
    assert!(matches!(phase(&model), Some(CommandPhase::Reading(_))));
    let cmds = super::planned(&mut model, plan(Outgoing::Call(script())));
    let [Cmd::RecordCommand(record)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (record.action.as_str(), record.env.as_str(), record.read_at),
        ("promote", "prod", Some(0))
    );
    assert!(matches!(phase(&model), Some(CommandPhase::Recording(_))));

    let cmds = update(&mut model, recorded("req-9"));
    let [Cmd::CallProvider { call, outcome }] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(**call, script());
    assert_eq!(outcome.request_id.as_deref(), Some("req-9"));
    let lane_says = model.operations.running["prod"].status_line();
    assert_eq!(lane_says, "running deploy.sh {version}");

    let mut done = (**outcome).clone();
    done.message = "script.promote exited 0".into();
    let cmds = update(&mut model, Msg::CommandCalled(Box::new(done)));
    assert_eq!(outcome_entries(&cmds), [("req-9", true)]);
    assert!(phase(&model).is_none(), "the command is over");
    assert!(model.notice.as_ref().unwrap().text.contains("exited 0"));
}

#[test]
fn a_record_that_finds_new_entries_sends_nothing_and_plans_again_three_times_at_most() {
    let mut model = running(None);
    let moved = || Msg::CommandRecorded {
        env: "prod".into(),
        result: Err(NotRecorded::Moved {
            read_at: 0,
            head_seq: 1,
        }),
    };
    for decision in 2..=3 {
        super::planned(&mut model, plan(Outgoing::Call(script())));
        let cmds = update(&mut model, moved());
        assert_eq!(
            sent(&model, &cmds),
            [Sent {
                request: promote(),
                override_reason: None,
                confirmed: true,
            }],
            "decision {decision}: read and plan again"
        );
        assert_eq!(model.operations.running["prod"].decisions, decision);
    }
    super::planned(&mut model, plan(Outgoing::Call(script())));
    let cmds = update(&mut model, moved());
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::CallProvider { .. } | Cmd::AppendLedger(_))),
        "{cmds:?}"
    );
    assert!(phase(&model).is_none());
    let told = &model.notice.as_ref().unwrap().text;
    assert!(
        told.contains("not sent") && told.contains("entry 0 → 1"),
        "{told}"
    );
}

#[test]
fn a_ledger_that_cannot_record_sends_nothing_and_says_why() {
    let mut model = running(None);
    super::planned(&mut model, plan(Outgoing::Call(script())));
    let failed = Msg::CommandRecorded {
        env: "prod".into(),
        result: Err(NotRecorded::Failed("No space left on device".into())),
    };
    let cmds = update(&mut model, failed);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::CallProvider { .. } | Cmd::AppendLedger(_))),
        "{cmds:?}"
    );
    let told = &model.notice.as_ref().unwrap().text;
    assert!(
        told.contains("not sent: the ledger could not record the command: No space left"),
        "{told}"
    );
}

#[test]
fn a_command_no_gate_stands_before_is_recorded_wherever_the_ledger_ends() {
    let mut model = running(None);
    let mut reject = plan(Outgoing::Call(script()));
    reject.question = None;
    let cmds = super::planned(&mut model, reject);
    assert!(
        matches!(cmds.as_slice(), [Cmd::RecordCommand(record)] if record.read_at.is_none()),
        "{cmds:?}"
    );
}

#[test]
fn the_reason_is_recorded_with_the_gates_it_waived_and_the_platforms_policy() {
    let mut model = running(Some("hotfix for INC-4711"));
    let mut frozen = plan(Outgoing::Call(script()));
    // The platform's deploy policy is in force; the reason overrides it in the request.
    frozen.outcome.overridden = vec!["freeze".into()];
    let cmds = super::planned(&mut model, frozen);
    let [Cmd::RecordCommand(record)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(record.overridden, ["freeze"]);
    assert_eq!(record.override_reason, "hotfix for INC-4711");
}

#[test]
fn a_cloud_run_promote_is_driven_in_the_loop_once_recorded() {
    let mut model = running(None);
    let rollout = Outgoing::Rollout(RolloutPlan {
        from_revision: "app-00007-abc".into(),
        image: "app:1.4.2".into(),
        steps: vec![10, 100],
        bake_secs: 60,
        auto_rollback_after: None,
        uri: None,
        health: None,
    });
    super::planned(&mut model, plan(rollout));
    assert!(
        model.operations.hosted.is_empty(),
        "nothing before the record"
    );
    let cmds = update(&mut model, recorded("req-3"));
    let hosted = &model.operations.hosted["prod"];
    assert_eq!(hosted.drive.rollout.request_id, "req-3");
    assert_eq!(hosted.outcome.request_id.as_deref(), Some("req-3"));
    assert_eq!(phase(&model), Some(&CommandPhase::Driving));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::ApplyChange { env, .. } if env == "prod")),
        "{cmds:?}"
    );
}

#[test]
fn a_lane_that_could_not_be_read_leaves_the_attempt_and_its_outcome_and_sends_nothing() {
    let mut model = running(None);
    let mut failed = plan(Outgoing::Nothing);
    failed.question = None;
    failed.outcome.status = Status::ApiError;
    failed.outcome.message = "GET …/services/clarity-backend-prod: HTTP 400".into();
    let cmds = super::planned(&mut model, failed);
    assert!(
        matches!(cmds.as_slice(), [Cmd::RecordCommand(record)] if record.read_at.is_none()),
        "{cmds:?}"
    );
    let cmds = update(&mut model, recorded("req-4"));
    assert_eq!(outcome_entries(&cmds), [("req-4", false)]);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::CallProvider { .. })));
    assert!(phase(&model).is_none());
}
