//! A lane in depth, as plain data: the revisions the cloud reports merged with what the ledger
//! says flightdeck did in that environment (who promoted, triggered or rolled back what, and how
//! it ended), newest first. What differs from the next lane is in [`super::lane_detail_diff`],
//! the links in [`super::lane_detail_links`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::lane::{RevisionInfo, ServiceState};
use crate::ledger::clean::printable;
use crate::ledger::{Entry, Payload};

/// One row of a lane's history.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryItem {
    /// A revision the cloud reports, with the command of this cockpit that created it, if any
    /// (`None`: not deployed by flightdeck).
    Revision {
        revision: RevisionInfo,
        /// Its share of traffic now, when it serves.
        serving: Option<u8>,
        deployed_by: Option<Deed>,
    },
    /// Something recorded in the ledger that created no revision listed here: a rollback, a
    /// command refused or failed or still running, a pause or an abort of a canary.
    Deed(Deed),
}

impl HistoryItem {
    /// When it happened: a revision's creation (or its command's time when the cloud gave none).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            HistoryItem::Revision {
                revision,
                deployed_by,
                ..
            } => revision.created.or(deployed_by.as_ref().map(|d| d.at)),
            HistoryItem::Deed(deed) => Some(deed.at),
        }
    }
}

/// What someone did through flightdeck, from the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Deed {
    pub at: DateTime<Utc>,
    /// `account@host`.
    pub who: String,
    /// `promote`, `trigger`, `rollback`, `pause`, `abort` …
    pub action: String,
    pub release: String,
    /// `from → to` revisions, when known.
    pub from_revision: Option<String>,
    pub to_revision: Option<String>,
    /// How it ended (`done`, `refused`, `aborted`, `failed` …), or where it is (`in progress:
    /// step`); `None` for a control (pause, abort) whose effect shows in the rollout itself.
    pub outcome: Option<String>,
    pub ok: Option<bool>,
    /// Why it was aborted or rolled back automatically, or the gates overridden.
    pub note: Option<String>,
}

/// The history of `env`: the cloud's revisions of `service` (if fetched) and the ledger's
/// commands about `env`, newest first. Undated rows go last.
pub fn history(entries: &[Entry], env: &str, service: Option<&ServiceState>) -> Vec<HistoryItem> {
    let deeds = deeds(entries, env);
    let revisions: &[RevisionInfo] = service.map_or(&[], |s| s.revisions.as_slice());
    let mut attached = vec![false; deeds.len()];
    let mut items: Vec<HistoryItem> = revisions
        .iter()
        .map(|revision| {
            // The newest command that created this revision (a retry may name it twice). A
            // rollback names an older revision (Cloud Run), unless it created one (a Cloud
            // Deploy rollback is a new rollout).
            let creator = deeds.iter().enumerate().rev().find(|(_, d)| {
                (d.action != "rollback" || revision.created.is_some_and(|c| c >= d.at))
                    && d.to_revision
                        .as_deref()
                        .is_some_and(|to| same_revision(to, revision))
            });
            if let Some((index, _)) = creator {
                attached[index] = true;
            }
            let serving = service
                .and_then(|s| {
                    s.traffic
                        .iter()
                        .find(|t| same_revision(&t.revision, revision))
                })
                .map(|t| t.percent);
            HistoryItem::Revision {
                revision: revision.clone(),
                serving,
                deployed_by: creator.map(|(_, d)| d.clone()),
            }
        })
        .collect();
    items.extend(
        deeds
            .into_iter()
            .zip(attached)
            .filter(|(_, attached)| !attached)
            .map(|(deed, _)| HistoryItem::Deed(deed)),
    );
    // Newest first; a stable sort keeps the cloud's order (newest first) among equal times.
    items.sort_by_key(|item| std::cmp::Reverse(item.at()));
    items
}

/// Whether `name` (full, short or bare) names `revision`.
fn same_revision(name: &str, revision: &RevisionInfo) -> bool {
    let bare = name.rsplit('/').next().unwrap_or(name);
    bare == revision.name || bare == revision.short
}

/// Every command and canary control about `env`, in ledger order, with its outcome folded in.
/// Text from entries is made printable (anyone who can write the ledger chose it).
pub fn deeds(entries: &[Entry], env: &str) -> Vec<Deed> {
    let mut folds: Vec<Deed> = Vec::new();
    let mut by_request: HashMap<String, usize> = HashMap::new();
    let mut overrides: HashMap<String, Vec<String>> = HashMap::new();
    for entry in entries {
        match &entry.payload {
            Payload::Command {
                request_id,
                action,
                env: e,
                release,
                detail,
            } if e == env => {
                by_request.insert(request_id.clone(), folds.len());
                folds.push(Deed {
                    at: entry.time,
                    who: who(entry),
                    action: printable(action, false),
                    release: printable(release, false),
                    from_revision: text(detail, "from_revision"),
                    to_revision: text(detail, "to_revision"),
                    outcome: None,
                    ok: None,
                    note: overrides
                        .remove(request_id)
                        .map(|gates| format!("overrode {}", gates.join(", "))),
                });
            }
            Payload::CommandOutcome {
                request_id,
                ok,
                detail,
            } => {
                if let Some(deed) = by_request.get(request_id).and_then(|i| folds.get_mut(*i)) {
                    deed.ok = Some(*ok);
                    deed.outcome = text(detail, "status").or(Some(ok_word(*ok).into()));
                    deed.to_revision = text(detail, "to_revision").or(deed.to_revision.take());
                    deed.from_revision =
                        text(detail, "from_revision").or(deed.from_revision.take());
                    if !ok {
                        deed.note = text(detail, "message").or(deed.note.take());
                    }
                }
            }
            Payload::Rollout {
                request_id,
                event,
                state,
                ..
            } => {
                if let Some(deed) = by_request.get(request_id).and_then(|i| folds.get_mut(*i)) {
                    deed.to_revision = text(state, "to_revision").or(deed.to_revision.take());
                    if deed.ok.is_none() && event != "heartbeat" {
                        deed.outcome = Some(format!("in progress: {}", printable(event, false)));
                    }
                    if let Some(reason) = state.pointer("/phase/reason").and_then(Value::as_str) {
                        deed.note = Some(printable(reason, false));
                    }
                }
            }
            Payload::Override {
                request_id, gate, ..
            } => {
                // Overrides are written just before their command, in the same append.
                overrides
                    .entry(request_id.clone())
                    .or_default()
                    .push(printable(gate, false));
            }
            Payload::RolloutControl {
                request_id,
                env: e,
                control,
                reason,
            } if e == env => {
                let release = by_request
                    .get(request_id)
                    .and_then(|i| folds.get(*i))
                    .map(|d| d.release.clone())
                    .unwrap_or_default();
                folds.push(Deed {
                    at: entry.time,
                    who: who(entry),
                    action: printable(control, false),
                    release,
                    from_revision: None,
                    to_revision: None,
                    outcome: None,
                    ok: None,
                    note: reason.as_deref().map(|r| printable(r, false)),
                });
            }
            _ => {}
        }
    }
    folds
}

/// `account@host` of an entry's author.
fn who(entry: &Entry) -> String {
    let who = format!("{}@{}", entry.actor.account, entry.actor.host);
    printable(&who, false)
}

/// A non-empty string field of a JSON object.
fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(|s| printable(s, false))
        .filter(|s| !s.is_empty())
}

fn ok_word(ok: bool) -> &'static str {
    if ok { "done" } else { "failed" }
}
