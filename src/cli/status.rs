//! Headless commands for scripts: `status`, `profile check`.

use std::io::Write;
use std::path::Path;

/// Prints to stdout, redacted; a closed pipe (`status | head`) ends the output quietly instead of
/// panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stdout().lock(), "{}", crate::redact::redact_cow(&text));
    }};
}

use chrono::Utc;

use super::exit;
use super::globals::Globals;
use crate::config::Profile;
use crate::config::profile::Provider;
use crate::model::lane::Lane;
use crate::model::pipeline::Pipeline;
use crate::runtime::{LaneSource, PipelinePoll};
use crate::session::Session;

use super::status_checks::{self, ProbeResult, SignoffSummary};

struct StatusReport<'a> {
    service: &'a str,
    profile: &'a str,
    at: chrono::DateTime<Utc>,
    lanes: Vec<Lane>,
    /// Per lane: its probes, run once.
    probes: Vec<Vec<ProbeResult>>,
    /// Per lane: whether it needs a sign-off, and the decision when it does.
    signoffs: Vec<(bool, Option<SignoffSummary>)>,
    /// The newest build run and its phases (absent when the profile has no pipeline).
    pipeline: Option<serde_json::Value>,
}

impl StatusReport<'_> {
    /// Schema version 1: the same lane shape as every command, timestamps to the second.
    fn to_json(&self) -> serde_json::Value {
        let lanes: Vec<serde_json::Value> = self
            .lanes
            .iter()
            .enumerate()
            .map(|(i, lane)| {
                let (required, summary) = self
                    .signoffs
                    .get(i)
                    .map_or((false, None), |(r, s)| (*r, s.as_ref()));
                let probes = self.probes.get(i).map_or(&[][..], Vec::as_slice);
                status_checks::lane_json(lane, probes, summary, required)
            })
            .collect();
        let mut value = serde_json::json!({
            "schema_version": status_checks::SCHEMA_VERSION,
            "service": self.service,
            "profile": self.profile,
            "at": status_checks::time(self.at),
            "lanes": lanes,
        });
        if let Some(pipeline) = &self.pipeline {
            value["pipeline"] = pipeline.clone();
        }
        status_checks::normalize_times(&mut value);
        value
    }
}

/// One poll round of every lane; exit 4 when any lane could not be read.
pub async fn status(globals: &Globals, json: bool) -> i32 {
    let session = match Session::open(&globals.profile, globals.sandbox).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let http = session.client();
    let sources = session.lane_sources(&http);
    let mut failed = false;
    let fetches = sources.into_iter().map(LaneSource::fetch);
    let pipeline = async {
        match session.pipeline_source().await {
            Ok(Some(source)) => Some(source.poll(None, true).await),
            Ok(None) => None,
            Err(error) => Some(PipelinePoll::Failed {
                error,
                retry_at: None,
            }),
        }
    };
    let (results, pipeline) =
        futures::future::join(futures::future::join_all(fetches), pipeline).await;
    let now = Utc::now();
    let pipeline = pipeline.map(|poll| match poll {
        PipelinePoll::Changed(run) => pipeline_json(&run, now),
        PipelinePoll::NoRuns | PipelinePoll::Unchanged => serde_json::json!({"runs": 0}),
        PipelinePoll::Failed { error, .. } => {
            failed = true;
            serde_json::json!({"error": error})
        }
    });
    let mut lanes = Vec::new();
    for (env, result) in session.profile.environments.iter().zip(results) {
        let mut lane = Lane::new(&env.name);
        match result {
            Ok(state) => {
                lane.service = Some(state);
                lane.fetched_at = Some(now);
            }
            Err(e) => {
                failed = true;
                lane.error = Some(e.to_string());
            }
        }
        lanes.push(lane);
    }
    let probe_client =
        crate::probes::http::client(session.loopback_only()).unwrap_or_else(|_| http.clone());
    let probes = status_checks::probe_round(&session.profile, &lanes, &probe_client).await;
    let summaries = status_checks::signoffs(&session.profile, &session.paths, &lanes)
        .unwrap_or_else(|e| {
            eprintln!("flightdeck: sign-off decisions unknown, the ledger cannot be read: {e}");
            Vec::new()
        });
    let mut summaries = summaries.into_iter();
    let signoffs = session
        .profile
        .environments
        .iter()
        .map(|env| (env.policy.require_signoff, summaries.next().flatten()))
        .collect();
    let report = StatusReport {
        service: &session.profile.service.name,
        profile: &session.profile.name,
        at: now,
        lanes,
        probes,
        signoffs,
        pipeline,
    };
    if json {
        match serde_json::to_string_pretty(&report.to_json()) {
            Ok(text) => out!("{text}"),
            Err(e) => {
                eprintln!("flightdeck: cannot encode status: {e}");
                return exit::FAILURE;
            }
        }
    } else {
        print_status(&report);
    }
    if failed { exit::API } else { exit::OK }
}

