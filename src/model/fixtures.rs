//! Sample states for tests, snapshots and benchmarks (not used by the cockpit itself).

use chrono::{DateTime, TimeZone, Utc};

use super::Model;
use super::lane::{Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice};
use super::phase_detail::Step;
use super::pipeline::{Phase, PhaseState};

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
    model
}

fn version_of(split: &[(u32, &str, u8)], number: u32) -> String {
    split
        .iter()
        .find(|(n, _, _)| *n == number)
        .map_or_else(|| format!("1.3.{number}"), |(_, v, _)| (*v).to_string())
}

/// Moments of a ten-phase release run, for the phases pane's snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMoment {
    Queued,
    RunningPhase4,
    FailedAtPhase6,
    WaitingApproval,
    Done,
}

/// The seed's ten phases at `moment`; phases before it took their expected time (phase 2 twice
/// as long, so the ETA is corrected); the clock of [`clock`] is "now".
pub fn pipeline(moment: RunMoment) -> super::pipeline::Pipeline {
    use super::pipeline::{Approval, ExpectedDurations, Pipeline, Reviewer, RunState, SEED_PHASES};
    let expected = ExpectedDurations::seed();
    let (done, current) = match moment {
        RunMoment::Queued => (0, None),
        RunMoment::RunningPhase4 => (3, Some(PhaseState::Running)),
        RunMoment::FailedAtPhase6 => (5, Some(PhaseState::Failed)),
        RunMoment::WaitingApproval => (8, Some(PhaseState::WaitingApproval)),
        RunMoment::Done => (10, None),
    };
    let durations: Vec<chrono::TimeDelta> = SEED_PHASES
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            expected.get(name).unwrap_or_default() * if i == 1 { 2 } else { 1 }
        })
        .collect();
    let elapsed_before: chrono::TimeDelta = durations.iter().take(done).sum();
    let start = clock() - elapsed_before - chrono::Duration::minutes(4);
    let mut t = start;
    let phases = SEED_PHASES
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            let mut phase = Phase {
                name: (*name).to_string(),
                state: PhaseState::Pending,
                started_at: None,
                completed_at: None,
                steps_done: 0,
                steps_total: 3,
                current_step: None,
                failed_step: None,
                conclusion: None,
                expected: expected.get(name),
                check_run_id: Some(399_444_496 + i as u64),
                steps: Vec::new(),
            };
            if i < done {
                phase.state = PhaseState::Succeeded;
                phase.started_at = Some(t);
                t += durations[i];
                phase.completed_at = Some(t);
                phase.steps_done = 3;
                phase.conclusion = Some("success".into());
            } else if i == done && current.is_some() {
                phase.state = current.unwrap_or(PhaseState::Running);
                phase.started_at = Some(t);
                phase.steps_done = 1;
                phase.current_step = Some("Run checks".into());
                if phase.state == PhaseState::Failed {
                    phase.completed_at = Some(t + chrono::Duration::minutes(4));
                    phase.failed_step = Some("Verify data privacy".into());
                    phase.conclusion = Some("failure".into());
                }
            } else if moment == RunMoment::FailedAtPhase6 && i > done {
                phase.state = PhaseState::Skipped;
            }
            phase.steps = fixture_steps(&phase);
            phase
        })
        .collect();
    let (state, conclusion) = match moment {
        RunMoment::Queued => (RunState::Queued, None),
        RunMoment::RunningPhase4 => (RunState::Running, None),
        RunMoment::FailedAtPhase6 => (RunState::Failed, Some("failure".to_string())),
        RunMoment::WaitingApproval => (RunState::WaitingApproval, None),
        RunMoment::Done => (RunState::Succeeded, Some("success".to_string())),
    };
    let approvals = if moment == RunMoment::WaitingApproval {
        vec![Approval {
            environment: "prod".into(),
            environment_id: 161_171_787,
            reviewers: vec![
                Reviewer::User("oncall-lead".into()),
                Reviewer::Team("release-managers".into()),
            ],
            current_user_can_approve: false,
            wait_timer_minutes: 0,
            wait_timer_started_at: None,
        }]
    } else {
        Vec::new()
    };
    Pipeline {
        run_id: 42,
        run_number: 17,
        title: "Release 1.5.0".into(),
        html_url: "https://github.com/clarity/clarity-backend/actions/runs/42".into(),
        state,
        conclusion,
        created_at: start,
        started_at: Some(start),
        updated_at: clock(),
        phases,
        approvals,
    }
}

/// Three steps consistent with the phase: "Set up job", "Run checks" (running while the phase
/// runs) and "Verify data privacy" (where a failed phase fails), each a third of its time.
fn fixture_steps(phase: &Phase) -> Vec<Step> {
    let names = ["Set up job", "Run checks", "Verify data privacy"];
    let start = phase.started_at;
    let third = match (start, phase.completed_at) {
        (Some(s), Some(c)) => (c - s) / 3,
        _ => chrono::TimeDelta::minutes(1),
    };
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let k32 = k as i32;
            let begins = start.map(|s| s + third * k32);
            let (state, conclusion) = match phase.state {
                PhaseState::Succeeded => (PhaseState::Succeeded, Some("success")),
                PhaseState::Failed if k == 2 => (PhaseState::Failed, Some("failure")),
                PhaseState::Failed => (PhaseState::Succeeded, Some("success")),
                PhaseState::Running | PhaseState::WaitingApproval if k == 0 => {
                    (PhaseState::Succeeded, Some("success"))
                }
                PhaseState::Running if k == 1 => (PhaseState::Running, None),
                PhaseState::Skipped => (PhaseState::Skipped, Some("skipped")),
                _ => (PhaseState::Pending, None),
            };
            let ran = !matches!(state, PhaseState::Pending | PhaseState::Skipped);
            Step {
                number: k as u64 + 1,
                name: (*name).to_string(),
                state,
                conclusion: conclusion.map(str::to_string),
                started_at: begins.filter(|_| ran),
                completed_at: begins
                    .map(|b| b + third)
                    .filter(|_| ran && state != PhaseState::Running),
            }
        })
        .collect()
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
