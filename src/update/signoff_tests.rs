use super::update;
use crate::ledger::{Actor, Decision, Ledger, Payload};
use crate::model::fixtures::{lead_and_security, three_lanes};
use crate::model::{Level, Model, Overlay, Pane};
use crate::msg::{Action, Cmd, Msg};
use crate::policy::SignoffConfig;

fn config() -> SignoffConfig {
    lead_and_security(&["Database", "Security"])
}

/// The sign-off pane of prod (release 1.4.2, what runs in staging), as `account`.
fn model(account: &str) -> Model {
    let mut model = three_lanes(1);
    model.signoffs.config = config();
    model.signoffs.account = Some(account.into());
    update(&mut model, Msg::LedgerEntries(Vec::new()));
    while model.focus != Pane::Signoff {
        update(&mut model, Msg::Action(Action::NextPane));
    }
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    model
}

fn press(model: &mut Model, action: Action) -> Vec<Cmd> {
    update(model, Msg::Action(action))
}

#[test]
fn the_grid_is_for_the_selected_lane_and_the_release_that_would_be_promoted() {
    let model = model("alice");
    assert_eq!(model.focus, Pane::Signoff);
    let grid = model.signoffs.grid.as_ref().unwrap();
    assert_eq!(
        (grid.env.as_str(), grid.release.as_str()),
        ("prod", "1.4.2")
    );
}

#[test]
fn go_is_recorded_at_once_for_an_allowed_account() {
    let mut model = model("alice");
    let cmds = press(&mut model, Action::SignGo);
    let expected = Payload::Signoff {
        env: "prod".into(),
        release: "1.4.2".into(),
        item: "Database".into(),
        role: "Technical Lead".into(),
        decision: Decision::Go,
        comment: None,
    };
    assert_eq!(cmds, vec![Cmd::AppendLedger(expected)]);
    assert!(model.signoffs.recording);
}

#[test]
fn an_account_outside_the_role_is_told_why_and_nothing_is_sent() {
    let mut model = model("mallory");
    assert!(press(&mut model, Action::SignGo).is_empty());
    let notice = model.notice.clone().unwrap();
    assert_eq!(notice.level, Level::Warn);
    assert!(notice.text.contains("mallory"), "{}", notice.text);
    assert!(notice.text.contains("alice"), "{}", notice.text);
}

#[test]
fn read_only_cannot_sign() {
    let mut model = model("alice");
    model.read_only = true;
    assert!(press(&mut model, Action::SignGo).is_empty());
    assert!(
        model
            .notice
            .unwrap()
            .text
            .to_lowercase()
            .contains("read-only")
    );
}

#[test]
fn no_go_asks_for_a_reason_and_refuses_an_empty_one() {
    let mut model = model("alice");
    assert!(press(&mut model, Action::SignNoGo).is_empty());
    assert!(matches!(model.overlay, Overlay::Prompt(_)));
    assert!(update(&mut model, Msg::PromptSubmitted("   ".into())).is_empty());
    assert!(
        matches!(model.overlay, Overlay::Prompt(_)),
        "the editor stays open"
    );
    let cmds = update(
        &mut model,
        Msg::PromptSubmitted("migration not rehearsed\nsee ticket".into()),
    );
    assert!(matches!(
        &cmds[..],
        [Cmd::AppendLedger(Payload::Signoff { decision: Decision::NoGo, comment: Some(c), .. })]
            if c == "migration not rehearsed\nsee ticket"
    ));
    assert_eq!(model.overlay, Overlay::None);
}

#[test]
fn cancelling_the_editor_records_nothing() {
    let mut model = model("alice");
    press(&mut model, Action::Comment);
    assert!(update(&mut model, Msg::PromptCancelled).is_empty());
    assert_eq!(model.overlay, Overlay::None);
}

