//! The sign-off grid: moving, signing (after the policy's authorization), comments, and the
//! ledger's entries folded in as they arrive from this and other cockpits.

use crate::ledger::follow::{Health, Reading};
use crate::ledger::{Decision, Entry, Payload};
use crate::model::signoff::{CursorMove, SignoffGrid};
use crate::model::{CommentPurpose, Level, Model, Overlay, Prompt};
use crate::msg::Cmd;
use crate::policy::{SignoffAttempt, authorize_signoff};

/// Rebuilds the grid when the lane it is about ([`Model::signoff_lane`]) or its candidate release
/// changed; keeps the cursor.
pub fn refresh_grid(model: &mut Model) {
    let Some(index) = model.signoff_lane() else {
        if model.signoffs.grid.take().is_some() {
            model.dirty = true;
        }
        return;
    };
    let Some(env) = model.lanes.get(index).map(|l| l.env.clone()) else {
        return;
    };
    let release = model.candidate_release(index);
    let current = model
        .signoffs
        .grid
        .as_ref()
        .map(|g| (g.env.clone(), g.release.clone()));
    let wanted = release.clone().map(|r| (env.clone(), r));
    if current == wanted {
        return;
    }
    rebuild_grid(model, env, release);
}

/// The grid of `env` and `release` folded again from the verified entries, keeping the cursor.
fn rebuild_grid(model: &mut Model, env: String, release: Option<String>) {
    let cursor = model.signoffs.grid.as_ref().map(|g| g.cursor);
    let broken = broken_text(model);
    model.signoffs.grid = release.map(|release| {
        let mut grid = SignoffGrid::from_entries(
            &model.signoffs.config,
            &env,
            &release,
            &model.signoffs.entries,
        );
        if let Some(cursor) = cursor {
            grid.cursor = cursor;
        }
        grid.broken = broken.clone();
        grid
    });
    model.dirty = true;
}

/// Enter on a cell: its history (every signature and comment) in an overlay.
pub fn open_history(model: &mut Model) {
    if let Some((item, role, _)) = model.signoffs.grid.as_ref().and_then(|g| g.selected()) {
        model.overlay = Overlay::CellHistory {
            item: item.to_string(),
            role: role.to_string(),
        };
    }
}

pub(super) fn broken_text(model: &Model) -> Option<String> {
    match &model.signoffs.health {
        Some(Health::Broken(b)) => Some(format!("{}:{}: {}", b.path.display(), b.line, b.message)),
        _ => None,
    }
}

/// The follower checked the ledger again: take its health, and its entries (all of them again
/// when history changed, so nothing after a break is kept).
pub fn reading(model: &mut Model, reading: Reading) {
    if model.signoffs.health.as_ref() != Some(&reading.health) {
        if let Health::Broken(b) = &reading.health {
            model.log(
                None,
                Level::Error,
                format!(
                    "ledger broken at {}:{}: {}",
                    b.path.display(),
                    b.line,
                    b.message
                ),
            );
        }
        model.dirty = true;
    }
    model.signoffs.health = Some(reading.health);
    if reading.reset {
        model.signoffs.entries.clear();
        model.signoffs.grid = None;
        // The entries that follow are history again, not news for the activity pane.
        model.signoffs.loaded = false;
        model.dirty = true;
    }
    let broken = broken_text(model);
    if let Some(grid) = model.signoffs.grid.as_mut()
        && grid.broken != broken
    {
        grid.broken = broken;
        model.dirty = true;
    }
    refresh_grid(model);
    entries(model, reading.entries);
}

pub fn move_cursor(model: &mut Model, movement: CursorMove) {
    if let Some(grid) = model.signoffs.grid.as_mut() {
        grid.move_cursor(movement);
    }
}

/// The ledger database went away (the grid is stale, signing refused) or came back.
pub fn reachability(model: &mut Model, unreachable: Option<String>) {
    if model.signoffs.unreachable == unreachable {
        return;
    }
    match &unreachable {
        Some(why) if model.signoffs.unreachable.is_none() => model.log(
            None,
            Level::Error,
            format!("ledger unreachable, sign-offs shown may be stale and nothing can be recorded: {why}"),
        ),
        Some(_) => {}
        None => model.log(None, Level::Good, "ledger reachable again".to_string()),
    }
    model.signoffs.unreachable = unreachable;
    model.dirty = true;
}

