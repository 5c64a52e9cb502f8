//! Trigger, promote and rollback from the cockpit: the same gates, ledger and provider code as
//! the CLI (run by the runtime), with the confirmation, the override reason and the canary's
//! pause / resume / advance / abort asked for and sent from here.

use crate::commands::outcome::{Outcome, Status};
use crate::commands::run::Request;
use crate::model::operations::{RunningCommand, request_label};
use crate::model::rollout::Phase;
use crate::model::rollouts::Control;
use crate::model::{Level, Model, Overlay, Prompt};
use crate::msg::{Action, Cmd};
use crate::policy::Gate;

pub fn action(model: &mut Model, action: Action) -> Vec<Cmd> {
    let lane = model.selected_lane;
    let env = model
        .lanes
        .get(lane)
        .map(|l| l.env.clone())
        .unwrap_or_default();
    match action {
        Action::Trigger => open(model, Prompt::Trigger),
        Action::CommandLine => open(model, Prompt::CommandLine),
        Action::PromoteHere => match lane.checked_sub(1).and_then(|i| model.lanes.get(i)) {
            Some(source) => {
                let from = source.env.clone();
                start(
                    model,
                    Request::Promote {
                        from,
                        to: env,
                        bake_secs: None,
                    },
                )
            }
            None => {
                model.notify(
                    Level::Warn,
                    format!("{env} is the first lane: trigger a release into it with t"),
                );
                Vec::new()
            }
        },
        Action::RollbackHere => {
            if let Some(tracked) = model.operations.rollouts.in_flight(&env) {
                let text = format!(
                    "a rollout is in flight in {env}: x aborts it (traffic back to {})",
                    tracked.rollout.from_revision
                );
                model.notify(Level::Warn, text);
                return Vec::new();
            }
            let revisions = super::rollback_list::rows(model, lane);
            open(model, Prompt::Rollback { env, revisions })
        }
        Action::PauseResume => {
            let hosted = model.operations.hosted.get(&env).map(|h| &h.drive.rollout);
            let phase = hosted
                .or_else(|| {
                    model
                        .operations
                        .rollouts
                        .in_flight(&env)
                        .map(|t| &t.rollout)
                })
                .map(|r| r.phase.clone());
            let orphaned = hosted.is_none()
                && model.operations.rollouts.in_flight(&env).is_some_and(|t| {
                    matches!(
                        t.driver(model.now),
                        crate::model::rollouts::Driver::Orphaned { .. }
                    )
                });
            match phase {
                // Space on an orphan takes it over and drives on (a paused one stays paused).
                Some(_) if orphaned => control(model, env, Control::Resume),
                Some(Phase::Paused { .. }) => control(model, env, Control::Resume),
                Some(_) => control(model, env, Control::Pause),
                None => nothing_running(model, &env),
            }
        }
        Action::Advance => control(model, env, Control::Advance),
        Action::Abort => control(
            model,
            env,
            Control::Abort("aborted from the cockpit".into()),
        ),
        _ => Vec::new(),
    }
}

fn open(model: &mut Model, prompt: Prompt) -> Vec<Cmd> {
    if model.read_only && !matches!(prompt, Prompt::CommandLine) {
        model.notify(Level::Warn, "read-only: commands are unavailable");
        return Vec::new();
    }
    model.overlay = Overlay::Prompt(prompt);
    Vec::new()
}

fn nothing_running(model: &mut Model, env: &str) -> Vec<Cmd> {
    model.notify(Level::Info, format!("no rollout is running in {env}"));
    Vec::new()
}

fn target_env(model: &Model, request: &Request) -> String {
    match request {
        Request::Trigger { .. } => model
            .lanes
            .first()
            .map(|l| l.env.clone())
            .unwrap_or_default(),
        Request::Promote { to, .. } => to.clone(),
        Request::Rollback { env, .. } | Request::Gate { env, .. } => env.clone(),
    }
}

/// Sends a command on its way (the gates run first, in the runtime, as in the CLI).
pub fn start(model: &mut Model, request: Request) -> Vec<Cmd> {
    run(model, request, None, false)
}

fn run(
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
            last: "checking the gates".into(),
            bake: None,
            paused: false,
            steps,
            percent: None,
        },
    );
    model.notify(Level::Info, format!("{label}: checking the gates…"));
    vec![Cmd::RunCommand {
        request,
        override_reason,
        confirmed,
    }]
}

/// Pause, resume, advance or abort the rollout in `env`, whoever drives it (see `rollouts`).
pub(super) fn control(model: &mut Model, env: String, control: Control) -> Vec<Cmd> {
    match super::rollouts::control(model, &env, control) {
        Some(cmds) => cmds,
        None => nothing_running(model, &env),
    }
}

