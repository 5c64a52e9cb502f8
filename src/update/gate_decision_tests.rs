//! The gates of a command decided in `update`, fed only messages: the grid it follows, the
//! lanes' verdicts, and a ledger it has not read as far as the command yet.

use chrono::Duration;

use super::update;
use crate::ledger::{Decision, Entry, Ledger, Payload};
use crate::model::Model;
use crate::model::fixtures::{actor, lead_and_security, three_lanes};
use crate::model::gate_question::{GateAnswer, GateQuestion, SourceHealth};
use crate::model::probes::Probes;
use crate::msg::{Cmd, Msg};
use crate::policy::{CommandKind, EnvPolicy, Gate};
use crate::probes::{Health, ProbeId, ProbeOutcome, ProbeReport, ProbeSpec};

struct Book {
    _dir: tempfile::TempDir,
    ledger: Ledger,
}

impl Book {
    fn new() -> Book {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path().join("ledger.jsonl")).unwrap();
        Book { _dir: dir, ledger }
    }

    fn sign(&self, who: &str, role: &str, decision: Decision) -> Entry {
        let payload = Payload::Signoff {
            env: "prod".into(),
            release: "1.4.2".into(),
            item: "Database".into(),
            role: role.into(),
            comment: (decision == Decision::NoGo).then(|| "migration not rehearsed".into()),
            decision,
        };
        self.ledger.append(&actor(who), payload).unwrap()
    }
}

/// prod's grid wants alice (Technical Lead) and dave (Security Officer) on one item; carol asks.
fn model() -> Model {
    let mut model = three_lanes(1);
    model.signoffs.config = lead_and_security(&["Database"]);
    model.signoffs.account = Some("carol".into());
    update(&mut model, Msg::LedgerEntries(Vec::new()));
    model
}

fn question(read_at: u64) -> GateQuestion {
    GateQuestion {
        kind: CommandKind::Promote,
        env: "prod".into(),
        policy: EnvPolicy {
            require_signoff: true,
            ..Default::default()
        },
        release: "1.4.2".into(),
        source_health: SourceHealth::Green,
        confirmed: true,
        override_reason: None,
        read_at,
    }
}

fn ask(model: &mut Model, read_at: u64) -> Vec<Cmd> {
    let question = Box::new(question(read_at));
    update(model, Msg::GatesAsked { id: 7, question })
}

fn answers(cmds: &[Cmd]) -> Vec<GateAnswer> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::AnswerGates { id: 7, answer } => Some(answer.clone()),
            _ => None,
        })
        .collect()
}

