//! Each tampering an attacker with write access to a shared ledger would try is refused by
//! `ledger verify`, by the grid, by the gates and by `export`; a signer outside the role is not
//! counted; appends that fail (simulated short write, real ENOSPC on a tmpfs) leave nothing.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use flightdeck::cli::exit;
use flightdeck::cli::ledger::{
    ExportArgs, ExportFormat, export_to, not_counted_to, verify_setup_to,
};
use flightdeck::config::Profile;
use flightdeck::ledger::witness::Witness;
use flightdeck::ledger::{Actor, Decision, Ledger, Payload, Setup, verify};
use flightdeck::model::signoff::SignoffGrid;
use flightdeck::policy::{
    CommandKind, EnvPolicy, Gate, GateInput, GateVerdict, RoleConfig, SignoffConfig, SourceHealth,
    decide, evaluate,
};

fn actor(account: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

fn config() -> SignoffConfig {
    let role = |name: &str, who: &str| RoleConfig {
        name: name.into(),
        accounts: vec![who.into()],
        required: true,
    };
    SignoffConfig {
        items: vec!["Database".into(), "Security".into()],
        roles: vec![
            role("Technical Lead", "bob"),
            role("Security Officer", "dave"),
        ],
    }
}

fn profile() -> Profile {
    let text = include_str!("../profiles/sandbox.toml");
    let mut profile = Profile::parse(Path::new("sandbox.toml"), text).expect("sandbox profile");
    profile.signoff = config();
    profile
}

fn signoff(item: &str, role: &str, decision: Decision, comment: Option<&str>) -> Payload {
    Payload::Signoff {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: item.into(),
        role: role.into(),
        decision,
        comment: comment.map(String::from),
    }
}

/// Everything GO, then bob's NO-GO on Database as the last entry: the decision is NO-GO.
struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    state: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.jsonl");
        let state = dir.path().join("state");
        let ledger = Ledger::open(&path).unwrap();
        for item in ["Database", "Security"] {
            ledger
                .append(
                    &actor("bob"),
                    signoff(item, "Technical Lead", Decision::Go, None),
                )
                .unwrap();
            ledger
                .append(
                    &actor("dave"),
                    signoff(item, "Security Officer", Decision::Go, None),
                )
                .unwrap();
        }
        let no_go = signoff(
            "Database",
            "Technical Lead",
            Decision::NoGo,
            Some("migration untested"),
        );
        ledger.append(&actor("bob"), no_go).unwrap();
        let fixture = Fixture {
            _dir: dir,
            path,
            state,
        };
        // This account read the ledger before the attack (its witness holds the head).
        fixture.setup().read().unwrap();
        fixture
    }

    fn setup(&self) -> Setup {
        let mut setup = Setup::plain(&self.path);
        setup.witness = Some(Witness::for_ledger(&self.state, &self.path));
        setup
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.path)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn write(&self, lines: &[String]) {
        std::fs::write(&self.path, lines.join("\n") + "\n").unwrap();
    }
}

fn gates(grid: &SignoffGrid) -> GateVerdict {
    let policy = EnvPolicy {
        require_signoff: true,
        ..EnvPolicy::default()
    };
    evaluate(&GateInput {
        kind: CommandKind::Promote,
        target_env: "prod",
        policy: &policy,
        read_only: false,
        now: Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap(),
        actor: "erin",
        signoff: Some(grid),
        source_health: SourceHealth::Green,
        confirmed: true,
        override_reason: None,
    })
}

