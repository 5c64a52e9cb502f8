//! The rollout drive machine fed only events (no I/O, no clock), and the ledger fold that
//! rebuilds rollouts and their drivers' leases from entries.

use chrono::{DateTime, Duration, TimeZone, Utc};
use flightdeck::ledger::{Actor, Entry, Payload};
use flightdeck::model::rollout::{NextAction, Phase, Rollout};
use flightdeck::model::rollout_drive::{Drive, DriveEffect, DriveEvent};
use flightdeck::model::rollouts::{Control, Driver, Rollouts};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

fn drive(holder: &str) -> Drive {
    let rollout = Rollout::new(
        "req-1",
        "prod",
        "old",
        "repo:1.5.0",
        vec![10, 50, 100],
        30,
        Some(2),
        t0(),
    );
    Drive::new(rollout, holder, Duration::seconds(9))
}

/// A compact view of effects: `record:<event>`, `apply:<what>`, `probe`, `note`, `stop`.
fn names(effects: &[DriveEffect]) -> Vec<String> {
    effects
        .iter()
        .map(|e| match e {
            DriveEffect::Record(Payload::Rollout { event, .. }) => format!("record:{event}"),
            DriveEffect::Record(other) => format!("record:{}", other.kind()),
            DriveEffect::Apply(NextAction::Deploy { .. }) => "apply:deploy".into(),
            DriveEffect::Apply(NextAction::SetTraffic { split }) => {
                format!("apply:{}%", split[0].1)
            }
            DriveEffect::Apply(NextAction::RollBack { to }) => format!("apply:rollback {to}"),
            DriveEffect::Probe => "probe".into(),
            DriveEffect::Note(_) => "note".into(),
            DriveEffect::Stop => "stop".into(),
        })
        .collect()
}

fn done(rev: Option<&str>) -> DriveEvent {
    DriveEvent::OpDone {
        new_revision: rev.map(str::to_string),
    }
}

#[test]
fn a_canary_fed_only_events_records_every_transition() {
    let mut d = drive("a");
    let table: Vec<(i64, DriveEvent, Vec<&str>)> = vec![
        (0, DriveEvent::Start, vec!["record:plan", "apply:deploy"]),
        (1, done(Some("new")), vec!["record:step", "apply:10%"]),
        (2, done(None), vec!["record:bake"]),
        (3, DriveEvent::Tick, vec!["probe"]),
        (4, DriveEvent::Probe { pass: true }, vec![]),
        (5, DriveEvent::Tick, vec!["record:heartbeat", "probe"]),
        (32, DriveEvent::Tick, vec!["record:step", "apply:50%"]),
        (33, DriveEvent::Tick, vec![]),
        (34, done(None), vec!["record:bake"]),
        (
            40,
            DriveEvent::Control(Control::Advance),
            vec!["record:advance", "apply:100%"],
        ),
        (41, done(None), vec!["record:bake"]),
        (71, DriveEvent::Tick, vec!["record:done", "stop"]),
    ];
    for (secs, event, want) in table {
        let label = format!("{event:?} at {secs}s");
        assert_eq!(names(&d.handle(at(secs), event)), want, "{label}");
    }
    assert_eq!(d.rollout.phase, Phase::Done);
}

#[test]
fn controls_while_an_operation_is_out_wait_for_its_answer() {
    let mut d = drive("a");
    d.handle(at(0), DriveEvent::Start);
    assert!(
        d.handle(at(1), DriveEvent::Control(Control::Abort("no".into())))
            .is_empty()
    );
    assert_eq!(
        names(&d.handle(at(2), done(Some("new")))),
        vec!["record:step", "apply:10%"],
        "the shift already decided goes out; the abort waits for it"
    );
    assert_eq!(
        names(&d.handle(at(3), done(None))),
        vec!["record:bake", "record:abort", "apply:rollback old"]
    );
    assert_eq!(
        names(&d.handle(at(4), done(None))),
        vec!["record:aborted", "stop"]
    );
}

#[test]
fn the_guard_rolls_back_after_consecutive_failures() {
    let mut d = drive("a");
    d.handle(at(0), DriveEvent::Start);
    d.handle(at(1), done(Some("new")));
    d.handle(at(2), done(None));
    assert!(
        d.handle(at(3), DriveEvent::Probe { pass: false })
            .is_empty()
    );
    assert_eq!(
        names(&d.handle(at(4), DriveEvent::Probe { pass: false })),
        vec!["note", "record:rolling_back", "apply:rollback old"]
    );
}

