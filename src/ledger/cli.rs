//! Headless commands over the ledger: `ledger verify`, `ledger export`, `signoff`.
//! `src/cli.rs` embeds these clap types; each entry point returns the process exit code ([`exit`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use super::store::{self, LedgerLocation};
use super::{Actor, Decision, Entry, Payload, export, identity, verify};
use crate::config::{Paths, Profile};
use crate::policy::{SignoffAttempt, authorize_signoff};

/// Exit codes of the ledger commands.
pub mod exit {
    pub const OK: i32 = 0;
    /// `ledger verify`: an entry was edited, deleted, reordered, or garbage was inserted.
    pub const LEDGER_BROKEN: i32 = 1;
    /// Bad arguments (unknown environment); clap uses the same code for its own usage errors.
    pub const USAGE: i32 = 2;
    /// Policy refused: not allowed to sign that role, read-only mode, NO-GO without a comment.
    pub const REFUSED: i32 = 3;
    /// The ledger file could not be read or written.
    pub const IO: i32 = 4;
    /// `ledger verify`: the chain is intact but the last line is torn: a crash during an append,
    /// or the last entry was truncated. The next append terminates the fragment.
    pub const LEDGER_TORN_TAIL: i32 = 5;
}

/// Release name used when none is given and no release is current.
pub const NO_RELEASE: &str = "unreleased";

#[derive(Debug, Clone, Subcommand)]
pub enum LedgerCommand {
    /// Check every entry's hash and the chain; names the first bad entry as LEDGER:LINE.
    Verify(VerifyArgs),
    /// Print the sign-off record (grid, decision, signers, comments) as Markdown or JSON.
    Export(ExportArgs),
    /// Copy a ledger file into an empty PostgreSQL ledger, then verify the copy.
    Migrate(super::migrate::MigrateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Ledger file or postgres:// URL (default: the profile's ledger).
    #[arg(long, value_name = "PATH|URL")]
    pub ledger: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Md,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
    pub format: ExportFormat,
    /// Only this target environment (default: every environment with sign-offs).
    #[arg(long)]
    pub env: Option<String>,
    /// Only this release (default: every release with sign-offs).
    #[arg(long)]
    pub release: Option<String>,
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
    let default_address = store::ledger_address(profile, paths);
    let locate = |address: Option<PathBuf>, err: &mut dyn Write| {
        let address = address.unwrap_or_else(|| default_address.clone());
        LedgerLocation::from_address(&address, profile.ledger.password_command.clone()).map_err(
            |e| {
                let _ = writeln!(err, "error: {e}");
                exit::USAGE
            },
        )
    };
    match cmd {
        LedgerCommand::Verify(args) => match locate(args.ledger, &mut err) {
            Ok(LedgerLocation::File(path)) => verify_to(&path, &mut out, &mut err),
            Ok(LedgerLocation::Postgres(target)) => {
                super::postgres::cli::verify_to(&target, &mut out, &mut err)
            }
            Err(code) => code,
        },
        LedgerCommand::Export(args) => match locate(args.ledger.clone(), &mut err) {
            Ok(LedgerLocation::File(path)) => export_to(&args, profile, &path, &mut out, &mut err),
            Ok(LedgerLocation::Postgres(target)) => {
                super::postgres::cli::export_to(&args, profile, &target, &mut out, &mut err)
            }
            Err(code) => code,
        },
        LedgerCommand::Migrate(args) => {
            super::migrate::run(&args, profile, paths, &mut out, &mut err)
        }
    }
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
    let location =
        LedgerLocation::from_address(context.ledger_path, profile.ledger.password_command.clone());
    match location.and_then(|l| store::append_blocking(&l, context.actor, payload)) {
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

pub fn verify_to(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let report = match verify::verify(path) {
        Ok(report) => report,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
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
    let torn_tail = report
        .warnings()
        .any(|w| w.kind == verify::IssueKind::Torn && w.line == report.lines);
    let _ = writeln!(
        out,
        "{}: {} entries, chain intact{}",
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

pub fn export_to(
    args: &ExportArgs,
    profile: &Profile,
    path: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(env) = &args.env
        && profile.environment(env).is_none()
    {
        let _ = writeln!(
            err,
            "error: no environment named \"{env}\" in profile {}",
            profile.source.display()
        );
        return exit::USAGE;
    }
    // A follower reads without creating the file: exporting never writes.
    let entries = match super::Follower::new(path).poll() {
        Ok(entries) => entries,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    if let Ok(report) = verify::verify(path)
        && let Some(first) = report.first_error()
    {
        let _ = writeln!(
            err,
            "warning: the ledger does not verify: {}",
            report.locate(first)
        );
    }
    write_export(args, profile, &entries, out, err)
}

/// The export of `entries` (already read and checked) to `out`.
pub(crate) fn write_export(
    args: &ExportArgs,
    profile: &Profile,
    entries: &[Entry],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let records = export::records(
        &profile.signoff,
        entries,
        args.env.as_deref(),
        args.release.as_deref(),
    );
    let text = match args.format {
        ExportFormat::Md => export::to_markdown(&profile.service.name, &records),
        ExportFormat::Json => {
            let value = export::to_json(&profile.service.name, &records);
            serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string()) + "\n"
        }
    };
    match out.write_all(text.as_bytes()) {
        Ok(()) => exit::OK,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write the export: {e}");
            exit::IO
        }
    }
}
