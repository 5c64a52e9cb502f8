//! The responsive layout (issue #13): every pane where the size class promises it, at 80×24,
//! 120×36 and 200×55, with a cockpit that has a build running, probes, a sign-off in progress,
//! activity and an alert.

use chrono::Duration;
use flightdeck::ledger::{Actor, Decision, Entry, Ledger, Payload};
use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::fixtures_pipeline::{RunMoment, pipeline};
use flightdeck::model::probes::Probes;
use flightdeck::model::{Level, Model, Pane};
use flightdeck::msg::{Action, Cmd, Msg};
use flightdeck::probes::{Health, ProbeFormat, ProbeId, ProbeOutcome, ProbeReport, ProbeSpec};
use flightdeck::runtime::PipelinePoll;
use flightdeck::ui::{self, SizeClass, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model, width: u16, height: u16) -> String {
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::view(model, &ui, frame)).unwrap();
    terminal.backend().to_string()
}

fn spec(name: &str) -> ProbeSpec {
    toml::from_str(&format!(
        "name = \"{name}\"\npath = \"/{name}\"\ninterval_secs = 2"
    ))
    .unwrap()
}

fn probe(lane: &str, name: &str, secs: i64, micros: u64) -> Msg {
    Msg::ProbeReport(Box::new(ProbeReport {
        id: ProbeId::new(lane, name),
        at: clock() + Duration::seconds(secs),
        outcome: ProbeOutcome {
            http_status: Some(200),
            latency: std::time::Duration::from_micros(micros),
            status: Health::Pass,
            format: Some(ProbeFormat::Json),
            checks: Vec::new(),
            reason: None,
            body: r#"{"status":"ok"}"#.into(),
        },
    }))
}

fn signature(ledger: &Ledger, account: &str, item: &str, role: &str, go: bool) -> Entry {
    let actor = Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    let payload = Payload::Signoff {
        env: "prod".into(),
        release: "1.4.2".into(),
        item: item.into(),
        role: role.into(),
        decision: if go { Decision::Go } else { Decision::NoGo },
        comment: (!go).then(|| "CVE-2026-1234 unpatched".to_string()),
    };
    ledger
        .append_at(&actor, payload, clock() - Duration::minutes(5))
        .unwrap()
}

