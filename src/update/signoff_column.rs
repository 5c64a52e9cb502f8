//! A lead signs their whole column at once: `G` in the Sign-off pane asks (naming the release,
//! the lane and every item it will sign), Enter records GO on each open cell of the selected
//! role. Cells with a NO-GO are left alone: lifting one says why, one cell at a time.

use crate::ledger::{Decision, Payload};
use crate::model::{Level, Model, Overlay, Prompt};
use crate::msg::Cmd;
use crate::policy::{SignoffAttempt, authorize_signoff};

/// `G`: the confirmation of a column, or why there is nothing to sign.
pub fn ask(model: &mut Model) -> Vec<Cmd> {
    let Some(grid) = model.signoffs.grid.as_ref() else {
        model.notify(Level::Warn, "no release to sign yet");
        return Vec::new();
    };
    let Some((_, role, _)) = grid.selected() else {
        return Vec::new();
    };
    let role = role.to_string();
    let Some(col) = grid.roles.iter().position(|r| r.name == role) else {
        return Vec::new();
    };
    let account = model.signoffs.account.clone().unwrap_or_default();
    let (mut open, mut objected) = (Vec::new(), 0);
    for row in 0..grid.rows() {
        let Some(cell) = grid.cell(row, col) else {
            continue;
        };
        match cell.decision() {
            None => open.push(grid.items[row].clone()),
            Some(Decision::NoGo) => objected += 1,
            Some(Decision::Go) => {}
        }
    }
    if let Some(item) = open.first() {
        let attempt = SignoffAttempt {
            account: &account,
            role: &role,
            item,
            decision: Decision::Go,
            comment: None,
        };
        if let Err(refusal) = authorize_signoff(&model.signoffs.config, &attempt, model.read_only) {
            model.notify(Level::Warn, refusal.to_string());
            return Vec::new();
        }
    }
    if open.is_empty() {
        let text = match objected {
            0 => format!("{role} has signed every item already"),
            n => format!(
                "{role}: no open cell; {n} NO-GO need lifting one by one (g, with a reason)"
            ),
        };
        model.notify(Level::Info, text);
        return Vec::new();
    }
    model.overlay = Overlay::Prompt(Prompt::SignColumn {
        env: grid.env.clone(),
        release: grid.release.clone(),
        role,
        items: open,
        objected,
    });
    Vec::new()
}

/// Enter on the confirmation: one GO per open cell, each its own ledger entry.
pub fn sign(model: &mut Model, prompt: Prompt) -> Vec<Cmd> {
    let Prompt::SignColumn {
        env,
        release,
        role,
        items,
        ..
    } = prompt
    else {
        return Vec::new();
    };
    if model.signoffs.unreachable.is_some() {
        model.notify(Level::Error, "not recorded: the ledger is unreachable");
        return Vec::new();
    }
    model.signoffs.recording = true;
    model.notify(
        Level::Info,
        format!("recording GO on {} items × {role}…", items.len()),
    );
    items
        .into_iter()
        .map(|item| {
            Cmd::AppendLedger(Payload::Signoff {
                env: env.clone(),
                release: release.clone(),
                item,
                role: role.clone(),
                decision: Decision::Go,
                comment: None,
            })
        })
        .collect()
}
