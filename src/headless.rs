//! Headless commands for scripts: `status`, `profile check`.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;

use crate::app::Session;
use crate::cli::{Cli, exit};
use crate::config::Profile;
use crate::model::lane::Lane;
use crate::runtime::LaneSource;

#[derive(Serialize)]
struct StatusReport<'a> {
    service: &'a str,
    profile: &'a str,
    at: chrono::DateTime<Utc>,
    lanes: Vec<Lane>,
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
    let http = Session::http_client();
    let sources = session.lane_sources(&http);
    let fetches = sources.into_iter().map(|source| async move {
        match source {
            LaneSource::CloudRun { client, service } => client.fetch_state(&service).await,
        }
    });
    let results = futures::future::join_all(fetches).await;
    let now = Utc::now();
    let mut lanes = Vec::new();
    let mut failed = false;
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
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
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

fn print_status(report: &StatusReport) {
    println!(
        "{} (profile {}) at {}",
        report.service,
        report.profile,
        report.at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    for lane in &report.lanes {
        match (&lane.service, &lane.error) {
            (_, Some(error)) => println!("  {:<8} UNREACHABLE  {error}", lane.env),
            (Some(s), None) => {
                let op = if s.reconciling {
                    "  (operation in flight)"
                } else {
                    ""
                };
                println!(
                    "  {:<8} {:<10} {:<12} {}{op}",
                    lane.env,
                    s.version().unwrap_or("-"),
                    s.condition.readiness.word(),
                    s.split_text()
                );
            }
            (None, None) => println!("  {:<8} no data", lane.env),
        }
    }
}

pub fn profile_check(file: &Path) -> i32 {
    match Profile::load_file(file) {
        Ok(profile) => {
            println!("ok: {}: service {}", file.display(), profile.service.name);
            for env in &profile.environments {
                let provider = env
                    .cloudrun
                    .as_ref()
                    .map_or_else(String::new, |cr| format!("cloudrun {}", cr.service_name()));
                println!("  {:<8} {provider}  probes: {}", env.name, env.probes.len());
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
