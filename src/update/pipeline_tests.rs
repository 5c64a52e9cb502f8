use chrono::Duration;

use super::update;
use crate::model::Model;
use crate::model::fixtures::{clock, three_lanes};
use crate::model::fixtures_pipeline::{RunMoment, pipeline};
use crate::model::watch::PipelinePoll;
use crate::msg::{Cmd, Msg};

fn watching() -> Model {
    let mut model = three_lanes(1);
    model.pipeline.configured = true;
    model
}

fn polled(model: &mut Model, secs: i64, poll: PipelinePoll) {
    update(
        model,
        Msg::PipelinePolled {
            at: clock() + Duration::seconds(secs),
            poll,
            budget: Some((4990, 5000)),
        },
    );
}

#[test]
fn the_first_poll_looks_for_the_newest_run_then_watches_it_and_looks_again_now_and_then() {
    let mut model = watching();
    let cmds = update(&mut model, Msg::PollDue { now: clock() });
    assert!(cmds.contains(&Cmd::PollPipeline {
        run_id: None,
        look_for_newer: true
    }));
    assert!(
        !update(&mut model, Msg::PollDue { now: clock() })
            .iter()
            .any(|c| matches!(c, Cmd::PollPipeline { .. })),
        "one in flight"
    );
    polled(
        &mut model,
        1,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::RunningPhase4))),
    );
    let mut looked_again = 0;
    for i in 0..10 {
        polled(&mut model, 2 + i, PipelinePoll::Unchanged);
        let cmds = update(
            &mut model,
            Msg::PollDue {
                now: clock() + Duration::seconds(2 + i),
            },
        );
        for cmd in cmds {
            if let Cmd::PollPipeline {
                run_id,
                look_for_newer,
            } = cmd
            {
                assert_eq!(run_id, Some(42));
                looked_again += usize::from(look_for_newer);
            }
        }
    }
    assert_eq!(
        looked_again, 2,
        "a newer run is looked for every fifth poll"
    );
}

#[test]
fn an_unchanged_answer_changes_nothing_and_draws_nothing() {
    let mut model = watching();
    polled(
        &mut model,
        0,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::RunningPhase4))),
    );
    let before = model.pipeline.run.clone();
    model.dirty = false;
    polled(&mut model, 2, PipelinePoll::Unchanged);
    assert!(!model.dirty, "a 304 is no reason to redraw");
    assert_eq!(model.pipeline.run, before);
    assert_eq!(
        model.pipeline.fetched_at,
        Some(clock() + Duration::seconds(2)),
        "but the data is fresh"
    );
}

#[test]
fn a_rate_limit_is_waited_out_not_failed() {
    let mut model = watching();
    polled(
        &mut model,
        0,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::RunningPhase4))),
    );
    let until = clock() + Duration::seconds(60);
    polled(
        &mut model,
        1,
        PipelinePoll::Failed {
            error: "rate limited until 14:31:00".into(),
            retry_at: Some(until),
        },
    );
    assert!(
        model.pipeline.run.is_some(),
        "the last data stays on screen"
    );
    let early = update(
        &mut model,
        Msg::PollDue {
            now: clock() + Duration::seconds(30),
        },
    );
    assert!(
        !early.iter().any(|c| matches!(c, Cmd::PollPipeline { .. })),
        "nothing is sent before the limit resets"
    );
    let later = update(
        &mut model,
        Msg::PollDue {
            now: until + Duration::seconds(1),
        },
    );
    assert!(later.iter().any(|c| matches!(c, Cmd::PollPipeline { .. })));
}

#[test]
fn phase_changes_are_told_in_the_activity_pane() {
    let mut model = watching();
    polled(
        &mut model,
        0,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::RunningPhase4))),
    );
    polled(
        &mut model,
        9,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::FailedAtPhase6))),
    );
    let texts: Vec<&str> = model
        .activity
        .entries
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        texts.contains(&"HIPAA Compliance Verification failed at step \"Verify data privacy\""),
        "{texts:?}"
    );
    assert!(texts.contains(&"Test Suite Execution done"), "{texts:?}");
}

#[test]
fn a_build_that_succeeds_is_remembered_for_t_one_that_fails_is_not() {
    let mut model = watching();
    polled(
        &mut model,
        1,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::FailedAtPhase6))),
    );
    assert!(model.pipeline.built.is_empty());
    polled(
        &mut model,
        2,
        PipelinePoll::Changed(Box::new(pipeline(RunMoment::Done))),
    );
    assert_eq!(model.pipeline.built, ["1.5.0"]);
}
