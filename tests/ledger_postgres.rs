//! The PostgreSQL ledger against a real temporary server: concurrent writers in separate processes,
//! a crash mid-append, a follower across a restart, an edited row, migration, password sources.
//!
//! Writers and followers that must be other processes are this test binary run again on one of its
//! `#[ignore]`d child tests, with their orders in `FD_CHILD_*` variables.

#[path = "support/ssh_agent.rs"]
mod ssh_agent;
#[path = "support/postgres.rs"]
mod support;
#[path = "support/rollout_world.rs"]
mod world;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flightdeck::ledger::postgres::follow::{FollowEvent, FollowTiming, follow};
use flightdeck::ledger::postgres::{PgLedger, PgTarget, run_blocking};
use flightdeck::ledger::{Actor, AgentSigner, AllowedSigners, Payload};
use support::TempPostgres;
use world::World;

const WAIT: Duration = Duration::from_secs(60);

fn actor(account: &str, host: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: host.into(),
        ssh_origin: None,
    }
}

fn note(text: &str) -> Payload {
    Payload::Override {
        gate: "freeze".into(),
        reason: text.into(),
        request_id: "r".into(),
    }
}

fn target(url: &str) -> PgTarget {
    PgTarget::parse(url, None).expect("ledger url")
}

/// This test binary, run on one ignored child test with `vars` set; stdout piped.
fn spawn_child(test: &str, vars: &[(&str, String)]) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args([
            "--exact",
            test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in vars {
        command.env(key, value);
    }
    command.spawn().expect("spawn child")
}

/// Collects the child's `ACK seq hash` lines as they come.
fn collect_acks(
    child: &mut Child,
    acks: Arc<Mutex<Vec<(i64, String)>>>,
) -> std::thread::JoinHandle<()> {
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest prints "test NAME ... " without a newline before the test's own output.
            if let Some(rest) = line.split_once("ACK ").map(|(_, rest)| rest)
                && let Some((seq, hash)) = rest.split_once(' ')
            {
                let seq = seq.parse().expect("seq");
                acks.lock().expect("acks").push((seq, hash.to_string()));
            } else if line.starts_with("STOPPED") {
                eprintln!("writer {line}");
            }
        }
    })
}

fn rows(server: &TempPostgres, db: &str) -> BTreeMap<i64, String> {
    let text = server.psql(
        db,
        "SELECT seq, line::jsonb->>'hash' FROM flightdeck_ledger ORDER BY seq",
    );
    text.lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(seq, hash)| (seq.parse().expect("seq"), hash.to_string()))
        .collect()
}

fn verify_clean(url: &str) -> usize {
    let url = url.to_string();
    let checked = run_blocking(async move { PgLedger::open(target(&url)).await?.verify().await })
        .expect("verify runs");
    assert!(
        checked.report.is_clean(),
        "chain must verify: {:?}",
        checked.report.issues
    );
    checked.report.entries
}

#[test]
#[ignore = "child process of the postgres ledger tests"]
fn child_appender() {
    let Ok(url) = std::env::var("FD_CHILD_URL") else {
        return;
    };
    let writer = std::env::var("FD_CHILD_WRITER").unwrap_or_default();
    let count: usize = std::env::var("FD_CHILD_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let outcome = run_blocking(async move {
        let ledger = PgLedger::open(target(&url)).await?;
        let me = actor(&format!("writer{writer}"), &format!("host{writer}"));
        for i in 0..count {
            let entry = ledger.append(&me, note(&format!("{writer}-{i}"))).await?;
            // An acknowledgement is printed only after COMMIT returned.
            println!("ACK {} {}", entry.seq, entry.hash);
        }
        Ok(())
    });
    if let Err(e) = outcome {
        println!("STOPPED {e}");
    }
}