/// A release build at phase 4, green probes, prod's sign-off under way, some activity.
fn cockpit() -> Model {
    let mut model = three_lanes(1);
    model.pipeline.configured = true;
    model.pipeline.run = Some(pipeline(RunMoment::RunningPhase4));
    model.pipeline.fetched_at = Some(clock());
    let specs = [spec("health"), spec("readiness")];
    model.probes = Probes::from_profile([
        ("dev", &specs[..]),
        ("staging", &specs[..]),
        ("prod", &specs[..1]),
    ]);
    for i in 0..6 {
        for (lane, name) in [
            ("dev", "health"),
            ("dev", "readiness"),
            ("staging", "health"),
            ("staging", "readiness"),
            ("prod", "health"),
        ] {
            update(&mut model, probe(lane, name, i - 6, 300 + 90 * i as u64));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let mut entries = Vec::new();
    for item in ["Components", "API Server", "Database", "Infrastructure"] {
        entries.push(signature(&ledger, "alice", item, "Technical Lead", true));
    }
    entries.push(signature(
        &ledger,
        "carol",
        "Components",
        "Operations Lead",
        true,
    ));
    entries.push(signature(
        &ledger,
        "dave",
        "Security",
        "Security Officer",
        false,
    ));
    model.signoffs.account = Some("alice".into());
    update(&mut model, Msg::LedgerEntries(entries));
    model.log(Some("prod"), Level::Info, "new revision 00008-abc (1.4.2)");
    model.log(
        Some("prod"),
        Level::Info,
        "traffic now 00007-abc 90% · 00008-abc 10%",
    );
    model.log(Some("build"), Level::Info, "run #42: Release 1.5.0");
    model
}

#[test]
fn wide_200x55_shows_every_pane_at_once() {
    let model = cockpit();
    let text = screen(&model, 200, 55);
    for needle in [
        "Build #17",
        "Probes",
        "Sign-off prod · 1.4.2",
        "Activity",
        "dev needs no sign-off; showing prod",
        "NO-GO 5/32 · Security Officer objects",
        "no sign-off needed",
        "staging/readiness",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("[Phases]"),
        "no tab bar when everything fits"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn medium_120x36_shows_lanes_and_two_panes() {
    let mut model = cockpit();
    update(&mut model, Msg::Action(Action::NextPane));
    let text = screen(&model, 120, 36);
    assert!(
        text.contains("Build #17") && text.contains("Activity"),
        "{text}"
    );
    assert!(!text.contains("Sign-off prod"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn compact_80x24_shows_the_focused_pane_and_a_tab_bar() {
    let mut model = cockpit();
    while model.focus != Pane::Signoff {
        update(&mut model, Msg::Action(Action::NextPane));
    }
    let text = screen(&model, 80, 24);
    assert!(text.contains("[Sign-off] NO-GO"), "{text}");
    assert!(text.contains("Sign-off prod"), "{text}");
    assert!(!text.contains("Activity ─"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn below_80x24_a_centred_notice_says_the_terminal_is_too_small() {
    let model = cockpit();
    let text = screen(&model, 20, 6);
    insta::assert_snapshot!(text);
    let joined: String = text
        .lines()
        .flat_map(|line| line.trim_matches('"').split_whitespace())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("terminal too small: 20×6, flightdeck needs at least 80×24"),
        "{text}"
    );
    // One short side is enough; 80×24 itself is the compact layout.
    assert!(screen(&model, 79, 40).contains("terminal too small: 79×40"));
    assert!(screen(&model, 120, 23).contains("terminal too small: 120×23"));
    assert!(!screen(&model, 80, 24).contains("too small"));
}

#[test]
fn the_footer_names_the_lane_an_action_hits() {
    let mut model = cockpit();
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    let text = screen(&model, 120, 36);
    let footer = text.lines().last().unwrap();
    assert!(footer.contains("p promote staging→prod"), "{footer}");
    assert!(footer.contains("R rollback prod"), "{footer}");
    model.read_only = true;
    let text = screen(&model, 120, 36);
    let footer = text.lines().last().unwrap();
    assert!(
        !footer.contains("promote") && !footer.contains("rollback"),
        "{footer}"
    );
}

#[test]
fn a_failed_build_raises_a_banner_until_acknowledged() {
    let mut model = cockpit();
    let failed = pipeline(RunMoment::FailedAtPhase6);
    let cmds = update(
        &mut model,
        Msg::PipelinePolled {
            at: clock(),
            poll: PipelinePoll::Changed(Box::new(failed.clone())),
            budget: None,
        },
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Alert(a) if a.kind.name() == "build_failed")),
        "{cmds:?}"
    );
    // The same failure polled again is not a second alert.
    let again = update(
        &mut model,
        Msg::PipelinePolled {
            at: clock(),
            poll: PipelinePoll::Changed(Box::new(failed)),
            budget: None,
        },
    );
    assert!(!again.iter().any(|c| matches!(c, Cmd::Alert(_))));
    let text = screen(&model, 160, 48);
    assert!(text.contains("build #17 failed"), "{text}");
    assert!(text.contains("A: acknowledge"), "{text}");
    insta::assert_snapshot!(text);
    update(&mut model, Msg::Action(Action::Acknowledge));
    let text = screen(&model, 160, 48);
    assert!(!text.contains("A: acknowledge"), "{text}");
}

#[test]
fn the_size_class_is_chosen_from_the_terminal_size() {
    assert_eq!(SizeClass::of(80, 24), SizeClass::Compact);
    assert_eq!(SizeClass::of(120, 36), SizeClass::Medium);
    assert_eq!(SizeClass::of(160, 48), SizeClass::Wide);
    assert_eq!(SizeClass::of(200, 55), SizeClass::Wide);
}

#[test]
fn enter_on_a_cell_shows_its_whole_history_with_line_breaks() {
    let mut model = cockpit();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("h.jsonl")).unwrap();
    let actor = |account: &str| Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: Some("10.0.0.7".into()),
    };
    let cell = |decision: Decision, comment: Option<&str>| Payload::Signoff {
        env: "prod".into(),
        release: "1.4.2".into(),
        item: "Security".into(),
        role: "Security Officer".into(),
        decision,
        comment: comment.map(str::to_string),
    };
    let at = clock() - Duration::minutes(2);
    let later = vec![
        ledger
            .append_at(
                &actor("carol"),
                Payload::Comment {
                    env: "prod".into(),
                    release: "1.4.2".into(),
                    item: "Security".into(),
                    role: "Security Officer".into(),
                    text: "patched in 1.4.2-rc3\nsee SEC-77".into(),
                },
                at,
            )
            .unwrap(),
        ledger
            .append_at(&actor("erin"), cell(Decision::Go, None), at)
            .unwrap(),
    ];
    update(&mut model, Msg::LedgerEntries(later));
    while model.focus != Pane::Signoff {
        update(&mut model, Msg::Action(Action::NextPane));
    }
    for action in [
        Action::Down,
        Action::Down,
        Action::Down,
        Action::Down,
        Action::Right,
        Action::Right,
    ] {
        update(&mut model, Msg::Action(action));
    }
    let activity = screen(&model, 200, 55);
    assert!(
        activity.contains("carol on Security × Security Officer: \"patched in 1.4.2-rc3 …\""),
        "{activity}"
    );
    update(&mut model, Msg::Action(Action::Open));
    let text = screen(&model, 120, 36);
    for needle in [
        "History: Security × Security Officer (3 entries)",
        "NO-GO by dave",
        "comment by carol (10.0.0.7)",
        "    patched in 1.4.2-rc3",
        "    see SEC-77",
        "GO by erin (10.0.0.7) (replaces dave's NO-GO)",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    insta::assert_snapshot!(text);
    update(&mut model, Msg::Action(Action::Back));
    assert!(!screen(&model, 120, 36).contains("History:"));
}

/// The screen cell where `text` is drawn (its first character): column, row.
fn cell_of(screen: &str, text: &str) -> (u16, u16) {
    screen
        .lines()
        .enumerate()
        .find_map(|(row, line)| {
            let line = line.strip_prefix('"')?;
            let at = line.find(text)?;
            Some((line[..at].chars().count() as u16, row as u16))
        })
        .unwrap_or_else(|| panic!("{text} not on screen:\n{screen}"))
}

#[test]
fn a_click_is_measured_against_the_layout_the_view_draws() {
    use flightdeck::msg::Hit;
    use flightdeck::ui::pointer::target;
    for (width, height) in [(200, 55), (120, 36), (80, 24)] {
        let mut model = cockpit();
        model.detail = Pane::Phases;
        let area = ratatui::layout::Rect::new(0, 0, width, height);
        let text = screen(&model, width, height);
        let (column, row) = cell_of(&text, "staging");
        assert_eq!(
            target(&model, area, column, row),
            Some((Pane::Lanes, Some(Hit::Row(1)))),
            "{width}×{height}"
        );
        let (column, row) = cell_of(&text, "ML Model Validation");
        assert_eq!(
            target(&model, area, column, row),
            Some((Pane::Phases, Some(Hit::Row(4)))),
            "{width}×{height}"
        );
        // The header is no pane.
        assert_eq!(target(&model, area, 1, 0), None);
    }
    // At 80×24 the tab bar names the other panes: a click on one shows it.
    let mut model = cockpit();
    model.detail = Pane::Phases;
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let text = screen(&model, 80, 24);
    let (column, row) = cell_of(&text, "Activity");
    assert_eq!(
        target(&model, area, column + 2, row),
        Some((Pane::Activity, None))
    );
    let (column, row) = cell_of(&text, "Sign-off NO-GO");
    assert_eq!(
        target(&model, area, column + 10, row),
        Some((Pane::Signoff, None))
    );
    assert_eq!(target(&model, area, column - 2, row), None, "a separator");
    let model = cockpit();
    let area = ratatui::layout::Rect::new(0, 0, 200, 55);
    let text = screen(&model, 200, 55);
    let (column, row) = cell_of(&text, "staging/health");
    assert_eq!(
        target(&model, area, column, row),
        Some((Pane::Probes, Some(Hit::Row(2))))
    );
    // The grid: a cell under its role's column, and an item's name (the cursor's column).
    let (column, row) = cell_of(&text, "Database");
    let (role_column, _) = cell_of(&text, "Operations Lead");
    assert_eq!(
        target(&model, area, role_column + 3, row),
        Some((Pane::Signoff, Some(Hit::Cell { row: 2, col: 1 })))
    );
    assert_eq!(
        target(&model, area, column, row),
        Some((Pane::Signoff, Some(Hit::Cell { row: 2, col: 0 })))
    );
    let (column, row) = cell_of(&text, "Activity");
    assert_eq!(
        target(&model, area, column, row + 1).map(|t| t.0),
        Some(Pane::Activity)
    );
}
