//! `flightdeck clouddeploy …`: a target's rollout with its phases and jobs, and Cloud Deploy's own
//! gates (approve, reject, advance, cancel, retry) under flightdeck's gates and ledger.

use super::globals::Globals;
use clap::{Args, Subcommand};

use super::commands::CommonArgs;
use super::exit;
use crate::commands::clouddeploy_gate::GateAction;
use crate::commands::clouddeploy_wire::describe;
use crate::config::profile::Provider;
use crate::providers::clouddeploy::{CloudDeployClient, state};

#[derive(Debug, Clone, Subcommand)]
pub enum ClouddeployCommand {
    /// Each Cloud Deploy lane: the newest rollout, its phases and jobs, and what the target runs.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Approve the rollout waiting on ENV (the grid must be GO; its comment goes to the ledger).
    Approve(GateArgs),
    /// Reject the rollout waiting on ENV.
    Reject(GateArgs),
    /// Start the next phase of ENV's canary (or --phase ID).
    Advance {
        #[command(flatten)]
        gate: GateArgs,
        #[arg(long, value_name = "ID")]
        phase: Option<String>,
    },
    /// Cancel ENV's rollout in progress.
    Cancel(GateArgs),
    /// Retry the failed job of ENV's rollout.
    Retry(GateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    pub env: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn run(globals: &Globals, command: &ClouddeployCommand) -> i32 {
    let (gate, action) = match command {
        ClouddeployCommand::Status { json } => return status(globals, *json).await,
        ClouddeployCommand::Approve(g) => (g, GateAction::Approve),
        ClouddeployCommand::Reject(g) => (g, GateAction::Reject),
        ClouddeployCommand::Advance { gate, phase } => (gate, GateAction::Advance(phase.clone())),
        ClouddeployCommand::Cancel(g) => (g, GateAction::Cancel),
        ClouddeployCommand::Retry(g) => (g, GateAction::Retry),
    };
    let (_session, ctx) = match super::commands::open_context(globals, &gate.common).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let outcome = crate::commands::run::rollout_action(&ctx, &gate.env, action).await;
    super::commands::print(&outcome, gate.common.json)
}

async fn status(globals: &Globals, json: bool) -> i32 {
    let session = match crate::session::Session::open(&globals.profile, globals.sandbox).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let http = session.client();
    let mut code = exit::OK;
    let mut all = Vec::new();
    for env in &session.profile.environments {
        let Some(Provider::CloudDeploy(cfg)) = env.provider() else {
            continue;
        };
        let client = CloudDeployClient::for_target(http.clone(), cfg);
        match state::fetch(&client, cfg).await {
            Ok(target) => {
                if !json {
                    print_target(&env.name, &target);
                }
                all.push(serde_json::json!({"env": env.name, "target": target}));
            }
            Err(e) => {
                eprintln!("{}: {e}", env.name);
                all.push(serde_json::json!({"env": env.name, "error": e.to_string()}));
                code = exit::API;
            }
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(all));
    } else if session
        .profile
        .environments
        .iter()
        .all(|e| e.clouddeploy.is_none())
    {
        eprintln!(
            "flightdeck: profile `{}` has no Cloud Deploy environment",
            session.profile.name
        );
        return exit::USAGE;
    }
    code
}

fn print_target(env: &str, target: &state::TargetState) {
    let runs = target.running.as_ref().map_or_else(
        || "nothing yet".to_string(),
        |r| format!("{} ({})", r.version, r.id()),
    );
    let approval = if target.require_approval {
        ", approval required"
    } else {
        ""
    };
    println!(
        "{env:<8} target {}{approval}: runs {runs}",
        target.target_id
    );
    if let Some(current) = &target.current {
        println!("         {}", describe(current));
    }
    for f in &target.freezes {
        let state = match crate::policy::freeze::active_at(&f.window, chrono::Utc::now()) {
            Ok(Some(active)) => {
                format!("FROZEN until {}", active.until.format("%Y-%m-%d %H:%M UTC"))
            }
            Ok(None) => "not in force".into(),
            Err(e) => format!("unreadable: {e}"),
        };
        let actions = if f.actions.is_empty() {
            "all actions".to_string()
        } else {
            f.actions.join(", ")
        };
        println!(
            "         {} ({}; {actions}): {state}",
            f.window.name,
            crate::policy::freeze::describe(&f.window)
        );
    }
    if let Some(why) = &target.policies_unread {
        println!("         deploy policies unread ({why}); the service still enforces them");
    }
}