#[test]
fn eight_writers_in_separate_processes_lose_nothing_and_keep_one_chain() {
    let server = TempPostgres::start();
    server.create_db("writers");
    let url = server.socket_url("writers");
    let acks = Arc::new(Mutex::new(Vec::new()));
    let mut children: Vec<(Child, std::thread::JoinHandle<()>)> = (0..8)
        .map(|w| {
            let mut child = spawn_child(
                "child_appender",
                &[
                    ("FD_CHILD_URL", url.clone()),
                    ("FD_CHILD_WRITER", w.to_string()),
                    ("FD_CHILD_COUNT", "100".into()),
                ],
            );
            let reader = collect_acks(&mut child, acks.clone());
            (child, reader)
        })
        .collect();
    for (child, _) in &mut children {
        let status = child.wait().expect("wait");
        assert!(status.success(), "writer failed: {status}");
    }
    for (_, reader) in children {
        reader.join().expect("reader");
    }
    let acks = acks.lock().expect("acks").clone();
    assert_eq!(acks.len(), 800, "every append acknowledged");
    let stored = rows(&server, "writers");
    assert_eq!(stored.len(), 800);
    assert_eq!(
        stored.keys().copied().collect::<Vec<_>>(),
        (1..=800).collect::<Vec<_>>()
    );
    for (seq, hash) in &acks {
        assert_eq!(
            stored.get(seq),
            Some(hash),
            "acknowledged seq {seq} is stored as acked"
        );
    }
    assert_eq!(verify_clean(&url), 800);
}

#[test]
fn a_database_killed_mid_append_never_loses_an_acknowledged_entry() {
    let server = TempPostgres::start();
    server.create_db("crash");
    let url = server.socket_url("crash");
    let acks = Arc::new(Mutex::new(Vec::new()));
    let mut children: Vec<(Child, std::thread::JoinHandle<()>)> = (0..4)
        .map(|w| {
            let mut child = spawn_child(
                "child_appender",
                &[
                    ("FD_CHILD_URL", url.clone()),
                    ("FD_CHILD_WRITER", w.to_string()),
                    ("FD_CHILD_COUNT", "1000000".into()),
                ],
            );
            let reader = collect_acks(&mut child, acks.clone());
            (child, reader)
        })
        .collect();
    assert!(
        TempPostgres::wait_for(WAIT, || acks.lock().expect("acks").len() >= 100),
        "writers got going"
    );
    server.crash();
    for (child, _) in &mut children {
        let _ = child.wait();
    }
    for (_, reader) in children {
        reader.join().expect("reader");
    }
    let acks = acks.lock().expect("acks").clone();
    server.start_server();
    let stored = rows(&server, "crash");
    for (seq, hash) in &acks {
        assert_eq!(
            stored.get(seq),
            Some(hash),
            "acknowledged seq {seq} survived the crash"
        );
    }
    assert!(stored.len() >= acks.len());
    verify_clean(&url);
    // The ledger goes on where it stopped.
    let url2 = url.clone();
    let next = run_blocking(async move {
        PgLedger::open(target(&url2))
            .await?
            .append(&actor("alice", "a"), note("after"))
            .await
    })
    .expect("append after restart");
    assert_eq!(next.seq, u64::try_from(stored.len()).expect("len") + 1);
}

#[test]
fn a_follower_sees_new_rows_and_recovers_after_the_database_restarts() {
    let server = TempPostgres::start();
    server.create_db("follow");
    let url = server.socket_url("follow");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let ledger = PgLedger::open(target(&url)).await.expect("open");
        let first = ledger
            .append(&actor("alice", "a"), note("one"))
            .await
            .expect("append");
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let timing = FollowTiming {
            catch_up: Duration::from_secs(30), // so what is seen below came by NOTIFY
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_millis(500),
        };
        tokio::spawn(follow(target(&url), None, timing, tx));
        assert_eq!(next(&mut events).await, FollowEvent::Reachable);
        assert_eq!(next(&mut events).await, FollowEvent::Entries(vec![first]));
        let second = ledger
            .append(&actor("bob", "b"), note("two"))
            .await
            .expect("append");
        assert_eq!(next(&mut events).await, FollowEvent::Entries(vec![second]));

        server.crash();
        assert!(
            matches!(next(&mut events).await, FollowEvent::Unreachable(_)),
            "the follower says the database is gone"
        );
        let refused = ledger.append(&actor("bob", "b"), note("refused")).await;
        assert!(
            refused.is_err(),
            "nothing is acknowledged while the database is down"
        );
        server.start_server();
        loop {
            match next(&mut events).await {
                FollowEvent::Unreachable(_) => {}
                FollowEvent::Reachable => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        let third = ledger
            .append(&actor("carol", "c"), note("three"))
            .await
            .expect("append after restart");
        assert_eq!(third.seq, 3, "the refused append left nothing behind");
        assert_eq!(next(&mut events).await, FollowEvent::Entries(vec![third]));
    });
}

