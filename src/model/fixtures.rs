//! Sample states for tests, snapshots and benchmarks (not used by the cockpit itself).

use chrono::{DateTime, TimeZone, Utc};

use super::Model;
use super::lane::{Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice};

/// 2026-11-21 14:30:00 UTC: the injected clock of every snapshot.
/// An account on the bastion, as the ledger records who did something.
pub fn actor(account: &str) -> crate::ledger::Actor {
    crate::ledger::Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

/// A grid of `items` with two required roles: alice is the Technical Lead, dave the Security
/// Officer.
pub fn lead_and_security(items: &[&str]) -> crate::config::policy::SignoffConfig {
    use crate::config::policy::{RoleConfig, SignoffConfig};
    SignoffConfig {
        items: items.iter().map(|i| i.to_string()).collect(),
        roles: vec![
            RoleConfig {
                name: "Technical Lead".into(),
                accounts: vec!["alice".into()],
                required: true,
            },
            RoleConfig {
                name: "Security Officer".into(),
                accounts: vec!["dave".into()],
                required: true,
            },
        ],
    }
}

/// A command's question with no gate of the profile in its way (confirmed, read at entry 0).
pub fn open_question(
    kind: super::command::CommandKind,
    env: &str,
    release: &str,
) -> super::gate_question::GateQuestion {
    super::gate_question::GateQuestion {
        kind,
        env: env.into(),
        policy: crate::config::policy::EnvPolicy::default(),
        release: release.into(),
        source_health: super::gate_question::SourceHealth::Unknown,
        confirmed: true,
        override_reason: None,
        read_at: 0,
    }
}

pub fn clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 14, 30, 0)
        .single()
        .unwrap_or_default()
}

/// A settled service of `env` serving `split` = [(revision number, version, percent)].
pub fn service(env: &str, split: &[(u32, &str, u8)]) -> ServiceState {
    let short_service = format!("clarity-backend-{env}");
    let slices: Vec<TrafficSlice> = split
        .iter()
        .map(|(number, version, percent)| TrafficSlice {
            revision: format!("{short_service}-{number:05}-abc"),
            short: format!("{number:05}-abc"),
            version: (*version).to_string(),
            percent: *percent,
            tag: None,
        })
        .collect();
    let newest = split.iter().map(|(n, _, _)| *n).max().unwrap_or(1);
    let revisions = (1..=newest)
        .rev()
        .map(|n| RevisionInfo {
            name: format!("{short_service}-{n:05}-abc"),
            short: format!("{n:05}-abc"),
            version: version_of(split, n),
            image: format!("app:{}", version_of(split, n)),
            created: Some(clock() - chrono::Duration::days(i64::from(newest - n + 1))),
            ready: true,
        })
        .collect();
    ServiceState {
        name: format!("projects/p/locations/r/services/{short_service}"),
        uri: Some(format!("http://127.0.0.1:1/apps/{short_service}")),
        image: format!("app:{}", split.first().map_or("?", |s| s.1)),
        generation: i64::from(newest),
        observed_generation: i64::from(newest),
        reconciling: false,
        condition: ServiceCondition {
            readiness: Readiness::Ready,
            message: None,
            reason: None,
            warning: false,
        },
        traffic: slices,
        latest_ready: Some(format!("{newest:05}-abc")),
        latest_created: Some(format!("{newest:05}-abc")),
        revisions,
        rollout: None,
        freezes: Vec::new(),
        template: None,
    }
}

/// Three lanes fetched `age_secs` ago: dev on 1.5.0, staging on 1.4.2, prod in a 10 % canary.
pub fn three_lanes(age_secs: i64) -> Model {
    let envs = ["dev".to_string(), "staging".to_string(), "prod".to_string()];
    let mut model = Model::new("clarity-backend", "sandbox", &envs, 2, clock());
    model.signoff_required = vec![false, false, true];
    let states = [
        service("dev", &[(12, "1.5.0", 100)]),
        service("staging", &[(9, "1.4.2", 100)]),
        service("prod", &[(7, "1.4.0", 90), (8, "1.4.2", 10)]),
    ];
    for (lane, state) in model.lanes.iter_mut().zip(states) {
        lane.service = Some(state);
        lane.fetched_at = Some(clock() - chrono::Duration::seconds(age_secs));
    }
    model.operations.setup = Some(sandbox_setup());
    model
}

/// Commands planned with the built-in sandbox profile (dev, staging, prod on Cloud Run), run
/// by `alice`.
pub fn sandbox_setup() -> super::operations::CommandSetup {
    setup_of(
        "profiles/sandbox.toml",
        crate::config::profile::SANDBOX_PROFILE,
    )
}

/// Commands planned with the profile `text` (named `path`), run by `alice`.
pub fn setup_of(path: &str, text: &str) -> super::operations::CommandSetup {
    let profile = crate::config::Profile::parse(std::path::Path::new(path), text)
        .expect("the profile parses");
    super::operations::CommandSetup {
        profile: std::sync::Arc::new(profile),
        account: "alice".into(),
    }
}

fn version_of(split: &[(u32, &str, u8)], number: u32) -> String {
    split
        .iter()
        .find(|(n, _, _)| *n == number)
        .map_or_else(|| format!("1.3.{number}"), |(_, v, _)| (*v).to_string())
}

