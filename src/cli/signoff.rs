//! `flightdeck signoff ENV --role R --item I --go|--no-go`: one cell of the grid, authorized by
//! the profile's roles, appended to the ledger (signed when signing is on). The entry point
//! returns the process exit code ([`exit`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};

use super::exit;
use crate::config::{Paths, Profile};
use crate::ledger::store;
use crate::ledger::{Actor, Decision, Payload, identity};
use crate::policy::{SignoffAttempt, authorize_signoff};

/// Release name used when none is given and no release is current.
pub const NO_RELEASE: &str = "unreleased";

#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("decision").required(true).args(["go", "no_go"])))]
pub struct SignoffArgs {
    /// Target environment of the release (a lane of the profile).
    pub env: String,
    /// Column of the grid, e.g. "Security Officer".
    #[arg(long)]
    pub role: String,
    /// Row of the grid, e.g. "Database".
    #[arg(long)]
    pub item: String,
    #[arg(long)]
    pub go: bool,
    /// NO-GO; needs --comment saying why.
    #[arg(long = "no-go")]
    pub no_go: bool,
    #[arg(long)]
    pub comment: Option<String>,
    /// Release to sign (default: the current release).
    #[arg(long)]
    pub release: Option<String>,
    /// Ledger file or postgres:// URL (default: the profile's ledger).
    #[arg(long, value_name = "PATH|URL")]
    pub ledger: Option<PathBuf>,
}

/// `signoff`: checks the same rules as the grid, appends, prints "recorded seq N".
/// `current_release` is the release the caller considers current, used when `--release` is absent.
pub fn run_signoff(
    args: SignoffArgs,
    profile: &Profile,
    paths: &Paths,
    read_only: bool,
    current_release: Option<&str>,
) -> i32 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let actor = match identity::current_actor() {
        Ok(actor) => actor,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    let path = args
        .ledger
        .clone()
        .unwrap_or_else(|| store::ledger_address(profile, paths));
    let context = SignoffContext {
        profile,
        ledger_path: &path,
        actor: &actor,
        read_only,
        current_release,
    };
    signoff_to(&args, &context, &mut out, &mut err)
}

/// Everything `signoff` needs besides its arguments (separate so tests can pick the actor).
pub struct SignoffContext<'a> {
    pub profile: &'a Profile,
    /// A ledger file or a `postgres://` URL.
    pub ledger_path: &'a Path,
    pub actor: &'a Actor,
    pub read_only: bool,
    pub current_release: Option<&'a str>,
}

pub fn signoff_to(
    args: &SignoffArgs,
    context: &SignoffContext<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let profile = context.profile;
    if profile.environment(&args.env).is_none() {
        let known: Vec<&str> = profile
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let _ = writeln!(
            err,
            "error: no environment named \"{}\" in profile {} (environments: {})",
            args.env,
            profile.source.display(),
            known.join(", ")
        );
        return exit::USAGE;
    }
    let decision = if args.no_go {
        Decision::NoGo
    } else {
        Decision::Go
    };
    let comment = args
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let attempt = SignoffAttempt {
        account: &context.actor.account,
        role: &args.role,
        item: &args.item,
        decision,
        comment,
    };
    if let Err(refusal) = authorize_signoff(&profile.signoff, &attempt, context.read_only) {
        let _ = writeln!(err, "refused: {refusal}");
        return exit::REFUSED;
    }
    let release = args
        .release
        .as_deref()
        .or(context.current_release)
        .unwrap_or(NO_RELEASE);
    let payload = Payload::Signoff {
        env: args.env.clone(),
        release: release.into(),
        item: args.item.clone(),
        role: args.role.clone(),
        decision,
        comment: comment.map(String::from),
    };
    // Signed when the profile says so, whichever ledger it is (a file or a database).
    let appended = store::LedgerStore::writer(
        profile,
        context.ledger_path,
        context.read_only,
        &context.actor.account,
    )
    .and_then(|ledger| ledger.append_blocking(context.actor, payload));
    report_signoff(appended, args, decision, release, context, out, err)
}

fn report_signoff(
    appended: Result<crate::ledger::Entry, String>,
    args: &SignoffArgs,
    decision: Decision,
    release: &str,
    context: &SignoffContext<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    match appended {
        Ok(entry) => {
            let _ = writeln!(
                out,
                "recorded seq {}: {} {} on {} for {} {release} by {}",
                entry.seq,
                args.role,
                decision.label(),
                args.item,
                args.env,
                context.actor.account
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: not recorded: {e}");
            exit::IO
        }
    }
}