/// A run and its phases as JSON for scripts: states as words, durations in seconds.
pub fn pipeline_json(run: &Pipeline, now: chrono::DateTime<Utc>) -> serde_json::Value {
    let phases: Vec<serde_json::Value> = run
        .phases
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "state": p.state.label(),
                "started_at": p.started_at,
                "completed_at": p.completed_at,
                "elapsed_secs": p.elapsed(now).map(|d| d.num_seconds()),
                "expected_secs": p.expected.map(|d| d.num_seconds()),
                "steps_done": p.steps_done,
                "steps_total": p.steps_total,
                "failed_step": p.failed_step,
                "conclusion": p.conclusion,
            })
        })
        .collect();
    serde_json::json!({
        "run_id": run.run_id,
        "run_number": run.run_number,
        "title": run.title,
        "url": run.html_url,
        "conclusion": run.conclusion,
        "done": run.state.is_done(),
        "progress": run.progress(now),
        "eta": run.eta(now),
        "phases": phases,
        "waiting_for": run.approvals.iter().map(|a| a.environment.clone()).collect::<Vec<_>>(),
    })
}

fn print_status(report: &StatusReport) {
    out!(
        "{} (profile {}) at {}",
        report.service,
        report.profile,
        report.at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if let Some(pipeline) = &report.pipeline {
        let phases = pipeline["phases"].as_array().map_or(0, Vec::len);
        let done = pipeline["phases"].as_array().map_or(0, |p| {
            p.iter().filter(|x| x["state"] == "succeeded").count()
        });
        match pipeline.get("error") {
            Some(error) => out!("  build    UNREACHABLE  {}", error.as_str().unwrap_or("")),
            None => out!(
                "  build    #{} {}  {done}/{phases} phases  {}",
                pipeline["run_number"],
                pipeline["title"].as_str().unwrap_or(""),
                pipeline["conclusion"].as_str().unwrap_or("in progress")
            ),
        }
    }
    for (i, lane) in report.lanes.iter().enumerate() {
        let probes = report.probes.get(i).map_or(&[][..], Vec::as_slice);
        let verdict = if probes.is_empty() {
            "no probes".to_string()
        } else {
            format!("probes {}", status_checks::lane_verdict(probes))
        };
        let signoff = match report.signoffs.get(i) {
            Some((true, Some(s))) => format!(
                "{} {}/{} for {}",
                if s.go { "GO" } else { "NO-GO" },
                s.signed,
                s.total,
                s.release
            ),
            Some((true, None)) => "sign-off: no release yet".to_string(),
            _ => "no sign-off needed".to_string(),
        };
        match (&lane.service, &lane.error) {
            (_, Some(error)) => out!("  {:<8} UNREACHABLE  {error}", lane.env),
            (Some(s), None) => {
                let op = if s.reconciling {
                    "  (operation in flight)"
                } else {
                    ""
                };
                out!(
                    "  {:<8} {:<10} {:<12} {:<14} {:<24} {}{op}",
                    lane.env,
                    s.version().unwrap_or("-"),
                    s.condition.readiness.word(),
                    verdict,
                    signoff,
                    s.split_text()
                );
            }
            (None, None) => out!("  {:<8} no data", lane.env),
        }
        for freeze in status_checks::freezes_json(lane) {
            let when = match (&freeze["active_until"], &freeze["error"]) {
                (serde_json::Value::String(until), _) => format!("FROZEN until {until}"),
                (_, serde_json::Value::String(e)) => format!("unreadable: {e}"),
                _ => "not in force".to_string(),
            };
            out!(
                "           freeze {} ({}): {when}",
                freeze["name"].as_str().unwrap_or(""),
                freeze["window"].as_str().unwrap_or("")
            );
        }
        for probe in probes.iter().filter(|p| p.verdict() != "pass") {
            let why = match &probe.outcome {
                Ok(o) => o.reason.clone().unwrap_or_default(),
                Err(e) => e.clone(),
            };
            out!("           probe {} {}: {why}", probe.name, probe.verdict());
        }
    }
}

pub fn profile_check(file: &Path) -> i32 {
    match Profile::load_file(file) {
        Ok(profile) => {
            out!("ok: {}: service {}", file.display(), profile.service.name);
            for env in &profile.environments {
                let provider = match env.provider() {
                    Some(Provider::CloudRun(cr)) => format!("cloudrun {}", cr.service_name()),
                    Some(Provider::CloudDeploy(cd)) => {
                        format!("clouddeploy {} target {}", cd.pipeline_name(), cd.target)
                    }
                    Some(Provider::Script(script)) => {
                        format!("script {}", script.status.join(" "))
                    }
                    None => String::new(),
                };
                out!("  {:<8} {provider}  probes: {}", env.name, env.probes.len());
            }
            match crate::ledger::setup::profile_check(&profile) {
                Ok(line) if line.starts_with("warning:") => eprintln!("{line}"),
                Ok(line) => out!("{line}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return exit::USAGE;
                }
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("{e}");
            exit::USAGE
        }
    }
}

/// `signoff ENV`: the release defaults to what would be promoted into ENV (what runs in the lane before it).
pub async fn signoff(globals: &Globals, args: super::ledger::SignoffArgs) -> i32 {
    let session = match Session::open(&globals.profile, globals.sandbox).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let release = if args.release.is_some() {
        None
    } else {
        session.candidate_release(&args.env).await
    };
    super::ledger::run_signoff(
        args,
        &session.profile,
        &session.paths,
        globals.read_only,
        release.as_deref(),
    )
}
