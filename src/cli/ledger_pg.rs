//! `ledger verify` and `ledger export` against a PostgreSQL ledger: same output and exit codes as
//! for a file, with rows named by their seq.

use std::io::Write;

use super::exit;
use super::ledger_output::{ExportArgs, check_anchor, print_head, write_export};
use crate::config::Profile;
use crate::ledger::postgres::{PgLedger, PgTarget, PgVerifyReport, run_blocking};
use crate::ledger::signing::AllowedSigners;
use crate::ledger::verify::Severity;

pub fn verify_to(target: &PgTarget, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    verify_ledger_to(PgLedger::new(target.clone()), None, out, err)
}

/// The database ledger with the profile's signing rules (signatures checked on read).
fn checking(profile: &Profile, target: &PgTarget) -> Result<PgLedger, String> {
    let ledger = PgLedger::new(target.clone());
    Ok(match profile.allowed_signers_path() {
        Some(file) => ledger.checking(AllowedSigners::load(&file)?),
        None => ledger,
    })
}

/// `ledger verify [--head HASH]` of a database ledger, signatures checked when signing is on.
pub fn verify_head_to(
    profile: &Profile,
    target: &PgTarget,
    head: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    match checking(profile, target) {
        Ok(ledger) => verify_ledger_to(ledger, head, out, err),
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            exit::USAGE
        }
    }
}

/// `ledger head` of a database ledger.
pub fn head_to(
    profile: &Profile,
    target: &PgTarget,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let read = checking(profile, target)
        .and_then(|ledger| run_blocking(async move { ledger.check().await }));
    match read {
        Ok((checked, row_seqs)) => {
            let report = PgVerifyReport {
                report: checked.report.clone(),
                row_seqs,
            };
            let locate = |issue: &crate::ledger::Issue| report.locate(issue);
            print_head(&checked, &target.to_string(), &locate, out, err)
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            exit::IO
        }
    }
}

fn verify_ledger_to(
    ledger: PgLedger,
    head: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let signed = ledger.is_checking();
    let target = ledger.target().clone();
    let checked = run_blocking(async move { ledger.check().await });
    let (checked, row_seqs) = match checked {
        Ok(checked) => checked,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::IO;
        }
    };
    let anchored = checked.clone();
    let checked = PgVerifyReport {
        report: checked.report,
        row_seqs,
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
    if let Some(code) = check_anchor(&anchored, &target.to_string(), head, out) {
        return code;
    }
    let signed = if signed {
        ", every signature valid"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{target}: {} entries, chain intact{signed}",
        report.entries
    );
    exit::OK
}

pub fn export_to(
    args: &ExportArgs,
    profile: &Profile,
    target: &PgTarget,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(code) = super::ledger_output::unknown_env(args, profile, err) {
        return code;
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
    let entries = crate::ledger::postgres::parse_lines(rows);
    write_export(args, profile, &entries, head.as_ref(), out, err)
}
