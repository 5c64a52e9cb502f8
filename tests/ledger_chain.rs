//! The ledger under concurrent appenders, a killed appender, torn writes and tampering.
//!
//! Child processes re-execute this test binary running the ignored `child_appender` test.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use flightdeck::cli::exit;
use flightdeck::cli::ledger::verify_to;
use flightdeck::ledger::entry::entry_hash;
use flightdeck::ledger::{Actor, IssueKind, Ledger, Payload, Severity, verify};

const CHILD_NAME: &str = "FLIGHTDECK_TEST_LEDGER_CHILD";
const CHILD_PATH: &str = "FLIGHTDECK_TEST_LEDGER_PATH";
const CHILD_COUNT: &str = "FLIGHTDECK_TEST_LEDGER_COUNT";

fn actor(account: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

fn note(i: u64) -> Payload {
    Payload::Comment {
        env: "prod".into(),
        release: "v1".into(),
        item: "Database".into(),
        role: "Technical Lead".into(),
        text: format!("note {i}"),
    }
}

/// Appends `CHILD_COUNT` entries (forever if unset), printing `acked SEQ` after each append returns.
#[test]
#[ignore = "child process of the concurrency tests, started with --ignored"]
fn child_appender() {
    let (Ok(name), Ok(path)) = (std::env::var(CHILD_NAME), std::env::var(CHILD_PATH)) else {
        return;
    };
    let count: Option<u64> = std::env::var(CHILD_COUNT).ok().and_then(|c| c.parse().ok());
    let ledger = Ledger::open(path).expect("open ledger");
    let me = actor(&name);
    let mut i = 0;
    while count.is_none_or(|c| i < c) {
        let entry = ledger.append(&me, note(i)).expect("append");
        println!("acked {}", entry.seq);
        i += 1;
    }
}

fn spawn_appender(name: &str, path: &Path, count: Option<u64>) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("test binary path"));
    command
        .args([
            "child_appender",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_NAME, name)
        .env(CHILD_PATH, path)
        .stdout(Stdio::piped());
    if let Some(count) = count {
        command.env(CHILD_COUNT, count.to_string());
    }
    command.spawn().expect("spawn child appender")
}

/// libtest prints `test child_appender ... ` without a newline, so the first ack shares its line.
fn acked(line: &str) -> Option<u64> {
    line.split("acked ").nth(1)?.trim().parse().ok()
}

#[test]
fn two_processes_appending_concurrently_lose_nothing_and_chain_correctly() {
    const EACH: u64 = 2000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shared.jsonl");
    let children = [
        spawn_appender("alice", &path, Some(EACH)),
        spawn_appender("bob", &path, Some(EACH)),
    ];
    let mut acked_seqs = BTreeSet::new();
    for child in children {
        let output = child.wait_with_output().expect("child output");
        assert!(output.status.success(), "child failed: {:?}", output.status);
        for seq in String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(acked)
        {
            assert!(acked_seqs.insert(seq), "seq {seq} acknowledged twice");
        }
    }
    let total = 2 * EACH;
    let missing: Vec<u64> = (1..=total).filter(|s| !acked_seqs.contains(s)).collect();
    assert!(missing.is_empty(), "never acknowledged: {missing:?}");
    assert_eq!(acked_seqs.len() as u64, total);
    let report = verify(&path).expect("verify");
    assert!(report.is_clean(), "{:?}", report.issues);
    let entries = Ledger::open(&path).expect("open").read_all().expect("read");
    assert_eq!(entries.len() as u64, total);
    let by_alice = entries
        .iter()
        .filter(|e| e.actor.account == "alice")
        .count() as u64;
    assert_eq!(by_alice, EACH);
}

#[test]
fn an_appender_killed_mid_append_loses_no_acknowledged_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("killed.jsonl");
    let mut child = spawn_appender("carol", &path, None);
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut acked_seqs = Vec::new();
    while acked_seqs.len() < 300 {
        let line = lines.next().expect("child still running").expect("read");
        acked_seqs.extend(acked(&line));
    }
    child.kill().expect("SIGKILL the appender");
    child.wait().expect("reap");
    acked_seqs.extend(lines.map_while(Result::ok).filter_map(|l| acked(&l)));

    let report = verify(&path).expect("verify");
    assert!(!report.has_errors(), "{:?}", report.issues);
    let ledger = Ledger::open(&path).expect("open");
    let seqs: BTreeSet<u64> = ledger
        .read_all()
        .expect("read")
        .iter()
        .map(|e| e.seq)
        .collect();
    for seq in &acked_seqs {
        assert!(seqs.contains(seq), "acknowledged seq {seq} is missing");
    }
    let after = ledger
        .append(&actor("dave"), note(0))
        .expect("append after kill");
    assert_eq!(Some(&(after.seq - 1)), seqs.iter().next_back());
    let report = verify(&path).expect("verify");
    assert!(!report.has_errors(), "{:?}", report.issues);
}

