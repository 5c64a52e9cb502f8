//! Sign-off records a release manager can paste: per environment and release, the grid, the
//! decision with its reason, and every sign-off and comment with signer, host and time.

use serde_json::{Value, json};

use super::{Entry, Payload};
use crate::model::signoff::SignoffGrid;
use crate::policy::{SignoffConfig, SignoffVerdict, decide};

/// The sign-off state of one (environment, release) and the entries it was folded from.
#[derive(Debug, Clone)]
pub struct SignoffRecord {
    pub grid: SignoffGrid,
    pub verdict: SignoffVerdict,
    /// Sign-off and comment entries of this environment and release, in ledger order.
    pub entries: Vec<Entry>,
}

fn signoff_target(entry: &Entry) -> Option<(&str, &str)> {
    match &entry.payload {
        Payload::Signoff { env, release, .. } | Payload::Comment { env, release, .. } => {
            Some((env.as_str(), release.as_str()))
        }
        _ => None,
    }
}

/// One record per (environment, release) that has sign-off entries, in order of first appearance,
/// filtered by `env` / `release`. With both given, a record is returned even if nobody signed.
pub fn records(
    config: &SignoffConfig,
    entries: &[Entry],
    env: Option<&str>,
    release: Option<&str>,
) -> Vec<SignoffRecord> {
    let mut targets: Vec<(String, String)> = Vec::new();
    for (e, r) in entries.iter().filter_map(signoff_target) {
        let wanted = env.is_none_or(|x| x == e) && release.is_none_or(|x| x == r);
        if wanted && !targets.iter().any(|(te, tr)| te == e && tr == r) {
            targets.push((e.into(), r.into()));
        }
    }
    if let (Some(e), Some(r), true) = (env, release, targets.is_empty()) {
        targets.push((e.into(), r.into()));
    }
    targets
        .into_iter()
        .map(|(e, r)| {
            let mine: Vec<Entry> = entries
                .iter()
                .filter(|x| signoff_target(x) == Some((e.as_str(), r.as_str())))
                .cloned()
                .collect();
            let grid = SignoffGrid::from_entries(config, &e, &r, &mine);
            let verdict = decide(&grid);
            SignoffRecord {
                grid,
                verdict,
                entries: mine,
            }
        })
        .collect()
}

fn cell_text(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

pub fn to_markdown(service: &str, records: &[SignoffRecord]) -> String {
    let mut out = String::new();
    if records.is_empty() {
        out.push_str(&format!(
            "# Sign-off: {service}\n\nNo sign-offs recorded.\n"
        ));
        return out;
    }
    for record in records {
        let grid = &record.grid;
        let verdict = if record.verdict.go { "GO" } else { "NO-GO" };
        out.push_str(&format!(
            "## Sign-off: {service} → {}, release {}\n\n**Decision: {verdict}** ({})\n\n",
            grid.env,
            grid.release,
            cell_text(&record.verdict.reason)
        ));
        out.push_str("| Item |");
        for role in &grid.roles {
            let optional = if role.required { "" } else { " (optional)" };
            out.push_str(&format!(" {}{optional} |", cell_text(&role.name)));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(grid.roles.len()));
        out.push('\n');
        for (row, item) in grid.items.iter().enumerate() {
            out.push_str(&format!("| {} |", cell_text(item)));
            for col in 0..grid.cols() {
                let text = match grid.cell(row, col).and_then(|c| c.signature.as_ref()) {
                    Some(sig) => format!("{} {}", sig.decision.label(), cell_text(&sig.account)),
                    None => "open".into(),
                };
                out.push_str(&format!(" {text} |"));
            }
            out.push('\n');
        }
        out.push_str("\n### Record\n\n| Seq | Time (UTC) | Account | Host | Role | Item | Entry | Comment |\n");
        out.push_str("|---:|---|---|---|---|---|---|---|\n");
        for entry in &record.entries {
            let (role, item, what, comment) = match &entry.payload {
                Payload::Signoff {
                    role,
                    item,
                    decision,
                    comment,
                    ..
                } => (
                    role,
                    item,
                    decision.label(),
                    comment.as_deref().unwrap_or(""),
                ),
                Payload::Comment {
                    role, item, text, ..
                } => (role, item, "comment", text.as_str()),
                _ => continue,
            };
            let host = match &entry.actor.ssh_origin {
                Some(origin) => format!("{} (ssh from {origin})", entry.actor.host),
                None => entry.actor.host.clone(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {what} | {} |\n",
                entry.seq,
                entry.time.format("%Y-%m-%d %H:%M:%S"),
                cell_text(&entry.actor.account),
                cell_text(&host),
                cell_text(role),
                cell_text(item),
                cell_text(comment)
            ));
        }
        out.push('\n');
    }
    out
}

pub fn to_json(service: &str, records: &[SignoffRecord]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|record| {
            let grid = &record.grid;
            let cells: Vec<Value> = grid
                .iter()
                .map(|(item, role, cell)| {
                    let sig = cell.signature.as_ref();
                    json!({
                        "item": item,
                        "role": role.name,
                        "required": role.required,
                        "state": match cell.decision() {
                            Some(crate::ledger::Decision::Go) => "go",
                            Some(crate::ledger::Decision::NoGo) => "no_go",
                            None => "open",
                        },
                        "account": sig.map(|s| s.account.clone()),
                        "time": sig.map(|s| s.time.to_rfc3339()),
                        "comment": sig.and_then(|s| s.comment.clone()),
                        "seq": sig.map(|s| s.seq),
                        "comments": cell.comments.iter().map(|c| json!({
                            "account": c.account, "time": c.time.to_rfc3339(), "text": c.text, "seq": c.seq,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "env": grid.env,
                "release": grid.release,
                "decision": if record.verdict.go { "GO" } else { "NO-GO" },
                "reason": record.verdict.reason,
                "missing": record.verdict.missing.iter().map(|m| json!({"role": m.role, "items": m.items})).collect::<Vec<_>>(),
                "objections": record.verdict.objections.iter().map(|o| json!({
                    "role": o.role, "item": o.item, "account": o.account, "comment": o.comment,
                })).collect::<Vec<_>>(),
                "cells": cells,
                "entries": record.entries,
            })
        })
        .collect();
    json!({ "service": service, "records": records })
}
