//! The planners fed only answers: which read each asks for, in what order, each once, and what
//! they plan from the answers (the Cloud Run JSON the sandbox answers as the real API does).

use super::plan::{Planning, Step};
use super::plan_fixtures::Cloud;
use super::prepared::Prepared;
use crate::model::command::Request;
use crate::model::command_plan::{CommandPlan, Outgoing};
use crate::model::command_read::{Read, ReadValue, Reads};
use crate::model::outcome::Status;
use crate::policy::SourceHealth;

fn promote(from: &str, to: &str) -> Request {
    Request::Promote {
        from: from.into(),
        to: to.into(),
        bake_secs: None,
    }
}

/// Runs the planner of `request`, answering each read from `cloud`: the batches of reads in the
/// order they were asked, and where planning ended.
fn batches(cloud: &Cloud, request: &Request, read_only: bool) -> (Vec<Vec<Read>>, Prepared) {
    let planning = Planning {
        profile: &cloud.profile,
        account: "alice",
        read_only,
        confirmed: true,
        override_reason: None,
        now: chrono::Utc::now(),
    };
    let mut reads = Reads::default();
    let mut asked = Vec::new();
    loop {
        match super::route::next(&planning, request, &reads) {
            Step::Read(batch) => {
                assert!(!batch.is_empty(), "a batch is never empty");
                for read in &batch {
                    let before = asked.iter().flatten().any(|r| r == read);
                    assert!(!before, "{read:?} asked twice: {asked:?}");
                }
                reads.asked(&batch);
                for read in &batch {
                    assert!(reads.answered(read.clone(), cloud.answer(read)));
                }
                asked.push(batch);
            }
            Step::Planned(prepared) => return (asked, prepared),
        }
    }
}

/// The reads asked, in order, whatever the batches.
fn plan(cloud: &Cloud, request: &Request, read_only: bool) -> (Vec<Read>, Prepared) {
    let (asked, prepared) = batches(cloud, request, read_only);
    (asked.into_iter().flatten().collect(), prepared)
}

fn planned(prepared: Prepared) -> CommandPlan {
    match prepared {
        Prepared::Plan(plan) => *plan,
        Prepared::Ended(outcome) => panic!("ended: {outcome:?}"),
    }
}

/// The revision serving `env` (most traffic) and its image, as the sandbox answers.
fn serving(cloud: &Cloud, env: &str) -> (String, String) {
    let json = |read: Read| match cloud.answer(&read) {
        Ok(ReadValue::Json(value)) => value,
        other => panic!("{other:?}"),
    };
    let service = json(Read::CloudRunService { env: env.into() });
    let revisions = json(Read::CloudRunRevisions { env: env.into() });
    let state = crate::providers::cloudrun::service_state(
        &serde_json::from_value(service).expect("a service"),
        &serde_json::from_value::<Vec<_>>(revisions).expect("revisions"),
    );
    let primary = state.primary().expect("a revision serves").revision.clone();
    let image = state
        .revisions
        .iter()
        .find(|r| r.name == primary)
        .map(|r| r.image.clone())
        .unwrap_or_default();
    (primary, image)
}

#[test]
fn a_promote_reads_the_source_lane_then_its_probes_then_the_target_lane_then_the_ledger() {
    let mut cloud = Cloud::new();
    cloud.tail_seq = 41;
    let (asked, prepared) = batches(&cloud, &promote("dev", "staging"), false);
    let kinds: Vec<Vec<String>> = asked
        .iter()
        .map(|batch| batch.iter().map(Read::describe).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec!["reading dev's service", "reading dev's revisions"],
            vec!["probing dev", "probing dev"],
            vec!["reading staging's service", "reading staging's revisions"],
            vec!["reading the ledger"],
        ],
        "a batch holds only reads that do not wait on each other's answers"
    );
    let plan = planned(prepared);
    let question = plan.question.expect("the gates are asked");
    assert_eq!(question.read_at, 41, "the decision rests on the seq read");
    assert_eq!(question.source_health, SourceHealth::Green);
    let Outgoing::Rollout(rollout) = plan.send else {
        panic!("{:?}", plan.send);
    };
    let (from_revision, _) = serving(&cloud, "staging");
    let (_, dev_image) = serving(&cloud, "dev");
    assert_eq!(rollout.from_revision, from_revision);
    assert_eq!(rollout.image, dev_image, "dev's image goes to staging");
}

