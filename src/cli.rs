//! Command line: the cockpit by default, and headless subcommands for scripts and CI.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit codes shared by every headless command.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const REFUSED: i32 = 3;
    pub const API: i32 = 4;
    /// A rollout was handed over in flight (signal or `--detach`): it goes on without this process.
    pub const HANDED_OVER: i32 = 5;
}

#[derive(Debug, Parser)]
#[command(
    name = "flightdeck",
    version,
    about = "A terminal release cockpit: lanes per environment, live phases, health probes, go/no-go sign-off.",
    after_help = "With no command, opens the cockpit. With no --profile, opens the built-in sandbox cloud."
)]
pub struct Cli {
    /// Profile name (searched in ./profiles and the config dir) or path to a profile TOML file.
    #[arg(
        long,
        short = 'p',
        global = true,
        default_value = "sandbox",
        env = "FLIGHTDECK_PROFILE"
    )]
    pub profile: String,
    /// Theme name or file (dark, light, high-contrast, monochrome). Default: dark, or monochrome under NO_COLOR.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Use an already-running sandbox at ADDR (host:port) instead of starting one.
    #[arg(long, global = true, value_name = "ADDR")]
    pub sandbox: Option<SocketAddr>,
    /// Look, never touch: every command and sign-off is unavailable.
    #[arg(long, global = true)]
    pub read_only: bool,
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
        command: crate::ledger::cli::LedgerCommand,
    },
    /// Record a GO or NO-GO in a sign-off grid, under the same rules as the cockpit.
    Signoff(crate::ledger::cli::SignoffArgs),
    /// Deploy image <repo>:VERSION into the first environment (repo from its current image).
    Trigger(crate::commands::cli::TriggerArgs),
    /// Deploy what runs in FROM into TO, through TO's canary steps when it has them.
    Promote(crate::commands::cli::PromoteArgs),
    /// Send 100% of ENV's traffic to the previous good revision (or --to REVISION).
    Rollback(crate::commands::cli::RollbackArgs),
    /// Approve (or --reject) the deployment a GitHub workflow run waits for on ENV's environment;
    /// approving needs ENV's sign-off grid to be GO, and the review's comment is composed from it.
    Approve(crate::commands::approve_cli::ApproveArgs),
    /// Cloud Deploy lanes: rollout phases and jobs; approve, reject, advance, cancel, retry.
    Clouddeploy {
        #[command(subcommand)]
        command: crate::commands::clouddeploy_cli::ClouddeployCommand,
    },
    /// A rollout in flight in ENV, whoever started it: status, pause, resume, advance, abort.
    /// A rollout whose driver died (orphaned) is taken over and driven to its end.
    Rollout(crate::commands::cli::RolloutArgs),
    /// One health probe, now: verdict, status, latency, checks. Exit 0 pass, 1 warn, 2 fail,
    /// 3 unknown or usage error (the monitoring-plugin convention).
    Probe(crate::probes::cli::ProbeArgs),
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