async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<FollowEvent>) -> FollowEvent {
    tokio::time::timeout(WAIT, events.recv())
        .await
        .expect("an event in time")
        .expect("follower alive")
}

#[test]
fn verify_names_a_row_edited_in_the_database() {
    let server = TempPostgres::start();
    server.create_db("edited");
    let url = server.socket_url("edited");
    let url2 = url.clone();
    run_blocking(async move {
        let ledger = PgLedger::open(target(&url2)).await?;
        for i in 0..5 {
            ledger
                .append(&actor("alice", "a"), note(&format!("reason {i}")))
                .await?;
        }
        Ok(())
    })
    .expect("appends");
    let ok = Command::new(support_bin())
        .args(["ledger", "verify", "--ledger", &url])
        .output()
        .expect("verify");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("5 entries, chain intact"));
    server.psql(
        "edited",
        "UPDATE flightdeck_ledger SET line = replace(line, 'reason 2', 'reason X') WHERE seq = 3",
    );
    let bad = Command::new(support_bin())
        .args(["ledger", "verify", "--ledger", &url])
        .output()
        .expect("verify");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("row seq 3: entry seq 3 was edited"),
        "{stdout}"
    );
    assert!(stdout.contains("flightdeck_ledger"), "{stdout}");
}

fn support_bin() -> &'static str {
    env!("CARGO_BIN_EXE_flightdeck")
}

#[test]
#[ignore = "child process of the postgres ledger tests"]
fn child_follower() {
    let Ok(url) = std::env::var("FD_CHILD_URL") else {
        return;
    };
    let expect: usize = std::env::var("FD_CHILD_EXPECT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(follow(target(&url), None, FollowTiming::default(), tx));
        let (mut seen, mut ready) = (0, false);
        while let Ok(Some(event)) = tokio::time::timeout(WAIT, events.recv()).await {
            match event {
                FollowEvent::Entries(entries) => {
                    // The first batch is the history (maybe empty): from here on, live.
                    if !ready {
                        println!("READY");
                        ready = true;
                    }
                    for entry in &entries {
                        if let Payload::Signoff { role, decision, .. } = &entry.payload {
                            println!("SEEN {} {role} {}", entry.seq, decision.label());
                            seen += 1;
                        }
                    }
                    if seen >= expect {
                        return;
                    }
                }
                FollowEvent::Reachable => {}
                other => println!("EVENT {other:?}"),
            }
        }
    });
}

/// Lines the child printed so far, shared with the test.
fn collect_lines(child: &mut Child) -> (Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stdout = child.stdout.take().expect("piped");
    let sink = lines.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest prints "test NAME ... " without a newline before the test's own output.
            let line = line.rsplit(" ... ").next().unwrap_or_default().to_string();
            sink.lock().expect("lines").push(line);
        }
    });
    (lines, reader)
}

/// `flightdeck signoff` as a user of a host of its own (its own HOME and XDG dirs).
fn sign_on_host(home: &std::path::Path, url: &str, role: &str) -> std::process::Output {
    Command::new(support_bin())
        .args([
            "signoff", "prod", "--role", role, "--item", "Database", "--go",
        ])
        .args(["--release", "v7", "--ledger", url])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("FLIGHTDECK_CONFIG")
        .output()
        .expect("flightdeck signoff")
}

