//! A command's reads in the loop, fed only messages: each read is one effect, the planner moves
//! on once every read out is answered, the plan goes to the gates and the record; stray answers
//! change nothing.

use super::update;
use crate::commands::plan_fixtures::Cloud;
use crate::model::Model;
use crate::model::command::Request;
use crate::model::command_read::Read;
use crate::model::fixtures::three_lanes;
use crate::model::operations::CommandPhase;
use crate::msg::{Action, Cmd, Msg};

fn promote() -> Request {
    Request::Promote {
        from: "dev".into(),
        to: "staging".into(),
        bake_secs: None,
    }
}

/// The ledger is read (empty) and carol's promote into staging is sent: its first read goes out.
fn sending(model: &mut Model) -> Vec<Cmd> {
    model.signoffs.account = Some("carol".into());
    update(model, Msg::LedgerEntries(Vec::new()));
    assert!(super::send::run(model, promote(), None, true).is_empty());
    super::command_read::start_due(model)
}

/// The reads `cmds` send out for staging's command; `cmds` hold nothing else.
fn reads_of(cmds: &[Cmd]) -> Vec<Read> {
    cmds.iter()
        .map(|cmd| match cmd {
            Cmd::ReadForCommand { env, read } if env == "staging" => Some(read.clone()),
            _ => None,
        })
        .collect::<Option<Vec<Read>>>()
        .unwrap_or_default()
}

fn answer(cloud: &Cloud, read: &Read) -> Msg {
    Msg::CommandRead {
        env: "staging".into(),
        read: read.clone(),
        answer: Box::new(cloud.answer(read)),
    }
}

#[test]
fn each_read_is_one_effect_and_the_last_answer_brings_the_record() {
    let mut model = three_lanes(1);
    let cloud = Cloud::new();
    let mut cmds = sending(&mut model);
    let mut asked = Vec::new();
    loop {
        let batch = reads_of(&cmds);
        let Some((last, first)) = batch.split_last() else {
            break;
        };
        let lane_says = model.operations.running["staging"].status_line();
        assert!(
            lane_says.starts_with(&batch[0].describe()),
            "the lane card names the read: {lane_says}"
        );
        for read in first {
            let early = update(&mut model, answer(&cloud, read));
            assert!(
                early.is_empty(),
                "nothing moves before every read is in: {early:?}"
            );
        }
        cmds = update(&mut model, answer(&cloud, last));
        asked.push(batch);
    }
    let sizes: Vec<usize> = asked.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 2, 1], "{asked:?}");
    assert_eq!(asked.last(), Some(&vec![Read::Ledger]));
    let [Cmd::RecordCommand(record)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (record.action.as_str(), record.env.as_str(), record.read_at),
        ("promote", "staging", Some(0))
    );
}

#[test]
fn an_answer_to_a_read_not_out_changes_nothing() {
    let mut model = three_lanes(1);
    let cloud = Cloud::new();
    let first = reads_of(&sending(&mut model));
    assert_eq!(first.len(), 2, "{first:?}");
    let stray = Read::CloudRunService { env: "prod".into() };
    assert!(update(&mut model, answer(&cloud, &stray)).is_empty());
    let reading = |model: &Model| match model.operations.running.get("staging").map(|r| &r.phase) {
        Some(CommandPhase::Reading(reads)) => reads.clone(),
        other => panic!("{other:?}"),
    };
    assert!(reading(&model).is_empty() && reading(&model).out() == first.as_slice());
    // Each read out is answered once; the same answer again is a stray too.
    assert!(update(&mut model, answer(&cloud, &first[0])).is_empty());
    assert!(update(&mut model, answer(&cloud, &first[0])).is_empty());
    assert_eq!(reading(&model).len(), 1);
    let next = update(&mut model, answer(&cloud, &first[1]));
    assert!(!reads_of(&next).is_empty(), "{next:?}");
}

#[test]
fn a_failed_read_of_the_target_is_recorded_as_an_attempt_and_nothing_is_sent() {
    let mut model = three_lanes(1);
    let mut cloud = Cloud::new();
    let target = Read::CloudRunService {
        env: "staging".into(),
    };
    cloud.failing.push((
        target,
        crate::model::outcome::Status::ApiError,
        "503 UNAVAILABLE".into(),
    ));
    let mut cmds = sending(&mut model);
    loop {
        let batch = reads_of(&cmds);
        if batch.is_empty() {
            break;
        }
        for read in &batch {
            cmds = update(&mut model, answer(&cloud, read));
        }
    }
    let [Cmd::RecordCommand(record)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        record.read_at, None,
        "no gate stands before a failed attempt"
    );
    let cmds = update(
        &mut model,
        Msg::CommandRecorded {
            env: "staging".into(),
            result: Ok("req-3".into()),
        },
    );
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::CallProvider { .. } | Cmd::ApplyChange { .. })),
        "{cmds:?}"
    );
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Cmd::AppendLedger(crate::ledger::Payload::CommandOutcome { ok: false, .. })
        )),
        "{cmds:?}"
    );
    assert!(!model.operations.running.contains_key("staging"));
}

#[test]
fn q_while_a_command_only_reads_quits_at_once() {
    let mut model = three_lanes(1);
    assert!(!reads_of(&sending(&mut model)).is_empty());
    update(&mut model, Msg::Action(Action::Quit));
    assert!(model.quitting, "nothing was recorded or sent yet");
}
