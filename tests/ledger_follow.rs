//! The cockpit's ledger follower: history first, then what other cockpits append; an edited
//! ledger is told once, naming the first bad line, and following goes on.

use std::time::Duration;

use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::msg::Msg;
use flightdeck::runtime::{Effects, LedgerHandle, ProbeRunner};

fn actor(account: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

fn go(item: &str) -> Payload {
    Payload::Signoff {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: item.into(),
        role: "Technical Lead".into(),
        decision: Decision::Go,
        comment: None,
    }
}

fn effects(ledger: Ledger) -> Effects {
    let (reports, _) = tokio::sync::mpsc::channel(1);
    Effects {
        lanes: Vec::new(),
        ledger: Some(LedgerHandle {
            ledger: ledger.into(),
            actor: actor("alice"),
        }),
        pipeline: None,
        commands: None,
        probes: ProbeRunner {
            client: reqwest::Client::new(),
            reports,
            engine: Default::default(),
        },
        log_dir: std::env::temp_dir(),
    }
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a message in time")
        .expect("open")
}

#[tokio::test]
async fn an_edited_ledger_is_named_and_following_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.jsonl");
    let ledger = Ledger::open(&path).unwrap();
    ledger.append(&actor("bob"), go("Database")).unwrap();
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Database", "Databa5e");
    std::fs::write(&path, text).unwrap();

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    effects(ledger.clone()).follow_ledger(&tx);
    match next(&mut rx).await {
        Msg::LedgerFailed(text) => {
            assert!(
                text.contains("shared.jsonl:1: entry seq 1 was edited"),
                "{text}"
            );
            assert!(text.contains("flightdeck ledger verify"), "{text}");
        }
        other => panic!("expected the edit to be told first, got {other:?}"),
    }
    assert!(matches!(next(&mut rx).await, Msg::LedgerEntries(history) if history.len() == 1));
    // Another cockpit appends: it arrives within a poll or two.
    Ledger::open(&path)
        .unwrap()
        .append(&actor("carol"), go("Security"))
        .unwrap();
    match next(&mut rx).await {
        Msg::LedgerEntries(new) => assert_eq!(new[0].actor.account, "carol"),
        other => panic!("expected carol's entry, got {other:?}"),
    }
}