fn refused_by(answer: &GateAnswer) -> Vec<Gate> {
    match answer {
        GateAnswer::Refused(refusals) => refusals.iter().map(|r| r.gate.clone()).collect(),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_go_grid_passes_at_the_entry_the_model_read_last() {
    let (mut model, book) = (model(), Book::new());
    let entries = vec![
        book.sign("alice", "Technical Lead", Decision::Go),
        book.sign("dave", "Security Officer", Decision::Go),
    ];
    update(&mut model, Msg::LedgerEntries(entries));
    let cmds = ask(&mut model, 2);
    assert_eq!(
        answers(&cmds),
        [GateAnswer::Passed {
            overridden: Vec::new(),
            read_at: 2
        }]
    );
    assert!(model.operations.questions.is_empty());
}

#[test]
fn a_no_go_in_the_model_refuses_whatever_the_command_read() {
    let (mut model, book) = (model(), Book::new());
    let entries = vec![
        book.sign("alice", "Technical Lead", Decision::Go),
        book.sign("dave", "Security Officer", Decision::NoGo),
    ];
    update(&mut model, Msg::LedgerEntries(entries));
    let cmds = ask(&mut model, 2);
    assert_eq!(refused_by(&answers(&cmds)[0]), [Gate::Signoff]);
}

#[test]
fn a_command_that_read_further_waits_for_the_model_and_is_decided_on_what_came() {
    let (mut model, book) = (model(), Book::new());
    let go = vec![
        book.sign("alice", "Technical Lead", Decision::Go),
        book.sign("dave", "Security Officer", Decision::Go),
    ];
    update(&mut model, Msg::LedgerEntries(go));
    // dave withdrew his GO; the command read it, the model has not yet.
    let withdrawn = book.sign("dave", "Security Officer", Decision::NoGo);
    assert!(answers(&ask(&mut model, 3)).is_empty(), "no answer yet");
    assert_eq!(model.operations.questions.len(), 1);
    let cmds = update(&mut model, Msg::LedgerEntries(vec![withdrawn]));
    assert_eq!(refused_by(&answers(&cmds)[0]), [Gate::Signoff]);
    assert!(model.operations.questions.is_empty());
}

#[test]
fn a_ledger_never_read_as_far_leaves_the_command_undecided_after_ten_seconds() {
    let (mut model, book) = (model(), Book::new());
    let entries = vec![
        book.sign("alice", "Technical Lead", Decision::Go),
        book.sign("dave", "Security Officer", Decision::Go),
    ];
    update(&mut model, Msg::LedgerEntries(entries));
    let start = model.now;
    assert!(answers(&ask(&mut model, 5)).is_empty());
    let tick = |s| Msg::Tick {
        now: start + Duration::seconds(s),
    };
    assert!(answers(&update(&mut model, tick(9))).is_empty());
    let cmds = update(&mut model, tick(10));
    match &answers(&cmds)[..] {
        [GateAnswer::NotDecided(why)] => {
            assert!(why.contains("up to entry 2"), "{why}");
            assert!(why.contains("up to 5"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failing_source_lane_in_the_model_refuses_though_the_commands_probe_passed() {
    let (mut model, book) = (model(), Book::new());
    let entries = vec![
        book.sign("alice", "Technical Lead", Decision::Go),
        book.sign("dave", "Security Officer", Decision::Go),
    ];
    update(&mut model, Msg::LedgerEntries(entries));
    staging_fails(&mut model);
    let mut q = question(2);
    q.policy.require_source_green = true;
    let cmds = update(
        &mut model,
        Msg::GatesAsked {
            id: 7,
            question: Box::new(q),
        },
    );
    assert_eq!(refused_by(&answers(&cmds)[0]), [Gate::SourceGreen]);
}

/// staging's health probe fails twice (its threshold): the lane's verdict is a failure.
fn staging_fails(model: &mut Model) {
    let spec: ProbeSpec = toml::from_str(
        "name = \"health\"\npath = \"/health\"\ninterval_secs = 2\nfailure_threshold = 2",
    )
    .unwrap();
    let specs = [spec];
    model.probes =
        Probes::from_profile([("dev", &[][..]), ("staging", &specs[..]), ("prod", &[][..])]);
    for secs in [0, 1] {
        let outcome = ProbeOutcome {
            http_status: Some(503),
            latency: std::time::Duration::from_millis(12),
            status: Health::Fail,
            format: None,
            checks: Vec::new(),
            reason: Some("HTTP 503".into()),
            body: String::new(),
        };
        let report = ProbeReport {
            id: ProbeId::new("staging", "health"),
            at: model.now + Duration::seconds(secs),
            outcome,
        };
        update(model, Msg::ProbeReport(Box::new(report)));
    }
    let now = model.now + Duration::seconds(1);
    update(model, Msg::Tick { now });
}

#[test]
fn a_ledger_whose_follower_stopped_at_a_bad_row_is_undecided_at_once() {
    let (mut model, book) = (model(), Book::new());
    let entries = vec![book.sign("alice", "Technical Lead", Decision::Go)];
    update(&mut model, Msg::LedgerEntries(entries));
    let why = "postgres://db/ledger (table flightdeck_ledger): row seq 2: the entry by dave is not signed";
    update(&mut model, Msg::LedgerFailed(why.into()));
    match &answers(&ask(&mut model, 2))[..] {
        [GateAnswer::NotDecided(text)] => assert!(text.contains("row seq 2"), "{text}"),
        other => panic!("{other:?}"),
    }
}
