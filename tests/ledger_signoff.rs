//! The sign-off grid, who may sign, the go/no-go decision, the `signoff` command and the export.

use std::path::Path;

use chrono::{TimeZone, Utc};
use clap::Parser;
use flightdeck::cli::exit;
use flightdeck::cli::ledger_export as export;
use flightdeck::cli::signoff::{SignoffArgs, SignoffContext, signoff_to};
use flightdeck::config::Profile;
use flightdeck::ledger::{Actor, Decision, Entry, Ledger, Payload};
use flightdeck::model::signoff::{CursorMove, SignoffGrid};
use flightdeck::policy::{SignoffAttempt, SignoffConfig, authorize_signoff, decide};

const PROFILE: &str = r#"
[service]
name = "clarity-backend"
[sandbox]
[[environments]]
name = "prod"
[environments.cloudrun]
project = "p"
region = "r"
service = "s"
[signoff]
items = ["Database", "Security"]
[[signoff.roles]]
name = "Technical Lead"
accounts = ["*"]
[[signoff.roles]]
name = "Security Officer"
accounts = ["dave"]
[[signoff.roles]]
name = "Observer"
accounts = ["*"]
required = false
"#;

fn profile() -> Profile {
    Profile::parse(Path::new("test.toml"), PROFILE).expect("test profile parses")
}

fn config() -> SignoffConfig {
    profile().signoff
}

fn actor(account: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: Some("10.0.0.9:40022".into()),
    }
}

fn sign(seq: u64, who: &str, item: &str, role: &str, decision: Decision, comment: &str) -> Entry {
    Entry {
        seq,
        time: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()
            + chrono::Duration::minutes(seq as i64),
        actor: actor(who),
        payload: Payload::Signoff {
            env: "prod".into(),
            release: "v2".into(),
            item: item.into(),
            role: role.into(),
            decision,
            comment: (!comment.is_empty()).then(|| comment.into()),
        },
        prev: String::new(),
        hash: String::new(),
        sig: None,
    }
}

use Decision::{Go, NoGo};

fn all_required_go() -> Vec<Entry> {
    vec![
        sign(1, "alice", "Database", "Technical Lead", Go, ""),
        sign(2, "alice", "Security", "Technical Lead", Go, ""),
        sign(3, "dave", "Database", "Security Officer", Go, ""),
        sign(4, "dave", "Security", "Security Officer", Go, ""),
    ]
}

#[test]
fn decision_table() {
    let with = |extra: Vec<Entry>| [all_required_go(), extra].concat();
    let cases: Vec<(&str, Vec<Entry>, bool, &str)> = vec![
        (
            "nobody signed",
            vec![],
            false,
            "NO-GO: nobody has signed yet",
        ),
        (
            "all required GO",
            all_required_go(),
            true,
            "GO: all 2 required roles signed all 2 items GO",
        ),
        (
            "one cell open",
            all_required_go()[..3].to_vec(),
            false,
            "NO-GO: waiting for Security Officer (Security)",
        ),
        (
            "a role entirely open",
            all_required_go()[..2].to_vec(),
            false,
            "NO-GO: waiting for Security Officer (all 2 items)",
        ),
        (
            "GO then NO-GO: the NO-GO stands",
            with(vec![sign(
                5,
                "dave",
                "Database",
                "Security Officer",
                NoGo,
                "CVE open",
            )]),
            false,
            "NO-GO: NO-GO from dave (Security Officer) on Database: \"CVE open\"",
        ),
        (
            "NO-GO then GO: latest wins",
            [
                vec![sign(0, "dave", "Database", "Security Officer", NoGo, "x")],
                all_required_go(),
            ]
            .concat(),
            true,
            "GO: all 2 required roles signed all 2 items GO",
        ),
        (
            "an optional role's NO-GO still blocks",
            with(vec![sign(
                5,
                "erin",
                "Security",
                "Observer",
                NoGo,
                "pen test pending",
            )]),
            false,
            "NO-GO: NO-GO from erin (Observer) on Security: \"pen test pending\"",
        ),
        (
            "objection and missing both named",
            vec![sign(
                1,
                "alice",
                "Database",
                "Technical Lead",
                NoGo,
                "slow queries",
            )],
            false,
            "NO-GO: NO-GO from alice (Technical Lead) on Database: \"slow queries\"; \
             waiting for Technical Lead (Security), Security Officer (all 2 items)",
        ),
    ];
    for (name, entries, go, reason) in cases {
        let grid = SignoffGrid::from_entries(&config(), "prod", "v2", &entries);
        let verdict = decide(&grid);
        assert_eq!(
            (verdict.go, verdict.reason.as_str()),
            (go, reason),
            "case: {name}"
        );
    }
}

