//! The gates of a planned command decided in `update`, fed only messages: the grid it follows,
//! the lanes' verdicts, and a ledger it has not read as far as the command yet. A pass is the
//! record at the entry the decision rests on; a refusal or no decision ends the command.

use chrono::Duration;

use super::update;
use crate::ledger::follow::{Break, Health as LedgerHealth, Reading};
use crate::ledger::{Decision, Entry, Ledger, Payload};
use crate::model::command::Request;
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::model::fixtures::{actor, lead_and_security, three_lanes};
use crate::model::gate_question::{GateQuestion, SourceHealth};
use crate::model::outcome::{Outcome, Status};
use crate::model::probes::Probes;
use crate::model::{Model, Overlay, Prompt};
use crate::msg::{Cmd, Msg};
use crate::policy::{CommandKind, EnvPolicy};
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

/// carol's promote into prod was confirmed; its task read up to `question.read_at` and planned.
fn ask_with(model: &mut Model, question: GateQuestion) -> Vec<Cmd> {
    let request = Request::Promote {
        from: "staging".into(),
        to: "prod".into(),
        bake_secs: None,
    };
    super::send::run(model, request, None, true);
    let mut outcome = Outcome::new(CommandKind::Promote, "prod", Status::Done, "");
    outcome.release = Some("1.4.2".into());
    let plan = CommandPlan {
        question: Some(question),
        outcome,
        action: "promote".into(),
        detail: serde_json::json!({}),
        send: Outgoing::Call(ProviderCall::Script {
            key: "promote".into(),
            argv: vec!["deploy.sh".into()],
            version: "1.4.2".into(),
            from: "staging".into(),
            to: "prod".into(),
            revision: String::new(),
        }),
    };
    super::planned(model, plan)
}

fn ask(model: &mut Model, read_at: u64) -> Vec<Cmd> {
    ask_with(model, question(read_at))
}

/// What the gates answered, as the loop acts on it: recorded at an entry, or ended (refused,
/// undecided) with what the cockpit tells.
#[derive(Debug, PartialEq)]
enum Answer {
    RecordedAt(Option<u64>),
    Ended(String),
}

fn answers(model: &Model, cmds: &[Cmd]) -> Vec<Answer> {
    if let Some(read_at) = cmds.iter().find_map(|c| match c {
        Cmd::RecordCommand(record) => Some(record.read_at),
        _ => None,
    }) {
        return vec![Answer::RecordedAt(read_at)];
    }
    if model.operations.running.contains_key("prod") {
        return Vec::new();
    }
    let told = match &model.overlay {
        Overlay::Prompt(Prompt::Override { refusals, .. }) => {
            format!("refused: {}", refusals.join("; "))
        }
        _ => model
            .notice
            .as_ref()
            .map_or(String::new(), |n| n.text.clone()),
    };
    vec![Answer::Ended(told)]
}

fn refused_by(answer: &Answer, words: &str) {
    match answer {
        Answer::Ended(told) => assert!(told.contains("refused") && told.contains(words), "{told}"),
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
    assert_eq!(answers(&model, &cmds), [Answer::RecordedAt(Some(2))]);
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
    refused_by(&answers(&model, &cmds)[0], "NO-GO");
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
    let cmds = ask(&mut model, 3);
    assert!(answers(&model, &cmds).is_empty(), "no answer yet");
    assert_eq!(model.operations.questions.len(), 1);
    let cmds = update(&mut model, Msg::LedgerEntries(vec![withdrawn]));
    refused_by(&answers(&model, &cmds)[0], "NO-GO");
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
    let cmds = ask(&mut model, 5);
    assert!(answers(&model, &cmds).is_empty());
    let tick = |s| Msg::Tick {
        now: start + Duration::seconds(s),
    };
    let cmds = update(&mut model, tick(9));
    assert!(answers(&model, &cmds).is_empty());
    let cmds = update(&mut model, tick(10));
    match &answers(&model, &cmds)[..] {
        [Answer::Ended(why)] => {
            assert!(why.contains("not sent"), "{why}");
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
    let cmds = ask_with(&mut model, q);
    refused_by(&answers(&model, &cmds)[0], "staging");
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
    let cmds = ask(&mut model, 2);
    match &answers(&model, &cmds)[..] {
        [Answer::Ended(text)] => assert!(text.contains("row seq 2"), "{text}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edited_ledger_is_undecided_at_once_and_says_where_it_breaks() {
    let (mut model, book) = (model(), Book::new());
    let alice = book.sign("alice", "Technical Lead", Decision::Go);
    // dave's GO is line 2, and someone edited it: only alice's entry verifies.
    book.sign("dave", "Security Officer", Decision::Go);
    let broken = LedgerHealth::Broken(Break {
        path: "/var/lib/flightdeck/ledger.jsonl".into(),
        line: 2,
        message: "its hash does not match its content".into(),
        advice: "run `flightdeck ledger verify`".into(),
    });
    let read = Reading {
        entries: vec![alice],
        reset: true,
        health: broken,
    };
    update(&mut model, Msg::LedgerRead(Box::new(read)));
    let cmds = ask(&mut model, 2);
    match &answers(&model, &cmds)[..] {
        [Answer::Ended(text)] => {
            assert!(text.contains("not sent"), "{text}");
            assert!(text.contains("ledger.jsonl:2"), "{text}");
            assert!(!text.contains("within 10s"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}
