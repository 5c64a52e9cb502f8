//! The CLI face of the commands: clap arguments for `trigger`, `promote` and `rollback`, and the
//! glue that opens a session, runs [`run::execute`], prints the outcome and returns the exit code.

use super::globals::Globals;
use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::commands::rollout_control::{self as rollout, Verb};
use crate::commands::run::{self, Context, Request};
use crate::commands::{TriggerVia, WireOptions};
use crate::model::outcome::Status;
use crate::model::rollouts::Control;

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
    /// Seconds a rollout's driver lease lasts without a heartbeat (a dead driver's rollout is
    /// orphaned this long after its last entry).
    #[arg(long, value_name = "SECS", default_value_t = 15, hide = true)]
    pub lease_secs: u64,
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
    /// Hand the rollout to a background process that outlives this terminal (its log goes to
    /// the state directory); returns once the rollout is recorded as started.
    #[arg(long)]
    pub detach: bool,
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

/// What `flightdeck rollout` does to ENV's rollout in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RolloutVerb {
    /// Where it is and who drives it (or that nobody does: orphaned).
    Status,
    /// Stop the bake clock.
    Pause,
    /// Restart the bake clock; takes over (and drives to the end) a rollout nobody drives.
    Resume,
    /// The next step now.
    Advance,
    /// Traffic back to the previous revision.
    Abort,
}

#[derive(Debug, Clone, Args)]
pub struct RolloutArgs {
    pub verb: RolloutVerb,
    pub env: String,
    /// Why (recorded with an abort).
    #[arg(long)]
    pub reason: Option<String>,
    /// Wait (up to two leases) for the rollout's driver to stop before taking it over: how a
    /// quitting cockpit's background successor starts.
    #[arg(long, hide = true)]
    pub when_orphaned: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Set in a `--detach`ed child: SIGHUP (the terminal going away) is not a reason to hand over.
pub(super) const DETACHED_ENV: &str = "FLIGHTDECK_DETACHED";

/// Opens the session (sandbox, profile, ledger, actor) and the command's context.
pub(super) async fn open_context(
    globals: &Globals,
    common: &CommonArgs,
) -> Result<(crate::session::Session, Context), i32> {
    use crate::session::Session;
    let session = Session::open(&globals.profile, globals.sandbox)
        .await
        .map_err(|e| {
            eprintln!("flightdeck: {e}");
            exit::USAGE
        })?;
    let actor = crate::ledger::identity::current_actor().map_err(|e| {
        eprintln!("flightdeck: cannot tell who you are: {e}");
        exit::FAILURE
    })?;
    let ledger_path = common
        .ledger
        .clone()
        .unwrap_or_else(|| crate::ledger::store::ledger_address(&session.profile, &session.paths));
    let ctx = Context {
        profile: session.profile.clone(),
        http: session.client(),
        actor,
        ledger_path,
        read_only: globals.read_only,
        wire: WireOptions::default(),
        probe_every: None,
        progress: std::sync::Arc::new(|p| eprintln!("{}", crate::redact::redact(&p.to_string()))),
        yes: common.yes,
        override_reason: common.override_reason.clone(),
        confirm: Some(std::sync::Arc::new(typed_name)),
        control: Default::default(),
        release: Default::default(),
        lease: std::time::Duration::from_secs(common.lease_secs.max(1)),
        github_token: Default::default(),
    };
    Ok((session, ctx))
}

/// The typed confirmation of a change to `env`, on the terminal; without one, no.
fn typed_name(env: &str) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("type `{env}` to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == env
}

pub(super) fn print(outcome: &crate::model::outcome::Outcome, json: bool) -> i32 {
    if json {
        let mut value = serde_json::to_value(outcome).unwrap_or_default();
        crate::json_out::normalize_times(&mut value);
        match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{}", crate::redact::redact_cow(&text)),
            Err(e) => eprintln!("flightdeck: cannot encode the outcome: {e}"),
        }
    } else if outcome.status == Status::Done {
        println!("{}", crate::redact::redact(&outcome.text()));
    } else {
        eprintln!("{}", crate::redact::redact(&outcome.text()));
    }
    exit::of_status(outcome.status)
}

