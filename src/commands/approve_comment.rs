//! The review comment a platform's gate gets from flightdeck: who signed which item GO (or NO-GO)
//! for the environment and release, the grid's decision, and the ledger head it stands on (the
//! hash `flightdeck ledger head` prints), then the reviewer's own words.

use std::collections::BTreeMap;

use super::context::Context;
use crate::ledger::Decision;
use crate::model::signoff::SignoffGrid;
use crate::policy::decide;

/// The composed comment for (env, release), with `extra` (the user's comment) at the end.
/// Only the verified prefix of the ledger counts, as for the gates.
pub fn compose(ctx: &Context, env: &str, release: &str, extra: Option<&str>) -> String {
    let store = ctx.ledger().ok();
    let entries = store
        .as_ref()
        .and_then(|l| l.read_blocking().ok())
        .unwrap_or_default();
    let head = store
        .as_ref()
        .and_then(|l| l.head_blocking().ok())
        .flatten()
        .map(|h| h.line_hash);
    let grid = SignoffGrid::from_entries(&ctx.profile.signoff, env, release, &entries);
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
        text.push_str(&format!(" {}: {extra}", ctx.actor.account));
    }
    text
}
