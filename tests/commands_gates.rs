//! Table tests for the command gates, freeze windows and the override.

use chrono::{DateTime, TimeZone, Utc};
use flightdeck::ledger::{Actor, Decision, Ledger, Payload};
use flightdeck::model::signoff::SignoffGrid;
use flightdeck::policy::freeze;
use flightdeck::policy::{
    CommandKind, EnvPolicy, FreezeWindow, Gate, GateInput, GateVerdict, RoleConfig, SignoffConfig,
    SourceHealth, evaluate,
};

fn actor(name: &str) -> Actor {
    Actor {
        account: name.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

fn config() -> SignoffConfig {
    SignoffConfig {
        items: vec!["Database".into(), "Security".into()],
        roles: vec![
            RoleConfig {
                name: "Tech".into(),
                accounts: vec!["*".into()],
                required: true,
            },
            RoleConfig {
                name: "Ops".into(),
                accounts: vec!["*".into()],
                required: true,
            },
        ],
    }
}

/// A grid where `signers[i]` signed every cell of role i GO (None = unsigned).
fn grid(signers: &[Option<&str>]) -> SignoffGrid {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    for (role, signer) in ["Tech", "Ops"].iter().zip(signers) {
        let Some(signer) = signer else { continue };
        for item in ["Database", "Security"] {
            let payload = Payload::Signoff {
                env: "prod".into(),
                release: "1.5.0".into(),
                item: item.into(),
                role: (*role).into(),
                decision: Decision::Go,
                comment: None,
            };
            ledger.append(&actor(signer), payload).unwrap();
        }
    }
    SignoffGrid::from_entries(&config(), "prod", "1.5.0", &ledger.read_all().unwrap())
}

fn weekend() -> FreezeWindow {
    FreezeWindow {
        name: "weekend".into(),
        timezone: "America/New_York".into(),
        days: vec!["Fri".into(), "Sat".into(), "Sun".into()],
        start: Some("16:00".into()),
        end: Some("23:59".into()),
        from: None,
        until: None,
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct Case {
    name: &'static str,
    kind: CommandKind,
    policy: EnvPolicy,
    read_only: bool,
    now: DateTime<Utc>,
    signers: [Option<&'static str>; 2],
    source: SourceHealth,
    confirmed: bool,
    reason: Option<&'static str>,
    /// The gates refused (empty = allowed), and the gates overridden.
    refused: &'static [Gate],
    overridden: &'static [Gate],
}

fn base() -> Case {
    Case {
        name: "",
        kind: CommandKind::Promote,
        policy: EnvPolicy::default(),
        read_only: false,
        // Wednesday 2026-11-18 15:00 UTC.
        now: at(2026, 11, 18, 15, 0),
        signers: [Some("alice"), Some("bob")],
        source: SourceHealth::Green,
        confirmed: false,
        reason: None,
        refused: &[],
        overridden: &[],
    }
}

fn prod_policy() -> EnvPolicy {
    EnvPolicy {
        require_signoff: true,
        require_source_green: true,
        two_person_rule: true,
        confirm_by_name: true,
        freeze: vec![weekend()],
        auto_rollback_after: Some(3),
    }
}

#[test]
fn gate_table() {
    // Sunday 2026-11-22 20:00 New York = 2026-11-23 01:00 UTC.
    let sunday_evening = at(2026, 11, 23, 1, 0);
    let cases = vec![
        Case {
            name: "no policy allows",
            ..base()
        },
        Case {
            name: "read-only refuses promote",
            read_only: true,
            refused: &[Gate::ReadOnly],
            ..base()
        },
        Case {
            name: "read-only refuses rollback",
            kind: CommandKind::Rollback,
            read_only: true,
            refused: &[Gate::ReadOnly],
            ..base()
        },
        Case {
            name: "read-only is not overridable",
            read_only: true,
            reason: Some("urgent"),
            refused: &[Gate::ReadOnly],
            ..base()
        },
        Case {
            name: "prod all green and confirmed",
            policy: prod_policy(),
            confirmed: true,
            ..base()
        },
        Case {
            name: "prod unconfirmed",
            policy: prod_policy(),
            refused: &[Gate::Confirmation],
            ..base()
        },
        Case {
            name: "confirmation is not overridable",
            policy: prod_policy(),
            reason: Some("x"),
            refused: &[Gate::Confirmation],
            ..base()
        },
        Case {
            name: "missing sign-off",
            policy: prod_policy(),
            confirmed: true,
            signers: [Some("alice"), None],
            refused: &[Gate::Signoff],
            ..base()
        },
        Case {
            name: "source not green",
            policy: prod_policy(),
            confirmed: true,
            source: SourceHealth::NotGreen("503".into()),
            refused: &[Gate::SourceGreen],
            ..base()
        },
        Case {
            name: "source unknown is not green",
            policy: prod_policy(),
            confirmed: true,
            source: SourceHealth::Unknown,
            refused: &[Gate::SourceGreen],
            ..base()
        },
        Case {
            name: "trigger ignores source green",
            kind: CommandKind::Trigger,
            policy: EnvPolicy {
                require_source_green: true,
                ..EnvPolicy::default()
            },
            source: SourceHealth::Unknown,
            ..base()
        },
        Case {
            name: "only GO signer is the promoter",
            policy: prod_policy(),
            confirmed: true,
            signers: [Some("carol"), Some("carol")],
            refused: &[Gate::TwoPerson],
            ..base()
        },
        Case {
            name: "freeze window active",
            policy: prod_policy(),
            confirmed: true,
            now: sunday_evening,
            refused: &[Gate::Freeze],
            ..base()
        },
        Case {
            name: "freeze overridden with a reason",
            policy: prod_policy(),
            confirmed: true,
            now: sunday_evening,
            reason: Some("hotfix for incident 42"),
            overridden: &[Gate::Freeze],
            ..base()
        },
        Case {
            name: "blank reason does not override",
            policy: prod_policy(),
            confirmed: true,
            now: sunday_evening,
            reason: Some("  "),
            refused: &[Gate::Freeze],
            ..base()
        },
        Case {
            name: "several gates overridden at once",
            policy: prod_policy(),
            confirmed: true,
            signers: [Some("carol"), None],
            source: SourceHealth::Unknown,
            reason: Some("break glass"),
            overridden: &[Gate::Signoff, Gate::SourceGreen, Gate::TwoPerson],
            ..base()
        },
        Case {
            name: "rollback ignores freeze and sign-off",
            kind: CommandKind::Rollback,
            policy: prod_policy(),
            confirmed: true,
            now: sunday_evening,
            signers: [None, None],
            source: SourceHealth::Unknown,
            ..base()
        },
        Case {
            name: "rollback still needs confirmation",
            kind: CommandKind::Rollback,
            policy: prod_policy(),
            refused: &[Gate::Confirmation],
            ..base()
        },
    ];
    for case in cases {
        let grid = grid(&case.signers);
        let input = GateInput {
            kind: case.kind,
            target_env: "prod",
            policy: &case.policy,
            read_only: case.read_only,
            now: case.now,
            actor: "carol",
            signoff: Some(&grid),
            source_health: case.source.clone(),
            confirmed: case.confirmed,
            override_reason: case.reason,
        };
        let verdict = evaluate(&input);
        let (refused, overridden): (Vec<Gate>, Vec<Gate>) = match &verdict {
            GateVerdict::Refused(r) => (r.iter().map(|r| r.gate.clone()).collect(), vec![]),
            GateVerdict::Allowed { overridden } => {
                (vec![], overridden.iter().map(|r| r.gate.clone()).collect())
            }
        };
        assert_eq!(refused, case.refused, "{}: {verdict:?}", case.name);
        assert_eq!(overridden, case.overridden, "{}: {verdict:?}", case.name);
    }
}

#[test]
fn freeze_refusal_names_the_window_and_when_it_ends() {
    let policy = EnvPolicy {
        freeze: vec![weekend()],
        ..EnvPolicy::default()
    };
    let grid = grid(&[None, None]);
    let input = GateInput {
        kind: CommandKind::Promote,
        target_env: "prod",
        policy: &policy,
        read_only: false,
        now: at(2026, 11, 23, 1, 0),
        actor: "carol",
        signoff: Some(&grid),
        source_health: SourceHealth::Green,
        confirmed: true,
        override_reason: None,
    };
    let GateVerdict::Refused(refusals) = evaluate(&input) else {
        panic!("expected a refusal")
    };
    assert_eq!(
        refusals[0].message,
        "freeze window `weekend` (Fri–Sun 16:00–23:59 America/New_York) is active until 2026-11-23 04:59 UTC; wait, or override with a reason"
    );
}

#[test]
fn freeze_window_table() {
    let overnight = FreezeWindow {
        name: "night".into(),
        timezone: "Europe/Berlin".into(),
        days: vec!["Mon".into()],
        start: Some("22:00".into()),
        end: Some("06:00".into()),
        from: None,
        until: None,
    };
    let one_off = FreezeWindow {
        name: "holidays".into(),
        timezone: "Europe/Berlin".into(),
        days: vec![],
        start: None,
        end: None,
        from: Some("2026-12-20 00:00".into()),
        until: Some("2027-01-04T00:00:00+01:00".into()),
    };
    let weekly = weekend();
    let bad_tz = FreezeWindow {
        timezone: "Mars/Olympus".into(),
        ..weekend()
    };
    type Row<'a> = (
        &'a str,
        &'a FreezeWindow,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let cases: Vec<Row> = vec![
        // Fri 2026-11-20 16:00 NY (EST, UTC-5) = 21:00 UTC: starts.
        (
            "weekly at start",
            &weekly,
            at(2026, 11, 20, 21, 0),
            Some(at(2026, 11, 21, 4, 59)),
        ),
        (
            "weekly a minute before",
            &weekly,
            at(2026, 11, 20, 20, 59),
            None,
        ),
        (
            "weekly last minute inclusive",
            &weekly,
            at(2026, 11, 21, 4, 59),
            Some(at(2026, 11, 21, 4, 59)),
        ),
        ("weekly Thursday", &weekly, at(2026, 11, 19, 22, 0), None),
        // Summer time: Fri 2026-07-03 16:00 NY (EDT, UTC-4) = 20:00 UTC.
        (
            "weekly in summer time",
            &weekly,
            at(2026, 7, 3, 20, 0),
            Some(at(2026, 7, 4, 3, 59)),
        ),
        // Mon 2026-11-16 23:00 Berlin (UTC+1) = 22:00 UTC, until Tue 06:00 = 05:00 UTC.
        (
            "overnight evening",
            &overnight,
            at(2026, 11, 16, 22, 0),
            Some(at(2026, 11, 17, 5, 0)),
        ),
        (
            "overnight next morning",
            &overnight,
            at(2026, 11, 17, 4, 0),
            Some(at(2026, 11, 17, 5, 0)),
        ),
        (
            "overnight Tuesday evening",
            &overnight,
            at(2026, 11, 17, 22, 0),
            None,
        ),
        (
            "one-off inside",
            &one_off,
            at(2026, 12, 24, 12, 0),
            Some(at(2027, 1, 3, 23, 0)),
        ),
        ("one-off before", &one_off, at(2026, 12, 19, 22, 59), None),
        ("one-off at until", &one_off, at(2027, 1, 3, 23, 0), None),
    ];
    for (name, window, now, until) in cases {
        let active = freeze::active_at(window, now).unwrap();
        assert_eq!(active.map(|a| a.until), until, "{name}");
    }
    assert!(
        freeze::active_at(&bad_tz, at(2026, 11, 20, 21, 0))
            .unwrap_err()
            .contains("Mars/Olympus")
    );
}