#[test]
fn release_hands_over_with_an_expired_lease_and_a_claim_resends_the_pending_step() {
    let mut a = drive("a");
    a.handle(at(0), DriveEvent::Start);
    a.handle(at(1), done(Some("new")));
    // Killed (or released) while the 10% shift is out: the successor re-sends it.
    let released = a.handle(
        at(2),
        DriveEvent::Release {
            why: "SIGTERM".into(),
        },
    );
    assert_eq!(names(&released), vec!["note", "record:released", "stop"]);
    let mut b = Drive::new(a.rollout.clone(), "b", Duration::seconds(9));
    assert_eq!(
        names(&b.handle(at(3), DriveEvent::Claim)),
        vec!["record:takeover"]
    );
    assert_eq!(
        names(&b.handle(at(3), DriveEvent::Continue)),
        vec!["apply:10%"]
    );
}

fn entry(seq: u64, secs: i64, payload: Payload) -> Entry {
    Entry {
        seq,
        time: at(secs),
        actor: Actor {
            account: "carol".into(),
            uid: 1000,
            host: "bastion".into(),
            ssh_origin: None,
        },
        payload,
        prev: String::new(),
        hash: String::new(),
        sig: None,
    }
}

/// Feeds a drive's recorded entries into a ledger-like list, from `secs`.
fn recorded(effects: Vec<DriveEffect>, entries: &mut Vec<Entry>, secs: i64) {
    for effect in effects {
        if let DriveEffect::Record(payload) = effect {
            let seq = entries.len() as u64 + 1;
            entries.push(entry(seq, secs, payload));
        }
    }
}

#[test]
fn the_fold_rebuilds_the_rollout_and_tells_a_dead_driver_within_one_lease() {
    let mut a = drive("a");
    let mut entries = Vec::new();
    recorded(a.handle(at(0), DriveEvent::Start), &mut entries, 0);
    recorded(a.handle(at(1), done(Some("new"))), &mut entries, 1);
    recorded(a.handle(at(2), done(None)), &mut entries, 2);
    let book = Rollouts::from_entries(&entries);
    let tracked = book.in_flight("prod").expect("in flight");
    assert_eq!(tracked.rollout, a.rollout);
    assert!(matches!(tracked.driver(at(10)), Driver::Live(l) if l.holder == "a"));
    // a is killed: no heartbeat after 2 s; its lease (9 s) ends at 11 s.
    assert!(matches!(
        tracked.driver(at(11)),
        Driver::Orphaned { last_holder: Some(h), .. } if h == "a"
    ));
    assert!(book.in_flight("staging").is_none());
}

#[test]
fn two_claimants_one_driver() {
    let mut a = drive("a");
    let mut entries = Vec::new();
    recorded(a.handle(at(0), DriveEvent::Start), &mut entries, 0);
    recorded(a.handle(at(1), done(Some("new"))), &mut entries, 1);
    recorded(a.handle(at(2), done(None)), &mut entries, 2);
    // b claims while a's lease is live: void.
    let mut b = Drive::new(a.rollout.clone(), "b", Duration::seconds(9));
    recorded(b.handle(at(5), DriveEvent::Claim), &mut entries, 5);
    let book = Rollouts::from_entries(&entries);
    assert!(
        matches!(book.in_flight("prod").unwrap().driver(at(6)), Driver::Live(l) if l.holder == "a")
    );
    // After it expires, c and b claim: the first in the ledger (c) wins, b's claim is void.
    let mut c = Drive::new(a.rollout.clone(), "c", Duration::seconds(9));
    recorded(c.handle(at(12), DriveEvent::Claim), &mut entries, 12);
    recorded(b.handle(at(12), DriveEvent::Claim), &mut entries, 12);
    let book = Rollouts::from_entries(&entries);
    assert!(
        matches!(book.in_flight("prod").unwrap().driver(at(13)), Driver::Live(l) if l.holder == "c")
    );
}

#[test]
fn controls_written_after_the_last_transition_are_pending_for_a_successor() {
    let mut a = drive("a");
    let mut entries = Vec::new();
    recorded(a.handle(at(0), DriveEvent::Start), &mut entries, 0);
    entries.push(entry(2, 1, Control::Pause.payload("req-1", "prod")));
    let book = Rollouts::from_entries(&entries);
    assert_eq!(
        book.get("req-1").unwrap().pending,
        vec![(2, Control::Pause)]
    );
    recorded(a.handle(at(2), done(Some("new"))), &mut entries, 2);
    let book = Rollouts::from_entries(&entries);
    assert!(
        book.get("req-1").unwrap().pending.is_empty(),
        "obeyed by the next transition"
    );
}