#[test]
fn two_hosts_on_one_database_see_each_others_signoffs_live() {
    let server = TempPostgres::start();
    server.create_db("hosts");
    let url = server.url("hosts");
    let hosts = [
        tempfile::tempdir().expect("host a"),
        tempfile::tempdir().expect("host b"),
    ];
    let mut followers: Vec<_> = hosts
        .iter()
        .map(|home| {
            let mut child = spawn_child(
                "child_follower",
                &[
                    ("FD_CHILD_URL", url.clone()),
                    ("FD_CHILD_EXPECT", "2".into()),
                    ("HOME", home.path().display().to_string()),
                ],
            );
            let (lines, reader) = collect_lines(&mut child);
            (child, lines, reader)
        })
        .collect();
    for (_, lines, _) in &followers {
        assert!(
            TempPostgres::wait_for(WAIT, || lines
                .lock()
                .expect("lines")
                .iter()
                .any(|l| l == "READY")),
            "follower connected: {:?}",
            lines.lock().expect("lines")
        );
    }
    for (home, role) in hosts.iter().zip(["Technical Lead", "Security Officer"]) {
        let signed = sign_on_host(home.path(), &url, role);
        assert!(
            signed.status.success(),
            "signoff on a host: {}{}",
            String::from_utf8_lossy(&signed.stdout),
            String::from_utf8_lossy(&signed.stderr)
        );
        assert!(String::from_utf8_lossy(&signed.stdout).contains("recorded seq"));
    }
    for (child, lines, reader) in &mut followers {
        let status = child.wait().expect("follower exits after both sign-offs");
        assert!(status.success(), "{status}");
        let _ = reader;
        let lines = lines.lock().expect("lines").clone();
        assert!(
            lines.contains(&"SEEN 1 Technical Lead GO".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"SEEN 2 Security Officer GO".to_string()),
            "{lines:?}"
        );
    }
}

#[test]
fn migrate_copies_a_file_ledger_and_the_copy_verifies_and_goes_on() {
    let server = TempPostgres::start();
    server.create_db("moved");
    let url = server.socket_url("moved");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ledger.jsonl");
    let ledger = flightdeck::ledger::Ledger::open(&file).expect("file ledger");
    for i in 0..20 {
        ledger
            .append(&actor("alice", "bastion"), note(&format!("n{i}")))
            .expect("append");
    }
    let migrate = |extra: &[&str]| {
        Command::new(support_bin())
            .args(["ledger", "migrate", "--to", &url, "--ledger"])
            .arg(&file)
            .args(extra)
            .output()
            .expect("migrate")
    };
    let moved = migrate(&[]);
    let stdout = String::from_utf8_lossy(&moved.stdout);
    assert_eq!(
        moved.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert!(stdout.contains("migrated 20 entries"), "{stdout}");
    // Byte for byte: every row is the file's line.
    let file_lines: Vec<String> = std::fs::read_to_string(&file)
        .expect("read")
        .lines()
        .map(String::from)
        .collect();
    let db_lines: Vec<String> = server
        .psql("moved", "SELECT line FROM flightdeck_ledger ORDER BY seq")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(db_lines, file_lines);
    // Export reads the same from both.
    let export = |ledger: &str| {
        Command::new(support_bin())
            .args(["ledger", "export", "--format", "json", "--ledger", ledger])
            .output()
            .expect("export")
            .stdout
    };
    assert_eq!(export(&url), export(file.to_str().expect("utf-8")));
    // A second migration into a ledger that has entries is refused.
    let again = migrate(&[]);
    assert_ne!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("migrate only into an empty ledger"));
    // The database ledger chains on from the file's last line.
    let url2 = url.clone();
    let next = run_blocking(async move {
        PgLedger::open(target(&url2))
            .await?
            .append(&actor("bob", "b"), note("next"))
            .await
    })
    .expect("append");
    assert_eq!(next.seq, 21);
    assert_eq!(
        next.prev,
        flightdeck::ledger::entry::sha256_hex(file_lines[19].as_bytes())
    );
    assert_eq!(verify_clean(&url), 21);
}

/// Whether the connection `url` makes is encrypted, or why it failed.
fn tls_in_use(url: &str, password_command: Option<Vec<String>>) -> Result<bool, String> {
    let target = PgTarget::parse(url, password_command)?;
    run_blocking(async move {
        let (client, connection) = target.connect().await?;
        tokio::spawn(connection);
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(row.get(0))
    })
}

