//! The review comment a platform's gate gets from flightdeck: who signed which item GO (or NO-GO)
//! for the environment and release, the grid's decision, and the ledger head it stands on (the
//! hash `flightdeck ledger head` prints), then the reviewer's own words.

use std::collections::BTreeMap;

use super::plan::{Halt, Known};
use crate::ledger::Decision;
use crate::model::command_read::{Read, ReadValue};
use crate::model::signoff::SignoffGrid;
use crate::policy::decide;

/// The composed comment for (env, release), with `extra` (the user's comment) at the end.
/// Only the verified prefix of the ledger counts, as for the gates; a ledger that could not be
/// read composes as empty.
pub fn compose(
    known: &Known<'_>,
    env: &str,
    release: &str,
    extra: Option<&str>,
) -> Result<String, Halt> {
    known.need(&[Read::Ledger, Read::LedgerHead])?;
    let entries = match known.answer(Read::Ledger)? {
        Ok(ReadValue::Ledger(ledger)) => ledger.entries.as_slice(),
        _ => &[],
    };
    let head = match known.answer(Read::LedgerHead)? {
        Ok(ReadValue::Head(head)) => head.clone(),
        _ => None,
    };
    let grid = SignoffGrid::from_entries(&known.profile().signoff, env, release, entries);
    let verdict = decide(&grid);
    let mut signers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (item, role, cell) in grid.iter() {
        if let Some(sig) = &cell.signature {
            let decision = match sig.decision {
                Decision::Go => "GO",
                Decision::NoGo => "NO-GO",
            };
            signers
                .entry(format!("{} ({})", role.name, sig.account))
                .or_default()
                .push(format!("{item} {decision}"));
        }
    }
    let signed: Vec<String> = signers
        .iter()
        .map(|(who, items)| format!("{who}: {}", items.join(", ")))
        .collect();
    let mut text = format!(
        "flightdeck sign-off for {env} / {release}: {} ({}). {}. Ledger head {}.",
        if verdict.go { "GO" } else { "NO-GO" },
        verdict.reason,
        if signed.is_empty() {
            "Nobody signed".to_string()
        } else {
            signed.join("; ")
        },
        head.as_deref().unwrap_or("(empty ledger)")
    );
    if let Some(extra) = extra.map(str::trim).filter(|e| !e.is_empty()) {
        text.push_str(&format!(" {}: {extra}", known.planning.account));
    }
    Ok(text)
}
