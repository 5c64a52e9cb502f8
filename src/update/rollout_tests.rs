//! The cockpit drives a rollout inside `update`, fed only messages: every transition is a ledger
//! append, every change one `ApplyChange`, keys reach the machine; another driver's rollout is
//! shown orphaned, controlled through the ledger, or taken over; quitting asks; signals hand over.

use super::tests::{Sent, sent};
use chrono::Duration;

use super::update;
use crate::ledger::{Actor, Entry, Payload};
use crate::model::fixtures::{clock, three_lanes};
use crate::model::operations::Hosted;
use crate::model::outcome::{Outcome, Status};
use crate::model::rollout::{NextAction, Rollout};
use crate::model::rollout_drive::{Drive, DriveEvent};
use crate::model::{Model, Overlay, Prompt};
use crate::msg::{Action, Cmd, Msg};
use crate::policy::CommandKind;

pub(super) fn on_prod() -> Model {
    let mut model = three_lanes(1);
    model.canary_steps = vec![Vec::new(), Vec::new(), vec![10, 50, 100]];
    model.operations.driver_name = "me@bastion pid 1 #a".into();
    model.operations.lease_secs = 15;
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    model
}

fn rollout() -> Rollout {
    Rollout::new(
        "req-9",
        "prod",
        "00007-old",
        "repo:1.5.0",
        vec![10, 50, 100],
        30,
        Some(3),
        clock(),
    )
}

pub(super) fn hosted() -> Hosted {
    let mut outcome = Outcome::new(CommandKind::Promote, "prod", Status::Done, "");
    outcome.request_id = Some("req-9".into());
    Hosted {
        drive: Drive::new(rollout(), "me@bastion pid 1 #a", Duration::seconds(15)),
        health: Some(crate::probes::ResolvedProbe::get(
            "http://127.0.0.1:1/health",
        )),
        claim_pending: false,
        outcome: Box::new(outcome),
    }
}

/// `record:<event>`, `apply:<what>`, `probe`, `outcome`, `control:<name>`, `fetch`, …
pub(super) fn names(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .map(|c| match c {
            Cmd::AppendLedger(Payload::Rollout { event, .. }) => format!("record:{event}"),
            Cmd::AppendLedger(Payload::CommandOutcome { ok, .. }) => format!("outcome ok={ok}"),
            Cmd::AppendLedger(Payload::RolloutControl { control, .. }) => {
                format!("control:{control}")
            }
            Cmd::ApplyChange { action, .. } => match action {
                NextAction::Deploy { .. } => "apply:deploy".into(),
                NextAction::SetTraffic { split } => format!("apply:{}%", split[0].1),
                NextAction::RollBack { to } => format!("apply:rollback {to}"),
            },
            Cmd::ProbeRevision { .. } => "probe".into(),
            Cmd::FetchLane { .. } => "fetch".into(),
            Cmd::ReadForCommand { read, .. } => format!("read: {}", read.describe()),
            Cmd::SpawnSuccessor { env } => format!("successor {env}"),
            other => format!("{other:?}"),
        })
        .collect()
}

pub(super) fn applied(revision: Option<&str>) -> Msg {
    Msg::RolloutApplied {
        env: "prod".into(),
        result: Ok((revision.map(str::to_string), 1)),
    }
}

/// A key, and Enter on the confirmation it opens (the fixture's prod takes Enter).
pub(super) fn key(model: &mut Model, action: Action) -> Vec<String> {
    let mut cmds = update(model, Msg::Action(action));
    if matches!(model.overlay, Overlay::Prompt(Prompt::Confirm { .. })) {
        cmds.extend(update(model, Msg::PromptSubmitted(String::new())));
    }
    names(&cmds)
}