#[test]
fn sslmode_is_honoured_through_rustls() {
    let server = TempPostgres::start();
    let root = server.enable_tls();
    let at = |host: &str, mode: &str| {
        format!(
            "postgres://{}@{host}:{}/postgres?sslmode={mode}",
            support::SUPERUSER,
            server.port
        )
    };
    assert_eq!(tls_in_use(&at("127.0.0.1", "disable"), None), Ok(false));
    assert_eq!(tls_in_use(&at("127.0.0.1", "prefer"), None), Ok(true));
    assert_eq!(tls_in_use(&at("127.0.0.1", "require"), None), Ok(true));
    let trusted = format!(
        "{}&sslrootcert={}",
        at("localhost", "verify-full"),
        root.display()
    );
    assert_eq!(tls_in_use(&trusted, None), Ok(true));
    let untrusted = tls_in_use(&at("localhost", "verify-full"), None).expect_err("self-signed");
    assert!(untrusted.contains("certificate"), "{untrusted}");
    let wrong_name = format!(
        "{}&sslrootcert={}",
        at("127.0.0.1", "verify-full"),
        root.display()
    );
    let err = tls_in_use(&wrong_name, None).expect_err("name mismatch");
    assert!(err.contains("certificate"), "{err}");
}

#[test]
fn the_password_comes_from_password_command_pgpassword_or_pgpass_never_the_url() {
    const SECRET: &str = "s3cret-for-tests";
    let server = TempPostgres::start();
    server.require_password(SECRET);
    let url = server.url("postgres");
    let missing = tls_in_use(&url, None).expect_err("no password, no entry");
    assert!(missing.contains("password"), "{missing}");
    let command = vec!["printf".to_string(), "%s".into(), SECRET.into()];
    assert_eq!(tls_in_use(&url, Some(command)), Ok(false));
    let verify = |vars: &[(&str, &std::ffi::OsStr)]| {
        let mut command = Command::new(support_bin());
        command
            .args(["ledger", "verify", "--ledger", &url])
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE");
        for (key, value) in vars {
            command.env(key, value);
        }
        command.output().expect("verify")
    };
    let ok = verify(&[("PGPASSWORD", SECRET.as_ref())]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let pgpass = dir.path().join("pgpass");
    std::fs::write(&pgpass, format!("127.0.0.1:*:*:fd:{SECRET}\n")).expect("pgpass");
    let mode = |bits| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(bits)).expect("chmod");
    };
    mode(0o600);
    let ok = verify(&[("PGPASSFILE", pgpass.as_os_str())]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    mode(0o644); // readable by others: ignored, as libpq does
    let refused = verify(&[("PGPASSFILE", pgpass.as_os_str())]);
    assert_eq!(refused.status.code(), Some(4));
    let with_secret = format!("postgres://fd:{SECRET}@127.0.0.1:{}/postgres", server.port);
    let in_url = verify_url_output(&with_secret);
    assert_eq!(in_url.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&in_url.stderr);
    assert!(
        stderr.contains("must not carry a password") && !stderr.contains(SECRET),
        "{stderr}"
    );
}

fn verify_url_output(url: &str) -> std::process::Output {
    Command::new(support_bin())
        .args(["ledger", "verify", "--ledger", url])
        .output()
        .expect("verify")
}

fn rollout_events(entries: &[flightdeck::ledger::Entry]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Command { action, .. } => Some(format!("command {action}")),
            Payload::Rollout { event, state, .. } if event == "step" => {
                Some(format!("step {}", state["step_index"]))
            }
            Payload::Rollout { event, .. } if event != "heartbeat" => Some(event.clone()),
            Payload::CommandOutcome { ok, .. } => Some(format!("outcome ok={ok}")),
            _ => None,
        })
        .collect()
}

