//! What `ledger verify`, `ledger head` and `ledger export` print, whichever store the ledger is in
//! (a file or PostgreSQL): the export's arguments, the head, the anchor check, the record.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::exit;
use super::ledger_export as export;
use crate::config::Profile;
use crate::ledger::{Entry, GENESIS, verify};

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

/// The head of `checked` (a ledger at `origin`), or why it has none to vouch for.
pub(crate) fn print_head(
    checked: &crate::ledger::Checked,
    origin: &str,
    locate: &dyn Fn(&verify::Issue) -> String,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(issue) = checked.report.first_error() {
        let _ = writeln!(
            err,
            "error: the ledger does not verify, so it has no head to vouch for: {}",
            locate(issue)
        );
        return exit::LEDGER_BROKEN;
    }
    match checked.head() {
        Some(head) => {
            let _ = writeln!(out, "{}", head.line_hash);
            let _ = writeln!(err, "seq {} of {origin}", head.seq);
        }
        None => {
            let _ = writeln!(out, "{GENESIS}");
            let _ = writeln!(err, "{origin}: no entries yet");
        }
    }
    exit::OK
}

/// `verify --head HASH`: `Some(exit code)` when the anchor is not in the verified history.
pub(crate) fn check_anchor(
    checked: &crate::ledger::Checked,
    origin: &str,
    head: Option<&str>,
    out: &mut dyn Write,
) -> Option<i32> {
    let anchor = head.map(str::trim)?;
    match checked.chain.iter().find(|l| l.line_hash == anchor) {
        Some(link) => {
            let _ = writeln!(
                out,
                "{origin}: the history up to seq {} (head {anchor}) is unchanged",
                link.seq
            );
            None
        }
        None if anchor == GENESIS => None,
        None => {
            let _ = writeln!(
                out,
                "{origin}: head {anchor} is not in the verified history: the entries up to it were \
                 changed or removed (or it is the head of another ledger)"
            );
            Some(exit::LEDGER_BROKEN)
        }
    }
}

/// The export of `entries` (already read and checked; `head` the last verified link) to `out`.
pub(crate) fn write_export(
    args: &ExportArgs,
    profile: &Profile,
    entries: &[Entry],
    head: Option<&crate::ledger::chain::Link>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let records = export::records(
        &profile.signoff,
        entries,
        args.env.as_deref(),
        args.release.as_deref(),
    );
    let commands = export::commands(entries, args.env.as_deref(), args.release.as_deref());
    let text = match args.format {
        ExportFormat::Md => export::to_markdown(&profile.service.name, &records, &commands, head),
        ExportFormat::Json => {
            let value = export::to_json(&profile.service.name, &records, &commands, head);
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

/// `--env` naming no environment of the profile: the error, and the exit code to end with.
pub fn unknown_env(args: &ExportArgs, profile: &Profile, err: &mut dyn Write) -> Option<i32> {
    let env = args.env.as_ref()?;
    if profile.environment(env).is_some() {
        return None;
    }
    let _ = writeln!(
        err,
        "error: no environment named \"{env}\" in profile {}",
        profile.source.display()
    );
    Some(exit::USAGE)
}