fn export(setup: &Setup) -> (i32, String, String) {
    let args = ExportArgs {
        format: ExportFormat::Md,
        env: Some("prod".into()),
        release: Some("1.5.0".into()),
        ledger: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = export_to(&args, &profile(), setup, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

type Tamper = fn(&Fixture);

#[test]
fn every_tampering_is_refused_by_verify_grid_gates_and_export() {
    let tamperings: [(&str, Tamper); 5] = [
        ("NO-GO edited into GO in place", |f| {
            let mut lines = f.lines();
            let last = lines.last_mut().unwrap();
            *last = last.replace("no_go", "go");
            f.write(&lines);
        }),
        ("a line deleted in the middle", |f| {
            let mut lines = f.lines();
            lines.remove(1);
            f.write(&lines);
        }),
        ("the NO-GO deleted from the tail", |f| {
            let mut lines = f.lines();
            lines.pop();
            f.write(&lines);
        }),
        ("lines reordered", |f| {
            let mut lines = f.lines();
            lines.swap(3, 4);
            f.write(&lines);
        }),
        ("history rewritten with the chain recomputed", |f| {
            // Rebuild the ledger without the NO-GO and with a renamed signer: every hash fresh.
            let old = Ledger::open(&f.path).unwrap().read_all().unwrap();
            std::fs::remove_file(&f.path).unwrap();
            let forged = Ledger::open(&f.path).unwrap();
            for entry in old.into_iter().take(4) {
                forged
                    .append(&actor(&entry.actor.account), entry.payload)
                    .unwrap();
            }
            forged
                .append(
                    &actor("bob"),
                    signoff("Database", "Technical Lead", Decision::Go, None),
                )
                .unwrap();
        }),
    ];
    for (name, tamper) in tamperings {
        let f = Fixture::new();
        tamper(&f);
        let setup = f.setup();

        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = verify_setup_to(&setup, None, &mut out, &mut err);
        let said = String::from_utf8_lossy(&out).to_string();
        assert_eq!(code, exit::LEDGER_BROKEN, "{name}: verify said {said}");
        assert!(
            said.contains("shared.jsonl:"),
            "{name}: names the line: {said}"
        );

        let grid = SignoffGrid::from_ledger(&setup, &config(), "prod", "1.5.0").unwrap();
        let verdict = decide(&grid);
        assert!(!verdict.go, "{name}");
        assert!(
            verdict.reason.contains("the ledger does not verify"),
            "{name}: {}",
            verdict.reason
        );

        match gates(&grid) {
            GateVerdict::Refused(refusals) => {
                assert!(
                    refusals.iter().any(|r| r.gate == Gate::Signoff),
                    "{name}: {refusals:?}"
                )
            }
            other => panic!("{name}: the gates let it through: {other:?}"),
        }

        let (code, out, err) = export(&setup);
        assert_eq!(code, exit::LEDGER_BROKEN, "{name}: {out}");
        assert!(
            out.is_empty() && err.contains("does not verify"),
            "{name}: {err}"
        );
    }
}

#[test]
fn an_untouched_ledger_passes_and_the_gates_follow_the_cells() {
    let f = Fixture::new();
    let setup = f.setup();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(verify_setup_to(&setup, None, &mut out, &mut err), exit::OK);
    let grid = SignoffGrid::from_ledger(&setup, &config(), "prod", "1.5.0").unwrap();
    assert!(grid.broken.is_none());
    assert!(
        decide(&grid).reason.contains("NO-GO from bob"),
        "{}",
        decide(&grid).reason
    );
    // bob withdraws the NO-GO properly, by appending: the gates open.
    Ledger::open(&f.path)
        .unwrap()
        .append(
            &actor("bob"),
            signoff("Database", "Technical Lead", Decision::Go, None),
        )
        .unwrap();
    let grid = SignoffGrid::from_ledger(&setup, &config(), "prod", "1.5.0").unwrap();
    assert!(
        matches!(gates(&grid), GateVerdict::Allowed { .. }),
        "{:?}",
        decide(&grid)
    );
    let (code, out, _) = export(&setup);
    assert_eq!(code, exit::OK);
    assert!(out.contains("**Decision: GO**"), "{out}");
    assert!(out.contains("Ledger head: `"), "{out}");
}

#[test]
fn a_signer_outside_the_role_is_not_counted_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.jsonl");
    let ledger = Ledger::open(&path).unwrap();
    for item in ["Database", "Security"] {
        ledger
            .append(
                &actor("bob"),
                signoff(item, "Technical Lead", Decision::Go, None),
            )
            .unwrap();
        ledger
            .append(
                &actor("mallory"),
                signoff(item, "Security Officer", Decision::Go, None),
            )
            .unwrap();
    }
    let setup = Setup::plain(&path);
    let grid = SignoffGrid::from_ledger(&setup, &config(), "prod", "1.5.0").unwrap();
    let cell = grid.cell_by_name("Security", "Security Officer").unwrap();
    assert!(
        cell.signature.is_none(),
        "mallory's GO does not fill dave's cell"
    );
    assert_eq!(
        cell.not_counted[0].why,
        "mallory may not sign Security Officer under this profile"
    );
    let verdict = decide(&grid);
    assert!(!verdict.go);
    assert!(
        verdict
            .reason
            .contains("not counted: mallory may not sign Security Officer"),
        "{}",
        verdict.reason
    );
    assert!(matches!(gates(&grid), GateVerdict::Refused(_)));
    let mut out = Vec::new();
    assert_eq!(
        not_counted_to(&setup, &config(), &mut out),
        exit::NOT_COUNTED
    );
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("entry seq 2 (GO by mallory) is not counted: mallory is not allowed to sign Security Officer (allowed: dave)"), "{out}");
    let (code, md, _) = export(&setup);
    assert_eq!(code, exit::OK);
    assert!(
        md.contains("open (not counted: GO mallory may not sign Security Officer"),
        "{md}"
    );
}

#[test]
fn head_anchors_history_and_export_strips_escape_sequences() {
    let f = Fixture::new();
    let setup = f.setup();
    let head = setup.read().unwrap().head().unwrap().line_hash.clone();
    Ledger::open(&f.path)
        .unwrap()
        .append(
            &actor("bob"),
            Payload::Comment {
                env: "prod".into(),
                release: "1.5.0".into(),
                item: "Database".into(),
                role: "Technical Lead".into(),
                text: "fine \u{1b}]0;owned\u{7}\u{1b}[2Jnow".into(),
            },
        )
        .unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        verify_setup_to(&setup, Some(&head), &mut out, &mut err),
        exit::OK
    );
    assert!(
        String::from_utf8_lossy(&out).contains("the history up to seq 5"),
        "{out:?}"
    );
    let (code, md, _) = export(&setup);
    assert_eq!(code, exit::OK);
    assert!(!md.contains('\u{1b}') && md.contains("fine now"), "{md}");

    // A rewrite from scratch (fresh hashes) no longer contains that head.
    let plain = Setup::plain(&f.path);
    let old = Ledger::open(&f.path).unwrap().read_all().unwrap();
    std::fs::remove_file(&f.path).unwrap();
    let forged = Ledger::open(&f.path).unwrap();
    for entry in old {
        let time = entry.time + chrono::Duration::seconds(1);
        forged
            .append_at(&actor(&entry.actor.account), entry.payload, time)
            .unwrap();
    }
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        verify_setup_to(&plain, Some(&head), &mut out, &mut err),
        exit::LEDGER_BROKEN
    );
    assert!(String::from_utf8_lossy(&out).contains("is not in the verified history"));
}

