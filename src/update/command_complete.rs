//! Tab and Up/Down on the `:` line. Tab completes the word under the cursor (the end of the
//! line): command names first, then environments, versions and the lane's revisions; one
//! candidate is taken with a space after it, several are cycled by further Tabs (and listed
//! under the line). Up/Down walk the history like a shell, keeping the line being typed.

use crate::model::Model;
use crate::model::command_line::{COMMANDS, Cycle, LineKey};

pub fn key(model: &mut Model, key: LineKey, text: &str) {
    model.dirty = true;
    match key {
        LineKey::Complete => complete(model, text),
        LineKey::Older => older(model, text),
        LineKey::Newer => newer(model),
    }
}

fn older(model: &mut Model, text: &str) {
    let line = &mut model.command_line;
    let Some(newest) = line.history.len().checked_sub(1) else {
        return;
    };
    let at = match line.recall {
        None => {
            line.draft = text.to_string();
            newest
        }
        Some(i) => i.saturating_sub(1),
    };
    line.recall = Some(at);
    line.cycle = None;
    line.replace = Some(line.history[at].clone());
}

fn newer(model: &mut Model) {
    let line = &mut model.command_line;
    let Some(i) = line.recall else { return };
    line.cycle = None;
    if i + 1 < line.history.len() {
        line.recall = Some(i + 1);
        line.replace = Some(line.history[i + 1].clone());
    } else {
        line.recall = None;
        line.replace = Some(std::mem::take(&mut line.draft));
    }
}

fn complete(model: &mut Model, text: &str) {
    if let Some(cycle) = model.command_line.cycle.as_mut()
        && cycle.line() == text
    {
        cycle.index = (cycle.index + 1) % cycle.candidates.len();
        model.command_line.replace = Some(cycle.line());
        return;
    }
    let start = text.rfind(char::is_whitespace).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let (head, word) = text.split_at(start);
    let before: Vec<&str> = head.split_whitespace().collect();
    let mut candidates: Vec<String> = Vec::new();
    for candidate in pool(model, &before) {
        if candidate.starts_with(word) && !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
    }
    let line = &mut model.command_line;
    line.cycle = None;
    match candidates.len() {
        0 => {}
        1 => line.replace = Some(format!("{head}{} ", candidates[0])),
        _ => {
            let cycle = Cycle {
                head: head.to_string(),
                candidates,
                index: 0,
            };
            line.replace = Some(cycle.line());
            line.cycle = Some(cycle);
        }
    }
}

/// What may come next after the words `before`.
fn pool(model: &Model, before: &[&str]) -> Vec<String> {
    let envs = || {
        model
            .lanes
            .iter()
            .map(|l| l.env.clone())
            .collect::<Vec<_>>()
    };
    match before {
        [] => COMMANDS.iter().map(|(name, _)| name.to_string()).collect(),
        ["trigger" | "build"] => versions(model),
        ["promote"] | ["promote", _] | ["rollback"] => envs(),
        ["pause" | "resume" | "advance" | "abort" | "approve" | "reject" | "cancel"] => envs(),
        ["rollback", env] => revisions(model, env),
        _ => Vec::new(),
    }
}

/// Versions known to exist: built successfully (newest first), then those running in a lane.
fn versions(model: &Model) -> Vec<String> {
    let mut versions = model.pipeline.built.clone();
    let running = model
        .lanes
        .iter()
        .filter_map(|l| l.service.as_ref()?.version().map(str::to_string));
    versions.extend(running);
    versions
}

/// The revisions of lane `env`, newest first, by their short names.
fn revisions(model: &Model, env: &str) -> Vec<String> {
    model
        .lanes
        .iter()
        .find(|l| l.env == env)
        .and_then(|l| l.service.as_ref())
        .map(|s| s.revisions.iter().map(|r| r.short.clone()).collect())
        .unwrap_or_default()
}
