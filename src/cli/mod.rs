//! Command line: the cockpit by default, and headless subcommands for scripts and CI. All the CLI
//! glue lives here, above everything else: clap arguments, printing, and the one exit-code table
//! ([`exit`]); each subcommand's glue is a file of its own.

pub mod approve;
pub mod clouddeploy;
pub mod cockpit;
pub mod commands;
mod detach;
pub mod exit;
mod globals;
pub mod ledger;
pub mod ledger_export;
mod ledger_migrate;
mod ledger_output;
pub mod ledger_pg;
pub mod probe;
mod sandbox;
pub mod signoff;
pub mod status;
mod status_checks;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Paths, Profile};

pub use globals::Globals;

#[derive(Debug, Parser)]
#[command(
    name = "flightdeck",
    version,
    about = "A terminal release cockpit: lanes per environment, live phases, health probes, go/no-go sign-off.",
    after_help = "With no command, opens the cockpit. With no --profile, opens the built-in sandbox cloud."
)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One poll round: print every lane (JSON on stdout with --json).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Run the sandbox cloud alone, for tests and for other cockpits to share (--sandbox ADDR).
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:8790")]
        addr: SocketAddr,
        /// Simulated seconds per real second.
        #[arg(long, default_value_t = 20.0)]
        speed: f64,
        /// A fault on matching routes, `KIND[:ARG…][@PATTERN][#COUNT]` (repeatable), e.g.
        /// `error:502:html@/v2/*`, `throttle:30@/repos/*`, `stall@/v2/*#3`, `bad-revision@/apps/*`.
        /// Kinds: latency, error, throttle, reset, truncated, malformed, stall, drip, bad-revision.
        #[arg(long = "fault", value_name = "SPEC", value_parser = parse_fault)]
        faults: Vec<crate::sandbox::faults::FaultRule>,
        /// The Cloud Run and Cloud Deploy APIs require a bearer token, as Google's do; tokens come
        /// from the sandbox's metadata server (`GCE_METADATA_HOST=ADDR`).
        #[arg(long)]
        require_auth: bool,
        /// Seconds a token from the sandbox's metadata server stays good.
        #[arg(long, default_value_t = 3600, value_name = "SECS")]
        token_ttl: u64,
    },
    /// The sign-off and command ledger: verify its hash chain, export a sign-off record.
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// Record a GO or NO-GO in a sign-off grid, under the same rules as the cockpit.
    Signoff(signoff::SignoffArgs),
    /// Deploy image <repo>:VERSION into the first environment (repo from its current image).
    Trigger(commands::TriggerArgs),
    /// Deploy what runs in FROM into TO, through TO's canary steps when it has them.
    Promote(commands::PromoteArgs),
    /// Send 100% of ENV's traffic to the previous good revision (or --to REVISION).
    Rollback(commands::RollbackArgs),
    /// Approve (or --reject) the deployment a GitHub workflow run waits for on ENV's environment;
    /// approving needs ENV's sign-off grid to be GO, and the review's comment is composed from it.
    Approve(approve::ApproveArgs),
    /// Cloud Deploy lanes: rollout phases and jobs; approve, reject, advance, cancel, retry.
    Clouddeploy {
        #[command(subcommand)]
        command: clouddeploy::ClouddeployCommand,
    },
    /// A rollout in flight in ENV, whoever started it: status, pause, resume, advance, abort.
    /// A rollout whose driver died (orphaned) is taken over and driven to its end.
    Rollout(commands::RolloutArgs),
    /// One health probe, now: verdict, status, latency, checks. Exit 0 pass, 1 warn, 2 fail,
    /// 3 unknown or usage error (the monitoring-plugin convention).
    Probe(probe::ProbeArgs),
    /// Profiles: check a file before using it.
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Parse and validate a profile; print what it describes, or the error with file:line.
    Check { file: PathBuf },
}

fn parse_fault(spec: &str) -> Result<crate::sandbox::faults::FaultRule, String> {
    crate::sandbox::faults::FaultRule::parse(spec)
}

/// Runs what the command line asks; returns the process exit code.
pub async fn main(cli: Cli) -> i32 {
    match &cli.command {
        Some(Command::Sandbox {
            addr,
            speed,
            faults,
            require_auth,
            token_ttl,
        }) => {
            let auth = require_auth
                .then(|| crate::sandbox::google_auth::AuthRule::metadata_tokens(*token_ttl));
            sandbox::run_sandbox(*addr, *speed, faults, auth).await
        }
        Some(Command::Profile {
            command: ProfileCommand::Check { file },
        }) => status::profile_check(file),
        Some(Command::Status { json }) => status::status(&cli.globals, *json).await,
        Some(Command::Probe(args)) => probe::run_probe_cli(args.clone()).await,
        Some(Command::Ledger { command }) => {
            match Profile::resolve(&Paths::discover(), &cli.globals.profile) {
                Ok(profile) => ledger::run_ledger(command.clone(), &profile, &Paths::discover()),
                Err(e) => {
                    eprintln!("flightdeck: {e}");
                    exit::USAGE
                }
            }
        }
        Some(Command::Signoff(args)) => status::signoff(&cli.globals, args.clone()).await,
        Some(Command::Trigger(args)) => commands::cli_trigger(&cli.globals, args).await,
        Some(Command::Promote(args)) if args.detach => detach::promote(&cli.globals, args).await,
        Some(Command::Promote(args)) => commands::cli_promote(&cli.globals, args).await,
        Some(Command::Rollback(args)) => commands::cli_rollback(&cli.globals, args).await,
        Some(Command::Approve(args)) => approve::run(&cli.globals, args).await,
        Some(Command::Clouddeploy { command }) => clouddeploy::run(&cli.globals, command).await,
        Some(Command::Rollout(args)) => commands::cli_rollout(&cli.globals, args).await,
        None => cockpit::run_cockpit(&cli.globals).await,
    }
}