fn flightdeck_ledger(args: &[&str], url: &str) -> std::process::Output {
    Command::new(support_bin())
        .args(["ledger"])
        .args(args)
        .args(["--ledger", url])
        .output()
        .expect("flightdeck ledger")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_with_a_canary_from_the_cli_records_every_step_in_the_database() {
    let server = TempPostgres::start();
    server.create_db("promote");
    let url = server.url("promote");
    let w = World::on_database(&url).await;
    let head = flightdeck_ledger(&["head"], &url);
    assert!(head.status.success(), "{}", world::text(&head));
    let anchor = String::from_utf8_lossy(&head.stdout).trim().to_string();

    let promoted = w.promote("1").wait_with_output().expect("promote");
    assert_eq!(
        promoted.status.code(),
        Some(flightdeck::cli::exit::OK),
        "{}",
        world::text(&promoted)
    );
    let entries = w.entries();
    let events = rollout_events(&entries);
    let plan = events.iter().position(|e| e == "plan").expect("a plan");
    assert_eq!(events[plan - 1], "command promote", "{events:?}");
    let steps: Vec<&String> = events.iter().filter(|e| e.starts_with("step")).collect();
    assert_eq!(steps, ["step 0", "step 1", "step 2"], "{events:?}");
    let done = events.iter().position(|e| e == "done");
    let outcome = events.iter().position(|e| e == "outcome ok=true");
    assert!(
        done.is_some() && outcome > done,
        "done, then the outcome: {events:?}"
    );
    let elapsed = entries.iter().rev().find_map(|e| match &e.payload {
        Payload::CommandOutcome { detail, .. } => detail["elapsed_secs"].as_f64(),
        _ => None,
    });
    // Two bakes of one second each: the outcome says how long the rollout really took.
    assert!(elapsed.is_some_and(|s| s >= 2.0), "elapsed {elapsed:?}");
    let new = entries.iter().rev().find_map(|e| match &e.payload {
        Payload::Rollout { state, .. } => state["to_revision"].as_str().map(str::to_string),
        _ => None,
    });
    assert_eq!(w.serving(), vec![(new.expect("a new revision"), 100)]);
    assert_eq!(verify_clean(&url), entries.len());

    // The head taken before the rollout still anchors the history after it...
    let anchored = flightdeck_ledger(&["verify", "--head", &anchor], &url);
    assert!(anchored.status.success(), "{}", world::text(&anchored));
    assert!(world::text(&anchored).contains("is unchanged"));
    // ...until a row before it is edited.
    server.psql(
        "promote",
        "UPDATE flightdeck_ledger SET line = replace(line, '\"go\"', '\"no_go\"') WHERE seq = 1",
    );
    let broken = flightdeck_ledger(&["verify", "--head", &anchor], &url);
    assert_eq!(broken.status.code(), Some(1), "{}", world::text(&broken));
    let head = flightdeck_ledger(&["head"], &url);
    assert_eq!(head.status.code(), Some(1), "{}", world::text(&head));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_on_the_database_is_taken_over_by_another_process_after_kill_9() {
    let server = TempPostgres::start();
    server.create_db("takeover");
    let w = World::on_database(&server.url("takeover")).await;
    world::takeover_in(&w, "-9").await;
}

#[test]
fn entries_signed_through_the_ssh_agent_verify_and_an_unsigned_row_is_named() {
    let server = TempPostgres::start();
    server.create_db("signed");
    let url = server.socket_url("signed");
    let dir = tempfile::tempdir().expect("dir");
    let agent = ssh_agent::Agent::start(dir.path());
    let (key, public) = ssh_agent::keygen(dir.path(), "alice");
    agent.add(&key);
    let allowed = dir.path().join("allowed_signers");
    std::fs::write(&allowed, format!("alice {public}\n")).expect("allowed signers");
    let signers = AllowedSigners::load(&allowed).expect("load");
    let signer = AgentSigner::at(&agent.socket, &signers, "alice").expect("alice's key");
    let checking = PgLedger::new(target(&url)).checking(signers);
    let (signing, forger) = (
        checking.clone().with_signer(signer),
        PgLedger::new(target(&url)),
    );
    let (first, report) = run_blocking(async move {
        let first = signing.append(&actor("alice", "a"), note("signed")).await?;
        signing
            .append(&actor("alice", "a"), note("signed too"))
            .await?;
        let clean = checking.verify().await?;
        // Someone with write access to the database, without alice's key.
        forger.append(&actor("alice", "b"), note("forged")).await?;
        Ok((first, (clean, checking.verify().await?)))
    })
    .expect("appends and reads");
    assert!(first.sig.is_some(), "signed before the INSERT");
    let (clean, forged) = report;
    assert!(clean.report.is_clean(), "{:?}", clean.report.issues);
    let issue = forged
        .report
        .first_error()
        .expect("the unsigned row is an error");
    assert!(
        forged.locate(issue).contains("row seq 3"),
        "{}",
        forged.locate(issue)
    );
    assert_eq!(forged.report.entries, 3);

    // A cockpit following the database with signing on passes the signed rows on and stops at
    // the forged one: the grid and the gates never see it.
    let signers = AllowedSigners::load(&allowed).expect("load");
    let events = run_blocking(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(follow(
            target(&url),
            Some(signers),
            FollowTiming::default(),
            tx,
        ));
        let mut seen = Vec::new();
        while let Ok(Some(event)) = tokio::time::timeout(WAIT, rx.recv()).await {
            let stop = matches!(event, FollowEvent::Broken(_));
            seen.push(event);
            if stop {
                break;
            }
        }
        Ok(seen)
    })
    .expect("follows");
    let entries: Vec<u64> = events
        .iter()
        .flat_map(|e| match e {
            FollowEvent::Entries(entries) => entries.iter().map(|e| e.seq).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(entries, [1, 2], "{events:?}");
    match events.last() {
        Some(FollowEvent::Broken(why)) => {
            assert!(why.contains("row seq 3"), "{why}");
            assert!(why.contains("not signed"), "{why}");
        }
        other => panic!("the forged row stops the follower: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detached_promote_drives_on_with_the_database_ledger() {
    let server = TempPostgres::start();
    server.create_db("detached");
    let w = World::on_database(&server.url("detached")).await;
    world::detached_in(&w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_refuses_a_promote_before_anything_is_sent() {
    let w = World::new().await;
    let before = w.serving();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("postgres://fd@127.0.0.1:{port}/gone?sslmode=disable");
    let out = Command::new(support_bin())
        .args(["--profile", "sandbox", "--sandbox"])
        .arg(w.sandbox.addr.to_string())
        .args(["promote", "staging", "prod", "--yes", "--ledger", &url])
        .env("XDG_STATE_HOME", w.dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("promote");
    let said = world::text(&out);
    assert_eq!(
        out.status.code(),
        Some(flightdeck::cli::exit::FAILURE),
        "{said}"
    );
    assert!(
        said.contains(&format!("127.0.0.1:{port}")),
        "names the database: {said}"
    );
    assert_eq!(w.serving(), before, "nothing was sent to the cloud");
}

/// A command's record goes in only if nothing was appended since its gates read the ledger, in
/// one transaction with its overrides; otherwise nothing is written (as for the file ledger).
#[test]
fn an_append_at_a_head_that_moved_writes_nothing() {
    use flightdeck::ledger::AtHead;
    let server = TempPostgres::start();
    server.create_db("athead");
    let url = server.socket_url("athead");
    let (first, second, late) = run_blocking(async move {
        let ledger = PgLedger::open(target(&url)).await?;
        let read_at = ledger.head_seq().await?;
        let first = ledger
            .append_all_at_head(&actor("carol", "a"), vec![note("o1"), note("c1")], read_at)
            .await?;
        let head = ledger.head_seq().await?;
        ledger.append(&actor("alice", "b"), note("between")).await?;
        let late = ledger
            .append_all_at_head(&actor("carol", "a"), vec![note("stale")], head)
            .await?;
        let second = ledger.head_seq().await?;
        Ok((first, second, late))
    })
    .expect("appends");
    let AtHead::Appended(entries) = first else {
        panic!("nothing came between: {first:?}");
    };
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(late, AtHead::Moved { head_seq: 3 });
    assert_eq!(second, 3, "the stale record was not written");
    assert_eq!(verify_clean(&server.socket_url("athead")), 3);
}