#[test]
fn a_promote_is_driven_in_the_loop_and_its_keys_reach_the_machine() {
    let mut model = on_prod();
    let reads = key(&mut model, Action::PromoteHere);
    assert!(
        !reads.is_empty() && reads.iter().all(|c| c.starts_with("read")),
        "its reads go out: {reads:?}"
    );
    assert!(model.operations.running.contains_key("prod"));
    let cmds = super::rollouts::planned(&mut model, hosted());
    assert_eq!(names(&cmds), ["record:plan", "apply:deploy"]);
    assert!(model.operations.running.contains_key("prod"));
    let cmds = update(&mut model, applied(Some("00008-new")));
    assert_eq!(names(&cmds), ["record:step", "apply:10%"]);
    assert_eq!(names(&update(&mut model, applied(None))), ["record:bake"]);
    let running = &model.operations.running["prod"];
    assert_eq!(running.percent, Some(10));
    assert_eq!(
        running.bake.as_ref().unwrap().until,
        clock() + Duration::seconds(30)
    );
    let tick = Msg::Tick {
        now: clock() + Duration::seconds(1),
    };
    assert_eq!(names(&update(&mut model, tick)), ["probe"]);
    assert_eq!(key(&mut model, Action::PauseResume), ["record:pause"]);
    assert!(model.operations.running["prod"].paused);
    assert_eq!(key(&mut model, Action::PauseResume), ["record:resume"]);
    assert_eq!(
        key(&mut model, Action::Abort),
        ["record:abort", "apply:rollback 00007-old"]
    );
    let cmds = update(&mut model, applied(None));
    assert_eq!(
        names(&cmds),
        [
            "record:aborted",
            "outcome ok=false",
            "fetch",
            "fetch",
            "fetch"
        ]
    );
    assert!(model.operations.running.is_empty());
    assert!(model.operations.hosted.is_empty());
}

fn entry(seq: u64, secs: i64, payload: Payload) -> Entry {
    Entry {
        seq,
        time: clock() + Duration::seconds(secs),
        actor: Actor {
            account: "dave".into(),
            uid: 1001,
            host: "bastion".into(),
            ssh_origin: None,
        },
        payload,
        prev: String::new(),
        hash: String::new(),
        sig: None,
    }
}

/// Another process's rollout, baking at 10 % since `clock()`, its lease renewed at 0 s.
pub(super) fn theirs() -> Vec<Entry> {
    let mut other = Drive::new(rollout(), "dave@bastion pid 7 #b", Duration::seconds(15));
    let mut entries = Vec::new();
    let now = clock();
    for event in [
        DriveEvent::Start,
        DriveEvent::OpDone {
            new_revision: Some("00008-new".into()),
        },
        DriveEvent::OpDone { new_revision: None },
    ] {
        for effect in other.handle(now, event) {
            if let crate::model::rollout_drive::DriveEffect::Record(payload) = effect {
                entries.push(entry(entries.len() as u64 + 1, 0, payload));
            }
        }
    }
    entries
}

#[test]
fn a_live_drivers_rollout_is_controlled_through_the_ledger() {
    let mut model = on_prod();
    update(&mut model, Msg::LedgerEntries(theirs()));
    model.now = clock() + Duration::seconds(5);
    assert_eq!(key(&mut model, Action::PauseResume), ["control:pause"]);
    assert_eq!(key(&mut model, Action::Advance), ["control:advance"]);
    assert!(model.operations.hosted.is_empty(), "not ours to drive");
}

#[test]
fn a_dead_drivers_rollout_is_shown_orphaned_and_taken_over_with_the_bake_it_had_left() {
    let mut model = on_prod();
    update(&mut model, Msg::LedgerEntries(theirs()));
    let later = clock() + Duration::seconds(16);
    update(&mut model, Msg::Tick { now: later });
    assert!(model.notice.as_ref().unwrap().text.contains("ORPHANED"));
    assert_eq!(key(&mut model, Action::PauseResume), ["record:takeover"]);
    let hosted = &model.operations.hosted["prod"];
    assert!(
        hosted.claim_pending,
        "nothing is sent before the claim is read back"
    );
    // The claim, read back from the ledger as the follower delivers it.
    let claim = Payload::Rollout {
        request_id: "req-9".into(),
        env: "prod".into(),
        event: "takeover".into(),
        state: serde_json::to_value(&hosted.drive.rollout).unwrap(),
        lease: serde_json::json!({
            "holder": hosted.drive.holder,
            "heartbeat": later,
            "expires": later + Duration::seconds(15),
        }),
    };
    let cmds = update(&mut model, Msg::LedgerEntries(vec![entry(4, 16, claim)]));
    assert!(cmds.is_empty(), "baking: nothing to re-send");
    assert!(!model.operations.hosted["prod"].claim_pending);
    // The bake ends when it was going to: 30 s after it began, not 30 s after the takeover.
    let before = Msg::Tick {
        now: clock() + Duration::seconds(29),
    };
    assert_eq!(
        names(&update(&mut model, before)),
        ["record:heartbeat"],
        "still baking (the fixture's lanes have no probe URL to guard with)"
    );
    let end = Msg::Tick {
        now: clock() + Duration::seconds(30),
    };
    assert_eq!(
        names(&update(&mut model, end)),
        ["record:step", "apply:50%"]
    );
}

