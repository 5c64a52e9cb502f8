//! A cockpit whose ledger breaks: the banner says which line, what is wrong and what to do; the
//! grid is folded again from the verified prefix only and its decision is NO-GO; when the ledger
//! verifies again, the banner goes.

use std::path::PathBuf;

use chrono::Duration;
use flightdeck::ledger::follow::{Break, Health, Reading};
use flightdeck::ledger::{Actor, Decision, Entry, Ledger, Payload};
use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::{Model, Pane};
use flightdeck::msg::{Action, Msg};
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn entries() -> Vec<Entry> {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let sign = |account: &str, role: &str, decision: Decision, comment: Option<&str>| {
        let actor = Actor {
            account: account.into(),
            uid: 1000,
            host: "bastion".into(),
            ssh_origin: None,
        };
        let payload = Payload::Signoff {
            env: "prod".into(),
            release: "1.4.2".into(),
            item: "Database".into(),
            role: role.into(),
            decision,
            comment: comment.map(String::from),
        };
        ledger
            .append_at(&actor, payload, clock() - Duration::minutes(5))
            .unwrap()
    };
    vec![
        sign("bob", "Technical Lead", Decision::Go, None),
        sign("dave", "Security Officer", Decision::NoGo, Some("CVE open")),
    ]
}

fn reading(entries: Vec<Entry>, reset: bool, health: Health) -> Msg {
    Msg::LedgerRead(Box::new(Reading {
        entries,
        reset,
        health,
    }))
}

fn screen(model: &Model) -> String {
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::view(model, &ui, f)).unwrap();
    terminal.backend().to_string()
}

fn prod_grid_model() -> Model {
    let mut model = three_lanes(1);
    model.signoffs.account = Some("alice".into());
    let all = entries();
    let health = Health::Verified {
        entries: 2,
        head: None,
    };
    update(&mut model, reading(all, false, health));
    while model.focus != Pane::Signoff {
        update(&mut model, Msg::Action(Action::NextPane));
    }
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    model
}

#[test]
fn a_broken_ledger_shows_a_banner_and_turns_the_grid_no_go() {
    let mut model = prod_grid_model();
    let before = screen(&model);
    assert!(!before.contains("LEDGER BROKEN"), "{before}");
    assert!(before.contains("NO-GO dave"), "{before}");

    // dave's NO-GO was edited: only bob's entry (before the break) counts now.
    let verified = entries().into_iter().take(1).collect();
    let broken = Health::Broken(Break {
        path: PathBuf::from("/srv/flightdeck/ledger.jsonl"),
        line: 2,
        message: "entry seq 2 was edited (hash mismatch)".into(),
        advice: "only entries before it count and every sign-off is NO-GO; run `flightdeck ledger \
                 verify --ledger /srv/flightdeck/ledger.jsonl`, then restore the file from a backup"
            .into(),
    });
    update(&mut model, reading(verified, true, broken));
    let text = screen(&model);
    assert!(
        text.contains("LEDGER BROKEN at /srv/flightdeck/ledger.jsonl:2: entry seq 2 was edited"),
        "{text}"
    );
    assert!(
        !text.contains("NO-GO dave"),
        "nothing after the break: {text}"
    );
    assert!(text.contains("the ledger does not verify"), "{text}");
    assert!(
        model
            .activity
            .entries
            .iter()
            .any(|e| e.text.contains("ledger broken at")),
        "told in the activity pane too"
    );
    insta::assert_snapshot!(text);

    // Restored: verified again, the banner goes and dave's NO-GO is back.
    let health = Health::Verified {
        entries: 2,
        head: None,
    };
    update(&mut model, reading(entries(), true, health));
    let text = screen(&model);
    assert!(!text.contains("LEDGER BROKEN"), "{text}");
    assert!(text.contains("NO-GO dave"), "{text}");
}