fn ledger_with(n: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger.jsonl");
    let ledger = Ledger::open(&path).expect("open");
    for i in 1..=n {
        ledger.append(&actor("alice"), note(i)).expect("append");
    }
    (dir, path)
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .map(String::from)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

fn verify_output(path: &Path) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = verify_to(path, &mut out, &mut err);
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf8");
    (code, text(out), text(err))
}

#[test]
fn an_edited_field_is_reported_at_its_line() {
    let (_dir, path) = ledger_with(5);
    let mut lines = lines_of(&path);
    lines[2] = lines[2].replace("note 3", "note 33");
    write_lines(&path, &lines);
    let (code, out, _) = verify_output(&path);
    assert_eq!(code, exit::LEDGER_BROKEN);
    let expected = format!(
        "{}:3: entry seq 3 was edited (hash mismatch)",
        path.display()
    );
    assert_eq!(out.lines().next(), Some(expected.as_str()), "{out}");
    let report = verify(&path).expect("verify");
    assert_eq!(
        report.issues.len(),
        1,
        "no cascade after an edit: {:?}",
        report.issues
    );
}

#[test]
fn an_entry_rewritten_with_a_fresh_hash_breaks_the_chain_after_it() {
    let (_dir, path) = ledger_with(4);
    let mut lines = lines_of(&path);
    let mut value: serde_json::Value = serde_json::from_str(&lines[1]).expect("json");
    value["payload"]["text"] = "forged".into();
    value["hash"] = entry_hash(&value).into();
    lines[1] = value.to_string();
    write_lines(&path, &lines);
    let issue = verify(&path)
        .expect("verify")
        .first_error()
        .cloned()
        .expect("an error");
    assert_eq!((issue.line, issue.kind), (3, IssueKind::BrokenChain));
}

#[test]
fn a_deleted_line_is_reported_as_a_seq_gap() {
    let (_dir, path) = ledger_with(5);
    let mut lines = lines_of(&path);
    lines.remove(2);
    write_lines(&path, &lines);
    let report = verify(&path).expect("verify");
    let issue = report.first_error().expect("an error");
    assert_eq!((issue.line, issue.kind), (3, IssueKind::Deleted));
    assert_eq!(issue.message, "entry seq 3 was deleted (seq jumps to 4)");
}

#[test]
fn swapped_lines_are_reported_as_reordered() {
    let (_dir, path) = ledger_with(5);
    let mut lines = lines_of(&path);
    lines.swap(1, 2);
    write_lines(&path, &lines);
    let issue = verify(&path)
        .expect("verify")
        .first_error()
        .cloned()
        .expect("an error");
    assert_eq!(
        (issue.line, issue.seq, issue.kind),
        (2, Some(3), IssueKind::Reordered)
    );
    assert!(
        issue.message.contains("seq 2 is at line 3"),
        "{}",
        issue.message
    );
}

#[test]
fn inserted_garbage_is_an_error() {
    let (_dir, path) = ledger_with(3);
    let mut lines = lines_of(&path);
    lines.insert(1, "hello".into());
    write_lines(&path, &lines);
    let issue = verify(&path)
        .expect("verify")
        .first_error()
        .cloned()
        .expect("an error");
    assert_eq!((issue.line, issue.kind), (2, IssueKind::Garbage));
}

#[test]
fn truncating_the_last_line_is_a_torn_tail_warning_with_its_own_exit_code() {
    let (_dir, path) = ledger_with(3);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, &text[..text.len() - 40]).expect("truncate");
    let (code, _, err) = verify_output(&path);
    assert_eq!(code, exit::LEDGER_TORN_TAIL);
    assert!(
        err.contains(":3: torn line 3 (crash during append?)"),
        "{err}"
    );

    Ledger::open(&path)
        .expect("open")
        .append(&actor("bob"), note(9))
        .expect("append");
    let report = verify(&path).expect("verify");
    assert!(
        report.is_clean(),
        "the append removed the fragment: {:?}",
        report.issues
    );
    assert_eq!(report.entries, 3, "seq 3 is the new entry, once");
    let (code, out, _) = verify_output(&path);
    assert_eq!(code, exit::OK, "{out}");
}

#[test]
fn truncating_a_middle_line_is_caught_by_the_chain_around_it() {
    let (_dir, path) = ledger_with(5);
    let mut lines = lines_of(&path);
    lines[2].truncate(30);
    write_lines(&path, &lines);
    let report = verify(&path).expect("verify");
    let kinds: Vec<_> = report
        .issues
        .iter()
        .map(|i| (i.line, i.severity, i.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (3, Severity::Warning, IssueKind::Torn),
            (4, Severity::Error, IssueKind::Deleted)
        ]
    );
}

#[test]
fn a_clean_ledger_verifies_with_exit_zero() {
    let (_dir, path) = ledger_with(3);
    let (code, out, err) = verify_output(&path);
    assert_eq!(code, exit::OK, "{out}{err}");
    assert!(out.contains("3 entries, chain intact"), "{out}");
}