#[test]
fn entries_from_another_cockpit_fill_the_grid_and_the_activity_pane() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let dave = Actor {
        account: "dave".into(),
        uid: 1004,
        host: "bastion".into(),
        ssh_origin: Some("10.0.0.9:52100".into()),
    };
    let entry = ledger
        .append(
            &dave,
            Payload::Signoff {
                env: "prod".into(),
                release: "1.4.2".into(),
                item: "Security".into(),
                role: "Security Officer".into(),
                decision: Decision::Go,
                comment: None,
            },
        )
        .unwrap();
    let mut model = model("alice");
    model.dirty = false;
    update(&mut model, Msg::LedgerEntries(vec![entry]));
    assert!(model.dirty);
    let grid = model.signoffs.grid.as_ref().unwrap();
    assert_eq!(
        grid.cell_by_name("Security", "Security Officer")
            .unwrap()
            .decision(),
        Some(Decision::Go)
    );
    assert!(
        model.activity.entries[0]
            .text
            .starts_with("dave (10.0.0.9:52100) signed GO on Security")
    );
}

#[test]
fn turning_a_no_go_into_go_asks_why_and_records_it_with_the_go() {
    let mut model = model("alice");
    press(&mut model, Action::SignNoGo);
    let cmds = update(&mut model, Msg::PromptSubmitted("not rehearsed".into()));
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let actor = Actor {
        account: "alice".into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    let [Cmd::AppendLedger(payload)] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    let entry = ledger.append(&actor, payload.clone()).unwrap();
    update(&mut model, Msg::LedgerAppended(Box::new(Ok(entry))));
    assert!(press(&mut model, Action::SignGo).is_empty(), "asks first");
    assert!(matches!(model.overlay, Overlay::Prompt(_)));
    assert!(update(&mut model, Msg::PromptSubmitted(" ".into())).is_empty());
    let cmds = update(
        &mut model,
        Msg::PromptSubmitted("rehearsed on staging".into()),
    );
    assert!(matches!(
        &cmds[..],
        [Cmd::AppendLedger(Payload::Signoff { decision: Decision::Go, comment: Some(c), .. })]
            if c == "rehearsed on staging"
    ));
}

#[test]
fn an_unreachable_ledger_refuses_signing_until_it_is_back() {
    let mut model = model("alice");
    update(
        &mut model,
        Msg::LedgerReachability(Some("connection refused".into())),
    );
    assert!(press(&mut model, Action::SignGo).is_empty(), "nothing sent");
    assert!(!model.signoffs.recording);
    let said = model.activity.entries.iter().any(|a| {
        a.level == Level::Error && a.text.contains("ledger unreachable") && a.text.contains("stale")
    });
    assert!(
        said,
        "the activity pane says why: {:?}",
        model.activity.entries
    );
    update(&mut model, Msg::LedgerReachability(None));
    assert_eq!(
        press(&mut model, Action::SignGo).len(),
        1,
        "signing works again"
    );
}

#[test]
fn a_lead_signs_the_whole_column_after_a_confirmation_and_no_go_cells_stay() {
    let mut model = model("alice");
    // Security × Technical Lead is a NO-GO already: the column sign leaves it alone.
    update(&mut model, Msg::Action(Action::Down));
    press(&mut model, Action::SignNoGo);
    let cmds = update(&mut model, Msg::PromptSubmitted("pen test open".into()));
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let actor = Actor {
        account: "alice".into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    let [Cmd::AppendLedger(payload)] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    let entry = ledger.append(&actor, payload.clone()).unwrap();
    update(&mut model, Msg::LedgerAppended(Box::new(Ok(entry))));
    assert!(
        press(&mut model, Action::SignColumn).is_empty(),
        "asks first"
    );
    let Overlay::Prompt(crate::model::Prompt::SignColumn {
        role,
        items,
        objected,
        ..
    }) = &model.overlay
    else {
        panic!("{:?}", model.overlay)
    };
    assert_eq!(role, "Technical Lead");
    assert_eq!(items, &vec!["Database".to_string()]);
    assert_eq!(*objected, 1);
    let cmds = update(&mut model, Msg::PromptSubmitted(String::new()));
    assert_eq!(
        cmds,
        vec![Cmd::AppendLedger(Payload::Signoff {
            env: "prod".into(),
            release: "1.4.2".into(),
            item: "Database".into(),
            role: "Technical Lead".into(),
            decision: Decision::Go,
            comment: None,
        })]
    );
}

#[test]
fn a_column_the_account_may_not_sign_is_refused_before_asking() {
    let mut model = model("dave");
    assert!(press(&mut model, Action::SignColumn).is_empty());
    assert_eq!(model.overlay, Overlay::None);
    assert_eq!(model.notice.as_ref().unwrap().level, Level::Warn);
}
