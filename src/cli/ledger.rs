//! Headless commands over the ledger: `ledger verify`, `ledger export`, `signoff`.
//! `src/cli/mod.rs` embeds these clap types; each entry point returns the process exit code ([`exit`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};

use super::exit;
pub use super::ledger_output::{ExportArgs, ExportFormat};
use super::ledger_output::{check_anchor, print_head, write_export};
use crate::config::{Paths, Profile};
use crate::ledger::store::{self, LedgerLocation};
use crate::ledger::{Actor, Decision, Payload, Setup, identity, verify};
use crate::policy::{SignoffAttempt, authorize_signoff};

/// Release name used when none is given and no release is current.
pub const NO_RELEASE: &str = "unreleased";

#[derive(Debug, Clone, Subcommand)]
pub enum LedgerCommand {
    /// Check every entry's hash and the chain; names the first bad entry as LEDGER:LINE.
    Verify(VerifyArgs),
    /// Print the sign-off record (grid, decision, signers, comments) as Markdown or JSON.
    Export(ExportArgs),
    /// Copy a ledger file into an empty PostgreSQL ledger, then verify the copy.
    Migrate(super::ledger_migrate::MigrateArgs),
    /// Print the head hash (SHA-256 of the last entry's line): write it into the release ticket,
    /// and `ledger verify --head HASH` later proves the history up to it is unchanged.
    Head(HeadArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Ledger file or postgres:// URL (default: the profile's ledger).
    #[arg(long, value_name = "PATH|URL")]
    pub ledger: Option<PathBuf>,
    /// A head printed earlier by `ledger head`: it must still be in the verified history.
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct HeadArgs {
    /// Ledger file or postgres:// URL (default: the profile's ledger).
    #[arg(long, value_name = "PATH|URL")]
    pub ledger: Option<PathBuf>,
}

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

pub fn run_ledger(cmd: LedgerCommand, profile: &Profile, paths: &Paths) -> i32 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let address = match &cmd {
        LedgerCommand::Verify(a) => a.ledger.clone(),
        LedgerCommand::Export(a) => a.ledger.clone(),
        LedgerCommand::Head(a) => a.ledger.clone(),
        LedgerCommand::Migrate(args) => {
            return super::ledger_migrate::run(args, profile, paths, &mut out, &mut err);
        }
    };
    // A postgres:// ledger (--ledger, FLIGHTDECK_LEDGER_URL or [ledger] url) is the database's.
    let full = address
        .clone()
        .unwrap_or_else(|| store::ledger_address(profile, paths));
    match LedgerLocation::from_address(&full, profile.ledger.password_command.clone()) {
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::USAGE;
        }
        Ok(LedgerLocation::Postgres(target)) => {
            return match cmd {
                LedgerCommand::Export(args) => {
                    super::ledger_pg::export_to(&args, profile, &target, &mut out, &mut err)
                }
                LedgerCommand::Verify(args) => {
                    let head = args.head.as_deref();
                    super::ledger_pg::verify_head_to(profile, &target, head, &mut out, &mut err)
                }
                LedgerCommand::Head(_) => {
                    super::ledger_pg::head_to(profile, &target, &mut out, &mut err)
                }
                LedgerCommand::Migrate(_) => exit::USAGE,
            };
        }
        Ok(LedgerLocation::File(_)) => {}
    }
    let ledger = address;
    let setup = match Setup::from_profile(profile, paths, ledger, false) {
        Ok(setup) => setup,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::USAGE;
        }
    };
    match cmd {
        LedgerCommand::Verify(args) => {
            let code = verify_setup_to(&setup, args.head.as_deref(), &mut out, &mut err);
            if code != exit::OK {
                return code;
            }
            not_counted_to(&setup, &profile.signoff, &mut out)
        }
        LedgerCommand::Export(args) => export_to(&args, profile, &setup, &mut out, &mut err),
        LedgerCommand::Head(_) => head_to(&setup, &mut out, &mut err),
        // Answered before the ledger was located.
        LedgerCommand::Migrate(_) => exit::USAGE,
    }
}

/// Sign-offs the grid will not count (signer not allowed for the role): one line each.
pub fn not_counted_to(
    setup: &Setup,
    config: &crate::policy::SignoffConfig,
    out: &mut dyn Write,
) -> i32 {
    let Ok(checked) = setup.read() else {
        return exit::IO;
    };
    let mut code = exit::OK;
    for entry in &checked.entries {
        if let Payload::Signoff { role, decision, .. } = &entry.payload
            && let Err(refusal) = crate::policy::may_sign_role(config, &entry.actor.account, role)
        {
            let _ = writeln!(
                out,
                "{}: entry seq {} ({} by {}) is not counted: {}",
                setup.path.display(),
                entry.seq,
                decision.label(),
                crate::ledger::clean::printable(&entry.actor.account, false),
                crate::ledger::clean::printable(&refusal.to_string(), false)
            );
            code = exit::NOT_COUNTED;
        }
    }
    code
}

/// `ledger head`: the head hash of the verified ledger (refused when it does not verify).
pub fn head_to(setup: &Setup, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let checked = match setup.read() {
        Ok(checked) => checked,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    let locate = |issue: &verify::Issue| checked.report.locate(issue);
    print_head(
        &checked,
        &setup.path.display().to_string(),
        &locate,
        out,
        err,
    )
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

/// `ledger verify` of a plain file (no signatures, no witness).
pub fn verify_to(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    verify_setup_to(&Setup::plain(path), None, out, err)
}

/// `ledger verify [--head HASH]`: every entry, signature and link; what this account saw before;
/// and, with `head`, that the history up to that head is unchanged.
pub fn verify_setup_to(
    setup: &Setup,
    head: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let path = setup.path();
    let checked = match setup.read() {
        Ok(checked) => checked,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    let report = &checked.report;
    for warning in report.warnings() {
        let _ = writeln!(err, "warning: {}", report.locate(warning));
    }
    if let Some(first) = report.first_error() {
        let _ = writeln!(out, "{}", report.locate(first));
        let more = report
            .issues
            .iter()
            .filter(|i| i.severity == verify::Severity::Error)
            .count()
            - 1;
        if more > 0 {
            let _ = writeln!(out, "({more} more problem(s) after it)");
        }
        return exit::LEDGER_BROKEN;
    }
    if let Some(code) = check_anchor(&checked, &path.display().to_string(), head, out) {
        return code;
    }
    let torn_tail = report
        .warnings()
        .any(|w| w.kind == verify::IssueKind::Torn && w.line == report.lines);
    let signed = if setup.signers.is_some() {
        ", every signature valid"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}: {} entries, chain intact{signed}{}",
        path.display(),
        report.entries,
        if torn_tail { ", last line torn" } else { "" }
    );
    if torn_tail {
        exit::LEDGER_TORN_TAIL
    } else {
        exit::OK
    }
}

/// `ledger export`: the record of the verified ledger; refused (exit 1) when it does not verify.
pub fn export_to(
    args: &ExportArgs,
    profile: &Profile,
    setup: &Setup,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(code) = super::ledger_output::unknown_env(args, profile, err) {
        return code;
    }
    let checked = match setup.read() {
        Ok(checked) => checked,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    if let Some(first) = checked.report.first_error() {
        let _ = writeln!(
            err,
            "error: the ledger does not verify: {}; nothing exported, since a record must be \
             verifiable (run `flightdeck ledger verify`)",
            checked.report.locate(first)
        );
        return exit::LEDGER_BROKEN;
    }
    let entries = checked.entries;
    let head = checked.chain.last().cloned();
    write_export(args, profile, &entries, head.as_ref(), out, err)
}
