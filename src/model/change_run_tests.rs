//! The change machine fed only events: a rollback that answers healthy, one that never does, one
//! the API refuses, and answers that arrive when nothing waits for them.

use chrono::Duration;

use super::*;
use crate::model::command::CommandKind;
use crate::model::fixtures::clock;
use crate::model::outcome::Status;

fn run(probes: usize) -> ChangeRun {
    let mut outcome = Outcome::new(CommandKind::Rollback, "prod", Status::Done, "");
    outcome.release = Some("1.4.0".into());
    outcome.to_revision = Some("clarity-backend-prod-00007-abc".into());
    let probes = (0..probes)
        .map(|i| ResolvedProbe::get(format!("http://127.0.0.1:1/p{i}")))
        .collect();
    let action = NextAction::RollBack {
        to: "clarity-backend-prod-00007-abc".into(),
    };
    ChangeRun::new(action, outcome, clock(), probes)
}

fn at(secs: i64) -> chrono::DateTime<Utc> {
    clock() + Duration::seconds(secs)
}

fn probed(pass: bool) -> ChangeEvent {
    ChangeEvent::Probed {
        pass,
        detail: if pass {
            "UP (HTTP 200)"
        } else {
            "DOWN (HTTP 503)"
        }
        .into(),
    }
}

#[test]
fn sends_the_change_then_probes_each_probe_then_finishes_healthy() {
    let mut r = run(2);
    let steps = [
        (
            0,
            ChangeEvent::Start,
            vec![ChangeEffect::Apply(r.action.clone())],
        ),
        (
            1,
            ChangeEvent::Applied { patches: 1 },
            vec![ChangeEffect::Probe(0)],
        ),
        (2, probed(true), vec![ChangeEffect::Probe(1)]),
        (3, probed(true), vec![ChangeEffect::Finish]),
    ];
    for (secs, event, effects) in steps {
        assert_eq!(
            r.handle(at(secs), event.clone()),
            effects,
            "after {event:?}"
        );
    }
    assert!(r.is_finished());
    assert_eq!(r.outcome.status, Status::Done);
    assert_eq!(
        r.outcome.message,
        "100% on clarity-backend-prod-00007-abc (1.4.0)"
    );
    assert_eq!(r.outcome.healthy_after_secs, Some(3.0));
    assert_eq!(r.outcome.patches_sent, 1);
}

#[test]
fn a_failed_round_is_tried_again_on_the_next_tick_until_the_wait_ends() {
    let mut r = run(1);
    r.handle(at(0), ChangeEvent::Start);
    assert_eq!(
        r.handle(at(1), ChangeEvent::Applied { patches: 1 }),
        [ChangeEffect::Probe(0)]
    );
    assert!(
        r.handle(at(1), probed(false)).is_empty(),
        "waits for a tick"
    );
    assert!(r.handle(at(1), probed(true)).is_empty(), "no probe is out");
    assert_eq!(r.handle(at(2), ChangeEvent::Tick), [ChangeEffect::Probe(0)]);
    assert!(
        r.handle(at(2), ChangeEvent::Tick).is_empty(),
        "one probe out at a time"
    );
    assert!(r.handle(at(3), probed(false)).is_empty());
    let end = 1 + VERIFY_SECS;
    assert_eq!(r.handle(at(end), ChangeEvent::Tick), [ChangeEffect::Finish]);
    assert_eq!(r.outcome.status, Status::Failed);
    assert_eq!(
        r.outcome.message,
        "traffic is on clarity-backend-prod-00007-abc but probes still fail: http://127.0.0.1:1/p0 DOWN (HTTP 503)"
    );
    assert_eq!(r.outcome.healthy_after_secs, None);
    assert!(
        r.handle(at(end + 1), ChangeEvent::Tick).is_empty(),
        "finished"
    );
}

#[test]
fn healthy_in_a_later_round() {
    let mut r = run(1);
    r.handle(at(0), ChangeEvent::Start);
    r.handle(at(0), ChangeEvent::Applied { patches: 2 });
    r.handle(at(1), probed(false));
    r.handle(at(2), ChangeEvent::Tick);
    assert_eq!(r.handle(at(4), probed(true)), [ChangeEffect::Finish]);
    assert_eq!(r.outcome.status, Status::Done);
    assert_eq!(r.outcome.healthy_after_secs, Some(4.0));
}

#[test]
fn a_refused_change_finishes_with_the_apis_answer_and_probes_nothing() {
    let mut r = run(2);
    r.handle(at(0), ChangeEvent::Start);
    let refused = ChangeEvent::ApplyFailed {
        status: Status::ApiError,
        message: "403 PERMISSION_DENIED".into(),
    };
    assert_eq!(r.handle(at(1), refused), [ChangeEffect::Finish]);
    assert_eq!(r.outcome.status, Status::ApiError);
    assert_eq!(r.outcome.message, "403 PERMISSION_DENIED");
    assert!(r.handle(at(2), ChangeEvent::Tick).is_empty());
}

#[test]
fn a_lane_without_probes_is_done_once_changed() {
    let mut r = run(0);
    r.handle(at(0), ChangeEvent::Start);
    assert_eq!(
        r.handle(at(1), ChangeEvent::Applied { patches: 1 }),
        [ChangeEffect::Finish]
    );
    assert_eq!(r.outcome.status, Status::Done);
}

#[test]
fn answers_nothing_waits_for_are_ignored() {
    let mut r = run(1);
    assert!(
        r.handle(at(0), probed(true)).is_empty(),
        "before the change"
    );
    assert!(r.handle(at(0), ChangeEvent::Tick).is_empty());
    assert_eq!(r.handle(at(0), ChangeEvent::Start).len(), 1);
    assert!(
        r.handle(at(0), ChangeEvent::Start).is_empty(),
        "a change is sent once"
    );
    assert!(r.handle(at(0), probed(true)).is_empty(), "while it is out");
    assert_eq!(r.phase, ChangePhase::Applying);
}
