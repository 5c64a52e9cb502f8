//! `ledger verify` and `ledger export` against a PostgreSQL ledger: same output and exit codes as
//! for a file, with rows named by their seq.

use std::io::Write;

use super::{PgLedger, PgTarget, run_blocking};
use crate::config::Profile;
use crate::ledger::cli::{ExportArgs, exit, write_export};
use crate::ledger::verify::Severity;

pub fn verify_to(target: &PgTarget, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let checked = run_blocking(async { PgLedger::open(target.clone()).await?.verify().await });
    let checked = match checked {
        Ok(checked) => checked,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    let report = &checked.report;
    for warning in report.warnings() {
        let _ = writeln!(err, "warning: {}", checked.locate(warning));
    }
    if let Some(first) = report.first_error() {
        let _ = writeln!(out, "{}", checked.locate(first));
        let more = report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count()
            - 1;
        if more > 0 {
            let _ = writeln!(out, "({more} more problem(s) after it)");
        }
        return exit::LEDGER_BROKEN;
    }
    let _ = writeln!(out, "{target}: {} entries, chain intact", report.entries);
    exit::OK
}

pub fn export_to(
    args: &ExportArgs,
    profile: &Profile,
    target: &PgTarget,
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
    let read = run_blocking(async {
        let ledger = PgLedger::open(target.clone()).await?;
        let checked = ledger.verify().await?;
        let rows = ledger.lines_since(0).await?;
        Ok((checked, rows))
    });
    let (checked, rows) = match read {
        Ok(read) => read,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    if let Some(first) = checked.report.first_error() {
        let _ = writeln!(
            err,
            "warning: the ledger does not verify: {}",
            checked.locate(first)
        );
    }
    // Only the verified prefix counts, as for a file.
    let verified = checked
        .report
        .first_error()
        .map_or(rows.len(), |issue| issue.line.saturating_sub(1));
    let rows = &rows[..verified.min(rows.len())];
    let head = rows.last().and_then(|(seq, line)| {
        Some(crate::ledger::chain::Link {
            seq: u64::try_from(*seq).ok()?,
            line_hash: crate::ledger::entry::sha256_hex(line.as_bytes()),
        })
    });
    let entries = super::parse_lines(rows);
    write_export(args, profile, &entries, head.as_ref(), out, err)
}