fn comment(n: u32) -> Payload {
    Payload::Comment {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: "Database".into(),
        role: "Technical Lead".into(),
        text: format!("note {n} {}", "x".repeat(300)),
    }
}

#[test]
fn a_short_write_then_enospc_leaves_nothing_and_reuses_no_seq() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.jsonl");
    let ledger = Ledger::open(&path).unwrap();
    ledger.append(&actor("bob"), comment(1)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut short = |mut file: &std::fs::File, bytes: &[u8]| -> io::Result<()> {
        file.write_all(&bytes[..bytes.len() / 2])?;
        Err(io::Error::from_raw_os_error(28)) // ENOSPC
    };
    let err = ledger
        .append_with_writer(&actor("bob"), comment(2), Utc::now(), &mut short)
        .expect_err("not recorded");
    assert!(err.to_string().contains("No space left on device"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the half line is gone"
    );
    let next = ledger.append(&actor("bob"), comment(3)).unwrap();
    assert_eq!(next.seq, 2);
    assert!(verify(&path).unwrap().is_clean());
}

/// A real full disk: a 64 KiB tmpfs (needs root; otherwise the simulated test above stands).
#[test]
fn enospc_on_a_small_tmpfs_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("tmpfs");
    std::fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mount)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): covered by the simulated short write");
        return;
    }
    let result = std::panic::catch_unwind(|| {
        let path = mount.join("l.jsonl");
        let ledger = Ledger::open(&path).unwrap();
        let mut acked = Vec::new();
        let failure = loop {
            match ledger.append(&actor("bob"), comment(acked.len() as u32)) {
                Ok(entry) => acked.push(entry),
                Err(e) => break e,
            }
            assert!(acked.len() < 1000, "the tmpfs never filled");
        };
        assert!(failure.to_string().contains("No space left"), "{failure}");
        let report = verify(&path).unwrap();
        assert!(report.is_clean(), "{:?}", report.issues);
        assert_eq!(
            ledger.read_all().unwrap(),
            acked,
            "every acknowledged entry, nothing else"
        );
        // Space freed (the ledger moved to a bigger disk): the next seq follows the last acked.
        let bigger = dir.path().join("moved.jsonl");
        std::fs::copy(&path, &bigger).unwrap();
        let next = Ledger::open(&bigger)
            .unwrap()
            .append(&actor("bob"), comment(0))
            .unwrap();
        assert_eq!(next.seq, acked.len() as u64 + 1);
        assert!(verify(&bigger).unwrap().is_clean());
    });
    let _ = std::process::Command::new("umount").arg(&mount).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn export_for_an_environment_the_profile_lacks_names_it_and_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::plain(dir.path().join("ledger.jsonl"));
    let args = ExportArgs {
        format: ExportFormat::Md,
        env: Some("prdo".into()),
        release: None,
        ledger: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = export_to(&args, &profile(), &setup, &mut out, &mut err);
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no environment named \"prdo\" in profile"),
        "{err}"
    );
    assert!(out.is_empty(), "nothing exported");
}