/// A one-line prompt was submitted (comments are handled by the sign-off code).
pub fn submitted(model: &mut Model, prompt: Prompt, text: String) -> Vec<Cmd> {
    let text = text.trim().to_string();
    match prompt {
        Prompt::Trigger if text.is_empty() => {
            model.notify(Level::Info, "no version given: nothing triggered");
            Vec::new()
        }
        Prompt::Trigger => start(
            model,
            Request::Trigger {
                version: text,
                via: Default::default(),
            },
        ),
        Prompt::Confirm {
            request,
            env,
            override_reason,
        } => {
            if text == env {
                run(model, request, override_reason, true)
            } else {
                model.notify(
                    Level::Warn,
                    format!("typed `{text}`, not `{env}`: nothing was sent"),
                );
                Vec::new()
            }
        }
        Prompt::Override { request, .. } if text.is_empty() => {
            model.notify(
                Level::Info,
                format!(
                    "{}: not overridden, nothing was sent",
                    request_label(&request)
                ),
            );
            Vec::new()
        }
        Prompt::Override { request, .. } => run(model, request, Some(text), false),
        Prompt::CommandLine => super::command_line::run(model, &text),
        Prompt::Filter => {
            model.activity.filter = (!text.is_empty()).then_some(text);
            model.activity.scroll = 0;
            model.focus = crate::model::Pane::Activity;
            model.detail = crate::model::Pane::Activity;
            Vec::new()
        }
        Prompt::Rollback { env, .. } => {
            let to = match text.is_empty() {
                false => Some(text),
                true => super::rollback_list::previous(model, &env),
            };
            if let Some(to) = &to {
                let about = super::rollback_list::about(model, &env, to);
                model.log(Some(&env), Level::Info, format!("rolling back to {about}"));
            }
            start(model, Request::Rollback { env, to })
        }
        Prompt::Quit { envs } => super::rollouts::quit_choice(model, envs, &text),
        Prompt::Review { env, reject } => super::approvals::submitted(model, env, reject, text),
        Prompt::Comment(_) => Vec::new(),
    }
}

pub fn finished(model: &mut Model, outcome: Outcome) -> Vec<Cmd> {
    model.dirty = true;
    model.notice = None;
    if outcome.status == Status::HandedOver && model.operations.hosted.contains_key(&outcome.env) {
        // Gates passed and recorded: the rollout is driven from the update loop now.
        return Vec::new();
    }
    let Some(running) = model.operations.running.remove(&outcome.env) else {
        model.log(Some(&outcome.env), Level::Info, outcome.text());
        return Vec::new();
    };
    let request = running.request;
    let label = running.label;
    if outcome.status == Status::Refused {
        let needs_name = outcome
            .refusals
            .iter()
            .any(|r| r.gate == Gate::Confirmation);
        // With a reason given, the overridable gates are settled: only the typed name remains.
        let reason_given = running.override_reason.is_some();
        let settled =
            |gate: &Gate| *gate == Gate::Confirmation || (reason_given && gate.overridable());
        if needs_name && outcome.refusals.iter().all(|r| settled(&r.gate)) {
            let env = outcome.env.clone();
            let override_reason = running.override_reason;
            model.overlay = Overlay::Prompt(Prompt::Confirm {
                request,
                env,
                override_reason,
            });
            return Vec::new();
        }
        let refusals: Vec<String> = outcome.refusals.iter().map(ToString::to_string).collect();
        for refusal in &refusals {
            model.log(
                Some(&outcome.env),
                Level::Warn,
                format!("{label} refused: {refusal}"),
            );
        }
        if outcome
            .refusals
            .iter()
            .all(|r| r.gate.overridable() || r.gate == Gate::Confirmation)
        {
            model.overlay = Overlay::Prompt(Prompt::Override { request, refusals });
        } else {
            model.notify(
                Level::Warn,
                format!("{label} refused: {}", refusals.join("; ")),
            );
        }
        return Vec::new();
    }
    let level = match outcome.status {
        Status::Done => Level::Good,
        Status::Aborted => Level::Warn,
        _ => Level::Error,
    };
    let mut text = format!("{label}: {}", outcome.message);
    if let Some(secs) = outcome.healthy_after_secs {
        text.push_str(&format!(" (healthy {secs:.0}s after the command)"));
    }
    model.log(Some(&outcome.env), level, text.clone());
    model.notify(level, text);
    super::lanes::poll_all(model)
}