#[test]
fn a_source_probe_that_fails_is_asked_to_the_gates_as_not_green() {
    let mut cloud = Cloud::new();
    cloud.failing_probes = vec![("staging".into(), 1)];
    let plan = planned(plan(&cloud, &promote("staging", "prod"), false).1);
    let source = plan.question.map(|q| q.source_health);
    assert!(
        matches!(&source, Some(SourceHealth::NotGreen(why)) if why.contains("probe1 answered 503")),
        "{source:?}"
    );
}

#[test]
fn a_target_lane_that_cannot_be_read_is_planned_as_a_record_with_nothing_to_send() {
    let mut cloud = Cloud::new();
    let target = Read::CloudRunService {
        env: "staging".into(),
    };
    cloud
        .failing
        .push((target.clone(), Status::ApiError, "503 UNAVAILABLE".into()));
    let (asked, prepared) = plan(&cloud, &promote("dev", "staging"), false);
    assert!(asked.contains(&target));
    assert!(
        !asked.contains(&Read::Ledger),
        "nothing is read after it: {asked:?}"
    );
    let plan = planned(prepared);
    assert_eq!(plan.send, Outgoing::Nothing);
    assert!(plan.question.is_none());
    assert_eq!(plan.outcome.status, Status::ApiError);
    assert!(plan.outcome.message.contains("503 UNAVAILABLE"));
}

#[test]
fn an_answer_that_does_not_parse_ends_the_command_naming_the_read() {
    let mut cloud = Cloud::new();
    let revisions = Read::CloudRunRevisions { env: "dev".into() };
    cloud
        .failing
        .push((revisions, Status::ApiError, "boom".into()));
    let (_, prepared) = plan(&cloud, &promote("dev", "staging"), false);
    let Prepared::Plan(plan) = prepared else {
        panic!("a failed source read is an attempt to record");
    };
    assert_eq!(plan.outcome.status, Status::ApiError);

    // An answer of the wrong shape (a list where a service is expected) is not trusted.
    let planning = Planning {
        profile: &cloud.profile,
        account: "alice",
        read_only: false,
        confirmed: true,
        override_reason: None,
        now: chrono::Utc::now(),
    };
    let mut reads = Reads::default();
    let service = Read::CloudRunService { env: "dev".into() };
    let revisions = Read::CloudRunRevisions { env: "dev".into() };
    reads.asked(&[service.clone(), revisions.clone()]);
    reads.answered(service, Ok(ReadValue::Json(serde_json::json!([1, 2]))));
    reads.answered(revisions.clone(), cloud.answer(&revisions));
    let Step::Planned(Prepared::Plan(plan)) =
        super::route::next(&planning, &promote("dev", "staging"), &reads)
    else {
        panic!("planned");
    };
    assert!(
        plan.outcome
            .message
            .contains("reading dev's service: the answer does not parse"),
        "{}",
        plan.outcome.message
    );
}

#[test]
fn read_only_reads_only_the_ledger_and_sends_nothing() {
    let cloud = Cloud::new();
    let (asked, prepared) = plan(&cloud, &promote("dev", "staging"), true);
    assert_eq!(asked, [Read::Ledger]);
    let plan = planned(prepared);
    assert_eq!(plan.send, Outgoing::Nothing);
    assert!(plan.question.is_some(), "the gates refuse it (read-only)");
}

#[test]
fn a_request_that_cannot_be_planned_ends_before_any_read() {
    let cloud = Cloud::new();
    let (asked, prepared) = plan(&cloud, &promote("dev", "qa"), false);
    assert!(asked.is_empty());
    let Prepared::Ended(outcome) = prepared else {
        panic!("ended");
    };
    assert_eq!(outcome.status, Status::Usage);
    assert!(outcome.message.contains("no environment named `qa`"));
}