/// A promote of 1.4.0 into prod that made revision 00007 (with an overridden freeze), a
/// rollback from 00008 to 00007, a refused promote, and a promote of staging (another lane),
/// written to a real ledger file and read back.
pub fn prod_ledger(dir: &std::path::Path) -> Vec<crate::ledger::Entry> {
    use crate::ledger::{Ledger, Payload};
    use serde_json::json;
    let Ok(ledger) = Ledger::open(dir.join("ledger.jsonl")) else {
        return Vec::new();
    };
    let rev = |n: u32| {
        format!(
            "projects/p/locations/r/services/clarity-backend-prod/revisions/clarity-backend-prod-{n:05}-abc"
        )
    };
    let at = |hours: i64| clock() - chrono::Duration::hours(hours);
    let append = |who: &str, payload: Payload, time| {
        let _ = ledger.append_at(&actor(who), payload, time);
    };
    let command = |id: &str, action: &str, env: &str, release: &str, detail| Payload::Command {
        request_id: id.into(),
        action: action.into(),
        env: env.into(),
        release: release.into(),
        detail,
    };
    let outcome = |id: &str, ok: bool, detail| Payload::CommandOutcome {
        request_id: id.into(),
        ok,
        detail,
    };
    // Revision 00007 was created 2 days before the clock (fixtures::service).
    let override_freeze = Payload::Override {
        gate: "freeze".into(),
        reason: "hotfix".into(),
        request_id: "p1".into(),
    };
    append("alice", override_freeze, at(49));
    append(
        "alice",
        command(
            "p1",
            "promote",
            "prod",
            "1.4.0",
            json!({"from_revision": rev(6)}),
        ),
        at(49),
    );
    let rollout = Payload::Rollout {
        request_id: "p1".into(),
        env: "prod".into(),
        event: "deploying".into(),
        state: json!({"to_revision": rev(7), "phase": {"phase": "deploying"}}),
        lease: json!({}),
    };
    append("alice", rollout, at(48));
    append(
        "alice",
        outcome("p1", true, json!({"status": "done", "to_revision": rev(7)})),
        at(47),
    );
    append(
        "carol",
        command("s1", "promote", "staging", "1.4.2", json!({})),
        at(5),
    );
    append(
        "bob",
        command(
            "r1",
            "rollback",
            "prod",
            "1.4.0",
            json!({"from_revision": rev(8), "to_revision": rev(7)}),
        ),
        at(2),
    );
    append("bob", outcome("r1", true, json!({"status": "done"})), at(2));
    append(
        "dave",
        command("p2", "promote", "prod", "1.4.3", json!({})),
        at(1),
    );
    // Whoever writes the ledger chooses its text: an escape sequence must not reach the screen.
    let refused =
        json!({"status": "refused", "message": "[signoff] NO-GO 9/32\u{1b}]0;owned\u{7}"});
    append("dave", outcome("p2", false, refused), at(1));
    ledger.read_all().unwrap_or_default()
}

/// prod serving 00008 (1.4.2) whole; 00007 ran 1.4.0.
pub fn prod_after_rollback() -> crate::model::lane::ServiceState {
    let mut prod = service("prod", &[(7, "1.4.0", 100), (8, "1.4.2", 0)]);
    prod.traffic.retain(|t| t.percent > 0);
    prod
}

/// A Cloud Run template of `env` running `version`, with `max` instances at most.
pub fn template(env: &str, version: &str, max: i64) -> super::lane::TemplateSpec {
    use super::lane::{EnvValue, EnvVar, TemplateSpec};
    let plain = |name: &str, value: &str| EnvVar {
        name: name.into(),
        value: EnvValue::Plain(value.into()),
    };
    TemplateSpec {
        image: format!("us-docker.pkg.dev/clarity/app/clarity-backend:{version}"),
        env: vec![
            plain("APP_ENV", env),
            plain("API_KEY", &format!("k-{env}-0123456789")),
            EnvVar {
                name: "DATABASE_PASSWORD".into(),
                value: EnvValue::Secret {
                    secret: format!("db-password-{env}"),
                    version: "3".into(),
                },
            },
        ],
        min_instances: Some(1),
        max_instances: Some(max),
        concurrency: Some(80),
        cpu: Some("1000m".into()),
        memory: Some("512Mi".into()),
    }
}

/// [`three_lanes`] with prod rolled back from 1.4.2 to 1.4.0 ([`prod_after_rollback`]), the
/// templates of every lane, prod's history in the ledger ([`prod_ledger`], written in `dir`)
/// and the GitHub run that built 1.4.0: everything the lane detail shows.
pub fn lanes_in_depth(dir: &std::path::Path) -> Model {
    let mut model = three_lanes(1);
    model.lanes[2].service = Some(prod_after_rollback());
    let versions = [
        ("dev", "1.5.0", 5),
        ("staging", "1.4.2", 10),
        ("prod", "1.4.0", 40),
    ];
    for (lane, (env, version, max)) in model.lanes.iter_mut().zip(versions) {
        if let Some(service) = lane.service.as_mut() {
            service.template = Some(template(env, version, max));
        }
    }
    model.signoffs.entries = prod_ledger(dir);
    model.pipeline.configured = true;
    model.pipeline.run_links.insert(
        "1.4.0".into(),
        super::watch::RunLink {
            number: 38,
            html_url: "https://github.com/clarity/clarity-backend/actions/runs/38".into(),
        },
    );
    model
}
