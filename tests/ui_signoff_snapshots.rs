//! The sign-off grid, its decision line and the comment popup, as a user sees them.

use chrono::Duration;
use flightdeck::ledger::{Actor, Decision, Entry, Ledger, Payload};
use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::{CommentPurpose, Model, Overlay, Pane, Prompt};
use flightdeck::msg::{Action, Msg};
use flightdeck::ui::prompt::PromptEditor;
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn ui() -> UiContext {
    UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    }
}

fn sign(
    ledger: &Ledger,
    account: &str,
    item: &str,
    role: &str,
    decision: Decision,
    comment: Option<&str>,
) -> Entry {
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
        decision,
        comment: comment.map(str::to_string),
    };
    ledger
        .append_at(&actor, payload, clock() - Duration::minutes(5))
        .unwrap()
}

/// prod's grid for 1.4.2 with two GOs and one NO-GO, focused, cursor on the NO-GO.
fn prod_grid() -> Model {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let entries = vec![
        sign(
            &ledger,
            "alice",
            "Components",
            "Technical Lead",
            Decision::Go,
            None,
        ),
        sign(
            &ledger,
            "carol",
            "Components",
            "Operations Lead",
            Decision::Go,
            None,
        ),
        sign(
            &ledger,
            "dave",
            "API Server",
            "Security Officer",
            Decision::NoGo,
            Some("CVE-2026-1234 unpatched"),
        ),
    ];
    let mut model = three_lanes(1);
    model.signoffs.account = Some("alice".into());
    update(&mut model, Msg::LedgerEntries(entries));
    while model.focus != Pane::Signoff {
        update(&mut model, Msg::Action(Action::NextPane));
    }
    for action in [
        Action::NextLane,
        Action::NextLane,
        Action::Down,
        Action::Right,
        Action::Right,
    ] {
        update(&mut model, Msg::Action(action));
    }
    model
}

fn screen(model: &Model, editor: Option<&mut PromptEditor>, width: u16, height: u16) -> String {
    let ui = ui();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            ui::view(model, &ui, frame);
            if let (Overlay::Prompt(purpose), Some(editor)) = (&model.overlay, editor) {
                editor.render(purpose, &ui, frame, ui::prompt::area(purpose, frame.area()));
            }
        })
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn the_grid_and_its_decision_at_100x30() {
    let text = screen(&prod_grid(), None, 100, 30);
    assert!(text.contains("Sign-off prod · 1.4.2"));
    assert!(text.contains("✗ NO-GO dave"));
    assert!(text.contains("Decision: ✗ NO-GO"));
    assert!(text.contains("\"CVE-2026-1234 unpatched\""));
    insta::assert_snapshot!(text);
}

#[test]
fn the_grid_beside_the_activity_pane_at_140x34() {
    insta::assert_snapshot!(screen(&prod_grid(), None, 140, 34));
}

#[test]
fn the_comment_popup_shows_its_keys() {
    let mut model = prod_grid();
    model.overlay = Overlay::Prompt(Prompt::Comment(CommentPurpose {
        item: "Database".into(),
        role: "Technical Lead".into(),
        decision: Some(Decision::NoGo),
    }));
    let Overlay::Prompt(prompt) = &model.overlay else {
        unreachable!()
    };
    let mut editor = PromptEditor::new(prompt);
    editor.paste("migration 0042 not rehearsed\r\nsee RELEASE-88");
    let text = screen(&model, Some(&mut editor), 100, 30);
    assert!(text.contains("NO-GO on Database × Technical Lead: reason"));
    assert!(text.contains("Ctrl-S submit"));
    assert!(text.contains("see RELEASE-88"));
    assert_eq!(
        editor.text(),
        "migration 0042 not rehearsed\nsee RELEASE-88"
    );
    insta::assert_snapshot!(text);
}
