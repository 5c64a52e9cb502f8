//! Headless commands for scripts: `status`, `profile check`.

use std::io::Write;
use std::path::Path;

/// Prints to stdout; a closed pipe (`status | head`) ends the output quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use chrono::Utc;
use serde::Serialize;

use crate::app::Session;
use crate::cli::{Cli, exit};
use crate::config::Profile;
use crate::config::profile::Provider;
use crate::model::lane::Lane;
use crate::model::pipeline::Pipeline;
use crate::runtime::{LaneSource, PipelinePoll};

#[derive(Serialize)]
struct StatusReport<'a> {
    service: &'a str,
    profile: &'a str,
    at: chrono::DateTime<Utc>,
    lanes: Vec<Lane>,
    /// The newest build run and its phases (absent when the profile has no pipeline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline: Option<serde_json::Value>,
}

/// One poll round of every lane; exit 4 when any lane could not be read.
pub async fn status(cli: &Cli, json: bool) -> i32 {
    let session = match Session::open(cli).await {
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
    let report = StatusReport {
        service: &session.profile.service.name,
        profile: &session.profile.name,
        at: now,
        lanes,
        pipeline,
    };
    if json {
        match serde_json::to_string_pretty(&report) {
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
    for lane in &report.lanes {
        match (&lane.service, &lane.error) {
            (_, Some(error)) => out!("  {:<8} UNREACHABLE  {error}", lane.env),
            (Some(s), None) => {
                let op = if s.reconciling {
                    "  (operation in flight)"
                } else {
                    ""
                };
                out!(
                    "  {:<8} {:<10} {:<12} {}{op}",
                    lane.env,
                    s.version().unwrap_or("-"),
                    s.condition.readiness.word(),
                    s.split_text()
                );
            }
            (None, None) => out!("  {:<8} no data", lane.env),
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
pub async fn signoff(cli: &Cli, args: crate::ledger::cli::SignoffArgs) -> i32 {
    let session = match Session::open(cli).await {
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
    crate::ledger::cli::run_signoff(
        args,
        &session.profile,
        &session.paths,
        cli.read_only,
        release.as_deref(),
    )
}
