//! Rollbacks inside the update loop: the command passed its gates and is recorded; this cockpit
//! hosts its [`ChangeRun`], turns each effect into a command (send the change, probe the lane
//! once) and feeds the answers back, then records the outcome.

use crate::model::Model;
use crate::model::change_run::{ChangeEffect, ChangeEvent, ChangeRun};
use crate::model::outcome::Status;
use crate::msg::Cmd;

pub fn planned(model: &mut Model, run: ChangeRun) -> Vec<Cmd> {
    let env = run.env.clone();
    model.notice = None;
    model.operations.changes.insert(env.clone(), run);
    handle(model, &env, ChangeEvent::Start)
}

/// Whether `env`'s answers (`RolloutApplied`, `RolloutProbed`) belong to a change here.
pub fn hosts(model: &Model, env: &str) -> bool {
    model.operations.changes.contains_key(env)
}

pub fn applied(
    model: &mut Model,
    env: &str,
    result: Result<(Option<String>, u32), String>,
) -> Vec<Cmd> {
    let event = match result {
        Ok((_, patches)) => ChangeEvent::Applied { patches },
        Err(message) => ChangeEvent::ApplyFailed {
            status: Status::Failed,
            message,
        },
    };
    handle(model, env, event)
}

pub fn probed(model: &mut Model, env: &str, pass: Option<bool>, detail: String) -> Vec<Cmd> {
    match pass {
        Some(pass) => handle(model, env, ChangeEvent::Probed { pass, detail }),
        None => Vec::new(),
    }
}

/// The clock: a failed round of probes is tried again, or the wait ends.
pub fn tick(model: &mut Model) -> Vec<Cmd> {
    let envs: Vec<String> = model.operations.changes.keys().cloned().collect();
    envs.iter()
        .flat_map(|env| handle(model, env, ChangeEvent::Tick))
        .collect()
}

fn handle(model: &mut Model, env: &str, event: ChangeEvent) -> Vec<Cmd> {
    let now = model.now;
    let Some(run) = model.operations.changes.get_mut(env) else {
        return Vec::new();
    };
    let effects = run.handle(now, event);
    let mut cmds = Vec::new();
    let mut last = None;
    for effect in effects {
        match effect {
            ChangeEffect::Apply(action) => {
                last = Some("sending the change".to_string());
                cmds.push(Cmd::ApplyChange {
                    env: env.to_string(),
                    action,
                });
            }
            ChangeEffect::Probe(i) => {
                let probe = run.probes[i].clone();
                last = Some(format!("checking health: {}", probe.url));
                cmds.push(Cmd::ProbeRevision {
                    env: env.to_string(),
                    probe: Box::new(probe),
                    revision: run.outcome.to_revision.clone().unwrap_or_default(),
                });
            }
            ChangeEffect::Finish => {
                cmds.extend(finish(model, env));
                return cmds;
            }
        }
    }
    if let (Some(last), Some(running)) = (last, model.operations.running.get_mut(env)) {
        running.last = last;
    }
    model.dirty = true;
    cmds
}

/// The change ended: record the outcome, then tell it as any command's outcome is told.
fn finish(model: &mut Model, env: &str) -> Vec<Cmd> {
    let Some(run) = model.operations.changes.remove(env) else {
        return Vec::new();
    };
    let mut outcome = run.outcome;
    outcome.elapsed_secs = (model.now - run.started).num_milliseconds().max(0) as f64 / 1000.0;
    super::commands::concluded(model, outcome)
}
