//! Sign-off records a release manager can paste: per environment and release, the grid, the
//! decision with its reason, and every sign-off and comment with signer, host and time; then the
//! commands (with their overrides and outcomes), and the ledger head it was all read at. Built
//! from the verified prefix only; every text from the ledger is made printable first.

use serde_json::{Value, json};

use crate::ledger::chain::Link;
use crate::ledger::clean::printable;
use crate::ledger::{Entry, Payload};
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

/// A command from the ledger with the overrides recorded for it and its outcome (if any yet).
#[derive(Debug, Clone)]
pub struct CommandRecord {
    pub command: Entry,
    pub overrides: Vec<Entry>,
    pub outcome: Option<Entry>,
}

/// Commands (trigger, promote, rollback …) of `env` / `release`, in ledger order.
pub fn commands(entries: &[Entry], env: Option<&str>, release: Option<&str>) -> Vec<CommandRecord> {
    entries
        .iter()
        .filter_map(|entry| match &entry.payload {
            Payload::Command {
                request_id,
                env: e,
                release: r,
                ..
            } if env.is_none_or(|x| x == e) && release.is_none_or(|x| x == r) => {
                let related: Vec<&Entry> = entries
                    .iter()
                    .filter(|e| for_request(e, request_id))
                    .collect();
                Some(CommandRecord {
                    command: entry.clone(),
                    overrides: related
                        .iter()
                        .filter(|e| matches!(e.payload, Payload::Override { .. }))
                        .map(|e| (*e).clone())
                        .collect(),
                    outcome: related
                        .iter()
                        .rfind(|e| matches!(e.payload, Payload::CommandOutcome { .. }))
                        .map(|e| (*e).clone()),
                })
            }
            _ => None,
        })
        .collect()
}

fn for_request(entry: &Entry, id: &str) -> bool {
    match &entry.payload {
        Payload::Override { request_id, .. } | Payload::CommandOutcome { request_id, .. } => {
            request_id == id
        }
        _ => false,
    }
}

fn cell_text(text: &str) -> String {
    printable(text, false).replace('|', "\\|")
}

fn head_line(head: Option<&Link>) -> String {
    match head {
        Some(head) => format!(
            "Ledger head: `{}` (seq {}); check it with `flightdeck ledger verify --head {}`\n\n",
            head.line_hash, head.seq, head.line_hash
        ),
        None => "Ledger head: none (the ledger is empty)\n\n".into(),
    }
}

pub fn to_markdown(
    service: &str,
    records: &[SignoffRecord],
    commands: &[CommandRecord],
    head: Option<&Link>,
) -> String {
    let mut out = head_line(head);
    if records.is_empty() {
        out.push_str(&format!(
            "# Sign-off: {service}\n\nNo sign-offs recorded.\n\n"
        ));
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
                let cell = grid.cell(row, col);
                let mut text = match cell.and_then(|c| c.signature.as_ref()) {
                    Some(sig) => format!("{} {}", sig.decision.label(), cell_text(&sig.account)),
                    None => "open".into(),
                };
                for n in cell.map(|c| c.not_counted.as_slice()).unwrap_or_default() {
                    text.push_str(&format!(
                        " (not counted: {} {})",
                        n.decision.label(),
                        cell_text(&n.why)
                    ));
                }
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
    commands_markdown(&mut out, commands);
    out
}

fn commands_markdown(out: &mut String, commands: &[CommandRecord]) {
    if commands.is_empty() {
        return;
    }
    out.push_str("## Commands\n\n| Seq | Time (UTC) | Account | Action | Env | Release | Overrides | Outcome | Decided on head |\n");
    out.push_str("|---:|---|---|---|---|---|---|---|---|\n");
    for record in commands {
        let entry = &record.command;
        let Payload::Command {
            action,
            env,
            release,
            detail,
            ..
        } = &entry.payload
        else {
            continue;
        };
        let overrides: Vec<String> = record
            .overrides
            .iter()
            .filter_map(|o| match &o.payload {
                Payload::Override { gate, reason, .. } => Some(format!("{gate}: {reason}")),
                _ => None,
            })
            .collect();
        let outcome = match record.outcome.as_ref().map(|o| &o.payload) {
            Some(Payload::CommandOutcome { ok, detail, .. }) => {
                let status = detail["status"].as_str().unwrap_or_default();
                let message = detail["message"].as_str().unwrap_or_default();
                format!("{} {status} {message}", if *ok { "ok" } else { "FAILED" })
            }
            _ => "no outcome recorded".into(),
        };
        let head = match (
            detail["ledger_head"]["seq"].as_u64(),
            detail["ledger_head"]["hash"].as_str(),
        ) {
            (Some(seq), Some(hash)) => format!("seq {seq} `{}`", cell_text(hash)),
            _ => "not recorded".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {head} |\n",
            entry.seq,
            entry.time.format("%Y-%m-%d %H:%M:%S"),
            cell_text(&entry.actor.account),
            cell_text(action),
            cell_text(env),
            cell_text(release),
            cell_text(&overrides.join("; ")),
            cell_text(outcome.trim())
        ));
    }
    out.push('\n');
}

pub fn to_json(
    service: &str,
    records: &[SignoffRecord],
    commands: &[CommandRecord],
    head: Option<&Link>,
) -> Value {
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
    let commands: Vec<Value> = commands
        .iter()
        .map(|c| json!({"command": c.command, "overrides": c.overrides, "outcome": c.outcome}))
        .collect();
    json!({
        "service": service,
        "head": head.map(|h| json!({"seq": h.seq, "hash": h.line_hash})),
        "records": records,
        "commands": commands,
    })
}