#[test]
fn long_missing_lists_are_summarised() {
    let config = SignoffConfig::default();
    let entries = vec![sign(1, "alice", "Components", "Technical Lead", Go, "")];
    let verdict = decide(&SignoffGrid::from_entries(&config, "prod", "v2", &entries));
    assert!(
        verdict
            .reason
            .contains("Technical Lead (API Server, Database, Infrastructure and 4 more)"),
        "{}",
        verdict.reason
    );
    assert!(
        verdict.reason.contains("Operations Lead (all 8 items)"),
        "{}",
        verdict.reason
    );
}

#[test]
fn a_grid_with_nothing_to_sign_is_never_go() {
    let config = SignoffConfig {
        items: vec![],
        roles: SignoffConfig::default().roles,
    };
    let verdict = decide(&SignoffGrid::new(&config, "prod", "v2"));
    assert!(!verdict.go);
}

#[test]
fn grid_fold_is_idempotent_and_keeps_the_highest_seq() {
    let mut grid = SignoffGrid::new(&config(), "prod", "v2");
    let later = sign(7, "dave", "Database", "Security Officer", NoGo, "CVE");
    let earlier = sign(3, "dave", "Database", "Security Officer", Go, "");
    assert!(grid.apply(&later));
    assert!(!grid.apply(&later), "the same entry twice changes nothing");
    assert!(
        !grid.apply(&earlier),
        "an older entry arriving late does not win"
    );
    let cell = grid
        .cell_by_name("Database", "Security Officer")
        .expect("cell");
    let signature = cell.signature.as_ref().expect("signed");
    assert_eq!(
        (
            signature.decision,
            signature.seq,
            signature.comment.as_deref()
        ),
        (NoGo, 7, Some("CVE"))
    );

    let mut other_release = sign(8, "dave", "Security", "Security Officer", Go, "");
    if let Payload::Signoff { release, .. } = &mut other_release.payload {
        *release = "v3".into();
    }
    assert!(!grid.apply(&other_release));
    assert!(!grid.apply(&sign(9, "dave", "Not an item", "Security Officer", Go, "")));
}

#[test]
fn comments_attach_to_their_cell_once_in_seq_order() {
    let comment = |seq: u64, text: &str| Entry {
        payload: Payload::Comment {
            env: "prod".into(),
            release: "v2".into(),
            item: "Security".into(),
            role: "Technical Lead".into(),
            text: text.into(),
        },
        ..sign(seq, "bob", "Security", "Technical Lead", Go, "")
    };
    let mut grid = SignoffGrid::new(&config(), "prod", "v2");
    for entry in [
        comment(5, "second"),
        comment(2, "first"),
        comment(5, "second"),
    ] {
        grid.apply(&entry);
    }
    let cell = grid
        .cell_by_name("Security", "Technical Lead")
        .expect("cell");
    let texts: Vec<&str> = cell.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["first", "second"]);
    assert!(cell.signature.is_none(), "a comment is not a sign-off");
}

#[test]
fn cursor_moves_are_clamped_to_the_grid() {
    let mut grid = SignoffGrid::new(&config(), "prod", "v2");
    grid.move_cursor(CursorMove::Up);
    grid.move_cursor(CursorMove::Left);
    assert_eq!((grid.cursor.row, grid.cursor.col), (0, 0));
    for _ in 0..5 {
        grid.move_cursor(CursorMove::Right);
        grid.move_cursor(CursorMove::Down);
    }
    assert_eq!((grid.cursor.row, grid.cursor.col), (1, 2));
    let (item, role, _) = grid.selected().expect("selection");
    assert_eq!((item, role), ("Security", "Observer"));
    grid.move_cursor(CursorMove::RowStart);
    grid.move_cursor(CursorMove::Top);
    assert_eq!((grid.cursor.row, grid.cursor.col), (0, 0));
}

#[test]
fn authorization_table() {
    let config = config();
    let attempt = |account, role, decision, comment| SignoffAttempt {
        account,
        role,
        item: "Database",
        decision,
        comment,
    };
    let cases: Vec<(SignoffAttempt<'_>, bool, Result<(), &str>)> = vec![
        (attempt("alice", "Technical Lead", Go, None), false, Ok(())),
        (attempt("dave", "Security Officer", Go, None), false, Ok(())),
        (
            attempt("alice", "Security Officer", Go, None),
            false,
            Err("alice is not allowed to sign Security Officer (allowed: dave)"),
        ),
        (
            attempt("alice", "Technical Lead", Go, None),
            true,
            Err("read-only mode: signing is disabled (restart without --read-only)"),
        ),
        (
            attempt("alice", "Technical Lead", NoGo, Some("  ")),
            false,
            Err("a NO-GO needs a comment saying why"),
        ),
        (
            attempt("alice", "Technical Lead", NoGo, Some("flaky")),
            false,
            Ok(()),
        ),
        (
            attempt("alice", "CTO", Go, None),
            false,
            Err(
                "no role named \"CTO\" in the sign-off grid (roles: Technical Lead, Security Officer, Observer)",
            ),
        ),
    ];
    for (attempt, read_only, expected) in cases {
        let got = authorize_signoff(&config, &attempt, read_only).map_err(|r| r.to_string());
        assert_eq!(
            got.as_ref().map(|_| ()).map_err(String::as_str),
            expected,
            "{attempt:?} read_only={read_only}"
        );
    }
    let unknown_item = SignoffAttempt {
        item: "Nope",
        ..attempt("alice", "Technical Lead", Go, None)
    };
    assert!(authorize_signoff(&config, &unknown_item, false).is_err());
}

