//! Sending a command that needs no more asking: a confirmed request starts its reads
//! (`command_read`), a rollout control goes to the rollout in flight.

use super::gate_facts::target_env;
use crate::model::command::Request;
use crate::model::operations::{CommandPhase, RunningCommand, request_label};
use crate::model::rollouts::Control;
use crate::model::{Level, Model};
use crate::msg::Cmd;

/// Sends a confirmed command on its way (the gates run again, in the runtime, as in the CLI).
pub(super) fn run(
    model: &mut Model,
    request: Request,
    override_reason: Option<String>,
    confirmed: bool,
) -> Vec<Cmd> {
    if model.read_only {
        model.notify(Level::Warn, "read-only: commands are unavailable");
        return Vec::new();
    }
    let env = target_env(model, &request);
    if model.operations.running.contains_key(&env) {
        model.notify(
            Level::Warn,
            format!("a command is already running in {env}: wait, or abort it with x"),
        );
        return Vec::new();
    }
    let label = request_label(&request);
    let steps = model
        .lanes
        .iter()
        .position(|l| l.env == env)
        .and_then(|i| model.canary_steps.get(i).cloned())
        .unwrap_or_default();
    model.operations.running.insert(
        env.clone(),
        RunningCommand {
            label: label.clone(),
            request: request.clone(),
            override_reason: override_reason.clone(),
            started: model.now,
            confirmed,
            phase: CommandPhase::Reading(Default::default()),
            decisions: 1,
            last: String::new(),
            bake: None,
            paused: false,
            steps,
            percent: None,
        },
    );
    model.notify(Level::Info, format!("{label}: checking the gates…"));
    // Its first read goes out after this step (`command_read::start_due`).
    Vec::new()
}

/// Pause, resume, advance or abort the rollout in `env`, whoever drives it (see `rollouts`).
pub(super) fn control(model: &mut Model, env: String, control: Control) -> Vec<Cmd> {
    match super::rollout_ledger::control(model, &env, control) {
        Some(cmds) => cmds,
        None => nothing_running(model, &env),
    }
}

pub(super) fn nothing_running(model: &mut Model, env: &str) -> Vec<Cmd> {
    model.notify(Level::Info, format!("no rollout is running in {env}"));
    Vec::new()
}
