//! The cockpit's ledger follower: history first, then what other cockpits append; every kind of
//! tampering (edit in place, delete in the middle or at the end, reorder, appended garbage,
//! replacement) is seen by a running cockpit within a second, and its grid turns NO-GO.

use std::time::Duration;

use flightdeck::ledger::follow::Health;
use flightdeck::ledger::{Actor, Decision, Ledger, Payload, Setup};
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
            setup: Setup::plain(ledger.path()),
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
        notify: Default::default(),
        desktop: flightdeck::runtime::DesktopNotify::None,
        log_dir: std::env::temp_dir(),
        command_history: None,
        appends: Default::default(),
    }
}

/// The next ledger reading, within `limit`.
async fn reading(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    limit: Duration,
) -> flightdeck::ledger::follow::Reading {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("a ledger reading in time")
            .expect("open");
        if let Msg::LedgerRead(reading) = msg {
            return *reading;
        }
    }
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn write_lines(path: &std::path::Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

type Tamper = fn(&std::path::Path);

const TAMPERINGS: [(&str, Tamper, &str); 6] = [
    (
        "edit in place",
        |p| {
            let text = std::fs::read_to_string(p)
                .unwrap()
                .replace("Database", "Databa5e");
            std::fs::write(p, text).unwrap();
        },
        "was edited",
    ),
    (
        "delete in the middle",
        |p| {
            let mut l = lines(p);
            l.remove(1);
            write_lines(p, &l);
        },
        "was deleted",
    ),
    (
        "delete the tail",
        |p| {
            let mut l = lines(p);
            l.pop();
            write_lines(p, &l);
        },
        "entries were deleted from its end",
    ),
    (
        "reorder",
        |p| {
            let mut l = lines(p);
            l.swap(0, 1);
            write_lines(p, &l);
        },
        "out of order",
    ),
    (
        "append garbage",
        |p| {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
            f.write_all(b"\x1b[2J not an entry\n").unwrap();
        },
        "garbage",
    ),
    (
        "replace the file",
        |p| {
            let mut l = lines(p);
            l.truncate(1);
            let temp = p.with_extension("new");
            write_lines(&temp, &l);
            std::fs::rename(&temp, p).unwrap();
        },
        "deleted from its end",
    ),
];

#[tokio::test]
async fn a_running_cockpit_sees_every_tampering_within_a_second() {
    for (name, tamper, expected) in TAMPERINGS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.jsonl");
        let ledger = Ledger::open(&path).unwrap();
        for item in ["Database", "Security", "Team"] {
            ledger.append(&actor("bob"), go(item)).unwrap();
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        effects(ledger.clone()).follow_ledger(&tx);
        let history = reading(&mut rx, Duration::from_secs(10)).await;
        assert_eq!(history.entries.len(), 3, "{name}");
        assert!(
            matches!(history.health, Health::Verified { entries: 3, .. }),
            "{name}"
        );

        tamper(&path);
        let seen = reading(&mut rx, Duration::from_secs(1)).await;
        match &seen.health {
            Health::Broken(b) => {
                assert!(b.message.contains(expected), "{name}: {}", b.message);
                assert!(b.advice.contains("flightdeck ledger verify"), "{name}");
            }
            other => panic!("{name}: expected a break, got {other:?}"),
        }
        assert!(
            seen.entries.len() < 3 || !seen.reset,
            "{name}: nothing after the break counts: {:?}",
            seen.entries
        );
    }
}

#[tokio::test]
async fn others_appends_arrive_and_a_repaired_ledger_verifies_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.jsonl");
    let ledger = Ledger::open(&path).unwrap();
    ledger.append(&actor("bob"), go("Database")).unwrap();
    let good = std::fs::read(&path).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    effects(ledger.clone()).follow_ledger(&tx);
    assert_eq!(
        reading(&mut rx, Duration::from_secs(10))
            .await
            .entries
            .len(),
        1
    );

    ledger.append(&actor("carol"), go("Security")).unwrap();
    let news = reading(&mut rx, Duration::from_secs(1)).await;
    assert!(!news.reset);
    assert_eq!(news.entries.len(), 1);
    assert_eq!(news.entries[0].actor.account, "carol");

    let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(&path, text.replace("Security", "Secur1ty")).unwrap();
    let broken = reading(&mut rx, Duration::from_secs(1)).await;
    assert!(broken.health.is_broken());
    assert!(broken.reset, "history changed: the grid is folded again");
    assert_eq!(broken.entries.len(), 1, "only the entry before the break");

    // Restored from a backup that holds everything seen: verified again.
    let mut restored = good.clone();
    restored.extend_from_slice(text.lines().nth(1).unwrap().as_bytes());
    restored.push(b'\n');
    std::fs::write(&path, restored).unwrap();
    let again = reading(&mut rx, Duration::from_secs(1)).await;
    assert!(
        matches!(again.health, Health::Verified { entries: 2, .. }),
        "{:?}",
        again.health
    );
}