#[derive(Parser)]
struct SignoffCommand {
    #[command(flatten)]
    args: SignoffArgs,
}

fn run(argv: &[&str], who: &str, read_only: bool, ledger: &Path) -> (i32, String, String) {
    let args =
        SignoffCommand::try_parse_from(std::iter::once("signoff").chain(argv.iter().copied()))
            .expect("arguments parse")
            .args;
    let profile = profile();
    let me = actor(who);
    let context = SignoffContext {
        profile: &profile,
        ledger_path: ledger,
        actor: &me,
        read_only,
        current_release: Some("v2"),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = signoff_to(&args, &context, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("utf8"),
        String::from_utf8(err).expect("utf8"),
    )
}

#[test]
fn signoff_command_applies_the_grid_rules_and_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = dir.path().join("ledger.jsonl");
    let base = ["prod", "--role", "Security Officer", "--item", "Database"];
    let (code, _, err) = run(&[&base[..], &["--go"]].concat(), "alice", false, &ledger);
    assert_eq!(code, exit::REFUSED);
    assert!(
        err.contains("alice is not allowed to sign Security Officer (allowed: dave)"),
        "{err}"
    );
    let (code, _, _) = run(&[&base[..], &["--go"]].concat(), "dave", true, &ledger);
    assert_eq!(code, exit::REFUSED);
    let (code, _, err) = run(&[&base[..], &["--no-go"]].concat(), "dave", false, &ledger);
    assert_eq!(
        (code, err.trim()),
        (exit::REFUSED, "refused: a NO-GO needs a comment saying why")
    );
    let (code, _, _) = run(
        &[
            "staging", "--role", "Observer", "--item", "Database", "--go",
        ],
        "dave",
        false,
        &ledger,
    );
    assert_eq!(code, exit::USAGE);
    assert!(
        Ledger::open(&ledger)
            .expect("open")
            .read_all()
            .expect("read")
            .is_empty(),
        "refusals record nothing"
    );

    let (code, out, _) = run(&[&base[..], &["--go"]].concat(), "dave", false, &ledger);
    assert_eq!(code, exit::OK);
    assert!(out.starts_with("recorded seq 1:"), "{out}");
    let entries = Ledger::open(&ledger)
        .expect("open")
        .read_all()
        .expect("read");
    match &entries[..] {
        [
            Entry {
                actor,
                payload:
                    Payload::Signoff {
                        release, decision, ..
                    },
                ..
            },
        ] => {
            assert_eq!(
                (actor.account.as_str(), release.as_str(), *decision),
                ("dave", "v2", Go)
            );
        }
        other => panic!("expected one sign-off, got {other:?}"),
    }
}

#[test]
fn signoff_arguments_need_exactly_one_decision() {
    let parse = |extra: &[&str]| {
        let argv = [
            &["signoff", "prod", "--role", "R", "--item", "I"][..],
            extra,
        ]
        .concat();
        SignoffCommand::try_parse_from(argv).is_ok()
    };
    assert!(parse(&["--go"]));
    assert!(parse(&["--no-go", "--comment", "why"]));
    assert!(!parse(&[]));
    assert!(!parse(&["--go", "--no-go"]));
}

#[test]
fn markdown_export_is_a_pasteable_record() {
    let entries = vec![
        sign(1, "alice", "Database", "Technical Lead", Go, ""),
        sign(
            2,
            "dave",
            "Database",
            "Security Officer",
            NoGo,
            "CVE-2025-1 | unpatched",
        ),
    ];
    let records = export::records(&config(), &entries, Some("prod"), None);
    let md = export::to_markdown("clarity-backend", &records, &[], None);
    for expected in [
        "## Sign-off: clarity-backend → prod, release v2",
        "**Decision: NO-GO** (NO-GO: NO-GO from dave (Security Officer) on Database: \"CVE-2025-1 \\| unpatched\";",
        "| Item | Technical Lead | Security Officer | Observer (optional) |",
        "| Database | GO alice | NO-GO dave | open |",
        "| Security | open | open | open |",
        "| 2 | 2025-03-01 10:02:00 | dave | bastion (ssh from 10.0.0.9:40022) | Security Officer | Database | NO-GO | CVE-2025-1 \\| unpatched |",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    let json = export::to_json("clarity-backend", &records, &[], None);
    assert_eq!(json["records"][0]["decision"], "NO-GO");
    assert_eq!(json["records"][0]["objections"][0]["account"], "dave");
    assert_eq!(json["records"][0]["cells"][0]["state"], "go");
    assert!(export::records(&config(), &entries, Some("staging"), None).is_empty());
}