/// `g` / `n` / `c` on the selected cell. GO is recorded at once; NO-GO and comments open the editor.
pub fn act(model: &mut Model, decision: Option<Decision>, comment_only: bool) -> Vec<Cmd> {
    if let Some(why) = &model.signoffs.unreachable {
        let text =
            format!("not recorded: the ledger is unreachable ({why}); try again when it is back");
        model.notify(Level::Error, text);
        return Vec::new();
    }
    let Some(grid) = model.signoffs.grid.as_ref() else {
        model.notify(
            Level::Warn,
            "no release to sign yet: the lane before this one has no version",
        );
        return Vec::new();
    };
    let Some((item, role, cell)) = grid.selected() else {
        return Vec::new();
    };
    // Turning a NO-GO into GO says why, like the NO-GO did.
    let lifts_no_go = cell.decision() == Some(Decision::NoGo);
    let (item, role) = (item.to_string(), role.to_string());
    let Some(account) = model.signoffs.account.clone() else {
        model.notify(
            Level::Error,
            "cannot sign: this cockpit does not know its operating-system account",
        );
        return Vec::new();
    };
    if !comment_only {
        let attempt = SignoffAttempt {
            account: &account,
            role: &role,
            item: &item,
            decision: decision.unwrap_or(Decision::Go),
            // The editor asks for the reason next; authorize everything but its presence now.
            comment: Some("pending"),
        };
        if let Err(refusal) = authorize_signoff(&model.signoffs.config, &attempt, model.read_only) {
            model.notify(Level::Warn, refusal.to_string());
            return Vec::new();
        }
    } else if model.read_only {
        model.notify(Level::Warn, "read-only: comments are not recorded");
        return Vec::new();
    }
    match decision {
        Some(Decision::Go) if !comment_only && !lifts_no_go => {
            record(model, item, role, Decision::Go, None)
        }
        _ => {
            model.overlay = Overlay::Prompt(Prompt::Comment(CommentPurpose {
                item,
                role,
                decision,
            }));
            Vec::new()
        }
    }
}

/// The editor was submitted: a NO-GO with its reason, or a plain comment.
pub fn submitted(model: &mut Model, text: String) -> Vec<Cmd> {
    let Overlay::Prompt(Prompt::Comment(purpose)) =
        std::mem::replace(&mut model.overlay, Overlay::None)
    else {
        return Vec::new();
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        model.overlay = Overlay::Prompt(Prompt::Comment(purpose.clone()));
        let what = if purpose.decision == Some(Decision::NoGo) {
            "a NO-GO needs a reason"
        } else if purpose.decision.is_some() {
            "turning a NO-GO into GO needs a reason"
        } else {
            "the comment is empty"
        };
        model.notify(Level::Warn, format!("{what}: type it, or Esc to cancel"));
        return Vec::new();
    }
    match purpose.decision {
        Some(decision) => record(model, purpose.item, purpose.role, decision, Some(text)),
        None => {
            let Some(grid) = model.signoffs.grid.as_ref() else {
                return Vec::new();
            };
            model.signoffs.recording = true;
            vec![Cmd::AppendLedger(Payload::Comment {
                env: grid.env.clone(),
                release: grid.release.clone(),
                item: purpose.item,
                role: purpose.role,
                text,
            })]
        }
    }
}

fn record(
    model: &mut Model,
    item: String,
    role: String,
    decision: Decision,
    comment: Option<String>,
) -> Vec<Cmd> {
    let Some((env, release)) = model
        .signoffs
        .grid
        .as_ref()
        .map(|g| (g.env.clone(), g.release.clone()))
    else {
        return Vec::new();
    };
    model.signoffs.recording = true;
    model.notify(
        Level::Info,
        format!("recording {} on {item} × {role}…", decision.label()),
    );
    vec![Cmd::AppendLedger(Payload::Signoff {
        env,
        release,
        item,
        role,
        decision,
        comment,
    })]
}

pub fn appended(model: &mut Model, result: Result<Entry, String>) {
    model.signoffs.recording = false;
    match result {
        Ok(entry) => {
            if let Some(grid) = model.signoffs.grid.as_mut() {
                grid.apply(&entry);
            }
            model.notify(Level::Good, format!("recorded seq {} (on disk)", entry.seq));
        }
        Err(e) => model.notify(Level::Error, format!("NOT recorded: {e}")),
    }
}

/// Entries from the follower: kept for rebuilding grids, folded into the visible one.
pub fn entries(model: &mut Model, entries: Vec<Entry>) {
    let mut changed = !model.signoffs.loaded;
    // The first batch is the history; only what arrives later is news for the activity pane.
    let news = model.signoffs.loaded;
    for entry in &entries {
        if let Some(grid) = model.signoffs.grid.as_mut() {
            changed |= grid.apply(entry);
        }
        if let (
            true,
            Payload::Signoff {
                env,
                item,
                role,
                decision,
                ..
            },
        ) = (news, &entry.payload)
        {
            let who = match &entry.actor.ssh_origin {
                Some(origin) => format!("{} ({origin})", entry.actor.account),
                None => entry.actor.account.clone(),
            };
            let text = format!(
                "{who} signed {} on {item} × {role} (seq {})",
                decision.label(),
                entry.seq
            );
            model.log(Some(env), Level::Info, text);
            changed = true;
        }
        if let (
            true,
            Payload::Comment {
                env,
                item,
                role,
                text,
                ..
            },
        ) = (news, &entry.payload)
        {
            let first = text.lines().next().unwrap_or_default();
            let more = if text.lines().count() > 1 { " …" } else { "" };
            let line = format!(
                "{} on {item} × {role}: \"{first}{more}\" (seq {})",
                entry.actor.account, entry.seq
            );
            model.log(Some(env), Level::Info, line);
            changed = true;
        }
    }
    model.signoffs.loaded = true;
    model.signoffs.entries.extend(entries);
    model.signoffs.ledger_error = None;
    if changed {
        model.dirty = true;
    }
}