/// Runs `request`, prints, returns the exit code.
async fn cli_run(globals: &Globals, common: &CommonArgs, request: Request) -> i32 {
    let ctx = match open_context(globals, common).await {
        Ok((_, ctx)) => ctx,
        Err(code) => return code,
    };
    if matches!(request, Request::Promote { .. }) {
        signal_hands(&ctx);
    }
    let outcome = run::execute(&ctx, request).await;
    print(&outcome, common.json)
}

/// While a rollout runs: Ctrl-C aborts it (traffic back) instead of leaving the split half-way, a
/// second Ctrl-C hands it over; SIGTERM and SIGHUP hand it over (the lease is released and the
/// outcome recorded, so `flightdeck rollout resume` can take it over at once).
fn signal_hands(ctx: &Context) {
    use tokio::signal::unix::{SignalKind, signal};
    let (control_tx, control_rx) = tokio::sync::mpsc::channel(2);
    let (release_tx, release_rx) = tokio::sync::mpsc::channel(2);
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return;
    };
    if let (Ok(mut control), Ok(mut release)) = (ctx.control.lock(), ctx.release.lock()) {
        *control = Some(control_rx);
        *release = Some(release_rx);
    }
    let detached = std::env::var_os(DETACHED_ENV).is_some();
    tokio::spawn(async move {
        let mut interrupted = false;
        loop {
            let why = tokio::select! {
                Some(()) = int.recv() => {
                    if !interrupted {
                        interrupted = true;
                        eprintln!("interrupted: aborting the canary, traffic back to the previous revision (Ctrl-C again hands it over)");
                        let _ = control_tx.send(Control::Abort("interrupted (Ctrl-C)".into())).await;
                        continue;
                    }
                    "interrupted twice (Ctrl-C)"
                }
                Some(()) = term.recv() => "SIGTERM",
                Some(()) = hup.recv() => {
                    if detached {
                        continue;
                    }
                    "SIGHUP (the terminal went away)"
                }
            };
            eprintln!("{why}: handing the rollout over");
            let _ = release_tx.send(why.to_string()).await;
        }
    });
}

pub async fn cli_trigger(globals: &Globals, args: &TriggerArgs) -> i32 {
    let request = Request::Trigger {
        version: args.version.clone(),
        via: args.via,
    };
    cli_run(globals, &args.common, request).await
}

/// `promote` in this process (`--detach` is `detach::promote`).
pub async fn cli_promote(globals: &Globals, args: &PromoteArgs) -> i32 {
    let request = Request::Promote {
        from: args.from.clone(),
        to: args.to.clone(),
        bake_secs: args.bake_secs,
    };
    cli_run(globals, &args.common, request).await
}

pub async fn cli_rollback(globals: &Globals, args: &RollbackArgs) -> i32 {
    let request = Request::Rollback {
        env: args.env.clone(),
        to: args.to.clone(),
    };
    cli_run(globals, &args.common, request).await
}

pub async fn cli_rollout(globals: &Globals, args: &RolloutArgs) -> i32 {
    let ctx = match open_context(globals, &args.common).await {
        Ok((_, ctx)) => ctx,
        Err(code) => return code,
    };
    let verb = match args.verb {
        RolloutVerb::Status => Verb::Status,
        RolloutVerb::Pause => Verb::Control(Control::Pause),
        RolloutVerb::Resume => Verb::Control(Control::Resume),
        RolloutVerb::Advance => Verb::Control(Control::Advance),
        RolloutVerb::Abort => Verb::Control(Control::Abort(
            args.reason
                .clone()
                .unwrap_or_else(|| format!("aborted by {}", ctx.actor.account)),
        )),
    };
    if verb != Verb::Status {
        signal_hands(&ctx);
    }
    if args.when_orphaned {
        rollout::wait_for_orphan(&ctx, &args.env).await;
    }
    let outcome = rollout::act(&ctx, &args.env, verb).await;
    print(&outcome, args.common.json)
}