#[test]
fn a_claim_that_loses_to_another_driver_stops_here() {
    let mut model = on_prod();
    update(&mut model, Msg::LedgerEntries(theirs()));
    model.now = clock() + Duration::seconds(16);
    key(&mut model, Action::PauseResume);
    // Someone else's claim came first in the ledger.
    let mut rival = Drive::new(rollout(), "erin@bastion pid 9 #c", Duration::seconds(15));
    let Some(crate::model::rollout_drive::DriveEffect::Record(payload)) = rival
        .handle(model.now, DriveEvent::Claim)
        .into_iter()
        .next()
    else {
        panic!("a claim records");
    };
    let cmds = update(&mut model, Msg::LedgerEntries(vec![entry(4, 16, payload)]));
    assert!(cmds.is_empty());
    assert!(model.operations.hosted.is_empty(), "this cockpit stopped");
}

#[test]
fn quitting_while_driving_asks_and_hand_over_records_it() {
    let mut model = on_prod();
    super::rollouts::planned(&mut model, hosted());
    update(&mut model, applied(Some("00008-new")));
    update(&mut model, applied(None));
    key(&mut model, Action::Quit);
    assert!(!model.quitting);
    assert_eq!(
        model.overlay,
        Overlay::Prompt(Prompt::Quit {
            envs: vec!["prod".into()]
        })
    );
    let cmds = update(&mut model, Msg::PromptCancelled);
    assert!(cmds.is_empty() && !model.quitting, "Esc stays");
    key(&mut model, Action::Quit);
    let cmds = update(&mut model, Msg::PromptSubmitted("b".into()));
    assert_eq!(
        names(&cmds),
        [
            "record:released",
            "outcome ok=false",
            "fetch",
            "fetch",
            "fetch",
            "successor prod"
        ]
    );
    assert!(model.quitting);
}

#[test]
fn a_signal_hands_over_records_the_outcome_and_quits() {
    let mut model = on_prod();
    super::rollouts::planned(&mut model, hosted());
    let cmds = update(&mut model, Msg::Signal("SIGTERM".into()));
    assert_eq!(
        names(&cmds),
        [
            "record:released",
            "outcome ok=false",
            "fetch",
            "fetch",
            "fetch"
        ]
    );
    assert!(model.quitting);
}

/// A finished rollout of 1.4.2 from 00007 to 00008, as another process recorded it.
fn done_rollout() -> Vec<Entry> {
    let mut r = Rollout::new(
        "req-7",
        "prod",
        "clarity-backend-prod-00007-abc",
        "app:1.4.2",
        vec![],
        0,
        None,
        clock(),
    );
    r.to_revision = Some("clarity-backend-prod-00008-abc".into());
    r.phase = crate::model::rollout::Phase::Done;
    let payload = Payload::Rollout {
        request_id: "req-7".into(),
        env: "prod".into(),
        event: "done".into(),
        state: serde_json::to_value(&r).unwrap(),
        lease: serde_json::Value::Null,
    };
    vec![entry(1, 0, payload)]
}

#[test]
fn rollback_previous_is_what_served_before_the_release_began() {
    let mut model = on_prod();
    update(&mut model, Msg::LedgerEntries(done_rollout()));
    key(&mut model, Action::RollbackHere);
    let Overlay::Prompt(Prompt::Rollback { revisions, .. }) = &model.overlay else {
        panic!("the rollback dialog opens");
    };
    let marked: Vec<&String> = revisions
        .iter()
        .filter(|r| r.contains("◀ previous"))
        .collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].starts_with("00007-abc    1.4.0"), "{}", marked[0]);
    assert!(marked[0].contains("before 1.4.2 began"), "{}", marked[0]);
    assert!(revisions[0].contains("serving 10%"), "{}", revisions[0]);
    assert!(update(&mut model, Msg::PromptSubmitted(String::new())).is_empty());
    let cmds = update(&mut model, Msg::PromptSubmitted(String::new()));
    assert!(
        matches!(
            &sent(&model, &cmds)[..],
            [Sent { request: crate::model::command::Request::Rollback { to: Some(to), .. }, .. }] if to == "00007-abc"
        ),
        "{cmds:?}"
    );
}

#[test]
fn rollback_during_a_rollout_points_at_abort() {
    let mut model = on_prod();
    update(&mut model, Msg::LedgerEntries(theirs()));
    assert!(key(&mut model, Action::RollbackHere).is_empty());
    assert_eq!(model.overlay, Overlay::None);
    assert!(model.notice.as_ref().unwrap().text.contains("x aborts it"));
}
