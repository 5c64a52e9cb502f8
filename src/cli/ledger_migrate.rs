//! `flightdeck ledger migrate --to postgres://…`: moves a file ledger into PostgreSQL.
//!
//! The source must verify (a torn last fragment is left behind: it was never an entry). Every
//! entry line is copied byte for byte, so hashes and the chain are unchanged, in one transaction
//! into an empty database ledger. The copy is then verified on its own and compared with the
//! source: same number of entries and the same head (hash of the last line).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::config::{Paths, Profile};
use crate::ledger::entry::{ChainFields, sha256_hex};
use crate::ledger::postgres::{PgLedger, PgTarget, run_blocking};
use crate::ledger::verify;

#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The PostgreSQL ledger to copy into (must be empty), e.g. postgres://fd@db/flightdeck.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Ledger file to copy (default: the profile's ledger file).
    #[arg(long, value_name = "PATH")]
    pub ledger: Option<PathBuf>,
}

pub fn run(
    args: &MigrateArgs,
    profile: &Profile,
    paths: &Paths,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let source = args
        .ledger
        .clone()
        .unwrap_or_else(|| profile.ledger_path(paths));
    let target = match PgTarget::parse(&args.to, profile.ledger.password_command.clone()) {
        Ok(target) => target,
        Err(e) => {
            let _ = writeln!(err, "error: --to: {e}");
            return exit::USAGE;
        }
    };
    let bytes = match std::fs::read(&source) {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {}: cannot read the ledger: {e}",
                source.display()
            );
            return exit::IO;
        }
    };
    let report = verify::verify_bytes(&source, &bytes);
    if let Some(first) = report.first_error() {
        let _ = writeln!(
            err,
            "error: not migrated: the source does not verify: {}",
            report.locate(first)
        );
        return exit::LEDGER_BROKEN;
    }
    let lines = entry_lines(&bytes);
    let head = lines.last().map(|(_, line)| sha256_hex(line.as_bytes()));
    let copied = run_blocking(async {
        let ledger = PgLedger::open(target.clone()).await?;
        ledger.import_lines(&lines).await?;
        let rows = ledger.lines_since(0).await?;
        let checked = ledger.verify().await?;
        Ok((rows, checked))
    });
    let (rows, checked) = match copied {
        Ok(copied) => copied,
        Err(e) => {
            let _ = writeln!(err, "error: not migrated: {e}");
            return exit::IO;
        }
    };
    if let Some(first) = checked.report.first_error() {
        let _ = writeln!(
            err,
            "error: the copy does not verify: {}",
            checked.locate(first)
        );
        return exit::LEDGER_BROKEN;
    }
    let copy_head = rows.last().map(|(_, line)| sha256_hex(line.as_bytes()));
    if rows.len() != lines.len() || copy_head != head {
        let _ = writeln!(
            err,
            "error: the copy differs from {}: {} of {} entries, head {} vs {}",
            source.display(),
            rows.len(),
            lines.len(),
            copy_head.as_deref().unwrap_or("none"),
            head.as_deref().unwrap_or("none")
        );
        return exit::LEDGER_BROKEN;
    }
    let _ = writeln!(
        out,
        "migrated {} entries from {} to {target}; the copy verifies, head {}",
        lines.len(),
        source.display(),
        head.as_deref().unwrap_or("(empty)")
    );
    exit::OK
}

/// `(seq, exact line)` of every complete line that is an entry (torn fragments are skipped).
fn entry_lines(bytes: &[u8]) -> Vec<(u64, String)> {
    let complete = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) => &bytes[..end],
        None => &[][..],
    };
    complete
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let fields: ChainFields = serde_json::from_slice(line).ok()?;
            let text = std::str::from_utf8(line).ok()?;
            Some((fields.seq, text.to_string()))
        })
        .collect()
}
