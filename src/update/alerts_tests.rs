//! `alerts` through `update`, as the runtime drives it.

use super::update;
use crate::ledger::{Actor, Decision, Ledger};
use crate::ledger::{Entry, Payload};
use crate::model::alerts::AlertKind;
use crate::model::fixtures::three_lanes;
use crate::msg::Cmd;
use crate::msg::Msg;

fn signed(ledger: &Ledger, account: &str, decision: Decision) -> Entry {
    let actor = Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    let payload = Payload::Signoff {
        env: "prod".into(),
        release: "1.4.2".into(),
        item: "Security".into(),
        role: "Security Officer".into(),
        decision,
        comment: (decision == Decision::NoGo).then(|| "why".to_string()),
    };
    ledger.append(&actor, payload).unwrap()
}

#[test]
fn someone_replacing_your_signature_is_an_alert_and_history_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let mut model = three_lanes(1);
    model.signoffs.account = Some("dave".into());
    let history = vec![
        signed(&ledger, "dave", Decision::NoGo),
        signed(&ledger, "erin", Decision::Go),
    ];
    let cmds = update(&mut model, Msg::LedgerEntries(history));
    assert!(cmds.is_empty(), "the history is not news: {cmds:?}");
    let mine = signed(&ledger, "dave", Decision::NoGo);
    assert!(update(&mut model, Msg::LedgerEntries(vec![mine])).is_empty());
    let theirs = signed(&ledger, "erin", Decision::Go);
    let cmds = update(&mut model, Msg::LedgerEntries(vec![theirs]));
    let [Cmd::Alert(alert)] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(alert.kind, AlertKind::SignatureReplaced);
    assert!(
        alert
            .text
            .contains("erin replaced your signature on Security"),
        "{}",
        alert.text
    );
}

#[test]
fn a_stale_lane_and_an_unreadable_ledger_are_told_once() {
    let mut model = three_lanes(1);
    let later = model.now + chrono::Duration::seconds(30);
    let cmds = update(&mut model, Msg::Tick { now: later });
    assert_eq!(cmds.len(), 3, "one per lane: {cmds:?}");
    let again = later + chrono::Duration::seconds(1);
    assert!(update(&mut model, Msg::Tick { now: again }).is_empty());
    assert_eq!(
        update(&mut model, Msg::LedgerFailed("gone".into())).len(),
        1
    );
    assert!(update(&mut model, Msg::LedgerFailed("still gone".into())).is_empty());
    update(&mut model, Msg::Action(crate::msg::Action::Acknowledge));
    assert!(model.alerts.open.is_empty());
    // Acknowledged while it lasts: no alert every second after that.
    let still = again + chrono::Duration::seconds(1);
    assert!(update(&mut model, Msg::Tick { now: still }).is_empty());
    assert!(update(&mut model, Msg::LedgerFailed("gone".into())).is_empty());
    // The ledger reads again, then fails again: that is news.
    update(&mut model, Msg::LedgerEntries(Vec::new()));
    assert_eq!(
        update(&mut model, Msg::LedgerFailed("gone".into())).len(),
        1
    );
}
