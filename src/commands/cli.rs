//! The CLI face of the commands: clap arguments for `trigger`, `promote` and `rollback`, and the
//! glue that opens a session, runs [`run::execute`], prints the outcome and returns the exit code.

use std::path::PathBuf;

use clap::Args;

use super::outcome::Status;
use super::run::{self, Context, Request};
use super::{TriggerVia, WireOptions};

#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// Confirm without typing the environment's name.
    #[arg(long)]
    pub yes: bool,
    /// Waive the policy gates that refuse, with this reason (recorded in the ledger).
    #[arg(long, value_name = "REASON")]
    pub override_reason: Option<String>,
    /// Print the outcome as JSON on stdout (progress stays on stderr).
    #[arg(long)]
    pub json: bool,
    /// Ledger file (default: the profile's ledger).
    #[arg(long, value_name = "PATH")]
    pub ledger: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct TriggerArgs {
    /// The version (image tag) to deploy into the first environment.
    pub version: String,
    #[arg(long, value_enum, default_value_t = TriggerVia::CloudRun)]
    pub via: TriggerVia,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PromoteArgs {
    pub from: String,
    pub to: String,
    /// Seconds to bake between canary steps (default: the environment's canary.bake_secs).
    #[arg(long)]
    pub bake_secs: Option<u64>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    pub env: String,
    /// Revision to send all traffic to (default: the newest ready one not serving most traffic).
    #[arg(long = "to", value_name = "REVISION")]
    pub to: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Opens the session (sandbox, profile, ledger, actor), runs `request`, prints, returns the exit code.
async fn cli_run(cli: &crate::cli::Cli, common: &CommonArgs, request: Request) -> i32 {
    use crate::app::Session;
    let session = match Session::open(cli).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return crate::cli::exit::USAGE;
        }
    };
    let actor = match crate::ledger::identity::current_actor() {
        Ok(actor) => actor,
        Err(e) => {
            eprintln!("flightdeck: cannot tell who you are: {e}");
            return crate::cli::exit::FAILURE;
        }
    };
    let ledger_path = common
        .ledger
        .clone()
        .unwrap_or_else(|| crate::ledger::store::ledger_address(&session.profile, &session.paths));
    let ctx = Context {
        profile: session.profile.clone(),
        http: session.client(),
        actor,
        ledger_path,
        read_only: cli.read_only,
        wire: WireOptions::default(),
        probe_every: None,
        progress: std::sync::Arc::new(|p| eprintln!("{p}")),
        yes: common.yes,
        override_reason: common.override_reason.clone(),
        prompt: true,
        control: std::sync::Mutex::new(interrupt_aborts(&request)),
    };
    let outcome = run::execute(&ctx, request).await;
    if common.json {
        match serde_json::to_string_pretty(&outcome) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("flightdeck: cannot encode the outcome: {e}"),
        }
    } else if outcome.status == Status::Done {
        println!("{}", outcome.text());
    } else {
        eprintln!("{}", outcome.text());
    }
    outcome.exit_code()
}

pub async fn cli_trigger(cli: &crate::cli::Cli, args: &TriggerArgs) -> i32 {
    let request = Request::Trigger {
        version: args.version.clone(),
        via: args.via,
    };
    cli_run(cli, &args.common, request).await
}

/// During a canary, Ctrl-C aborts it (traffic back to the previous revision) instead of leaving
/// the split half-way; other commands are short and finish what they sent.
fn interrupt_aborts(
    request: &Request,
) -> Option<tokio::sync::mpsc::Receiver<super::driver::Control>> {
    if !matches!(request, Request::Promote { .. }) {
        return None;
    }
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted: aborting the canary, traffic back to the previous revision");
            let _ = tx
                .send(super::driver::Control::Abort("interrupted (Ctrl-C)".into()))
                .await;
        }
    });
    Some(rx)
}

pub async fn cli_promote(cli: &crate::cli::Cli, args: &PromoteArgs) -> i32 {
    let request = Request::Promote {
        from: args.from.clone(),
        to: args.to.clone(),
        bake_secs: args.bake_secs,
    };
    cli_run(cli, &args.common, request).await
}

pub async fn cli_rollback(cli: &crate::cli::Cli, args: &RollbackArgs) -> i32 {
    let request = Request::Rollback {
        env: args.env.clone(),
        to: args.to.clone(),
    };
    cli_run(cli, &args.common, request).await
}
