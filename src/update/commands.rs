//! Trigger, promote and rollback from the cockpit: the same gates, ledger and provider code as
//! the CLI (run by the runtime), with the confirmation, the override reason and the canary's
//! pause / resume / advance / abort asked for and sent from here.

use chrono::Duration;

use crate::commands::Progress;
use crate::commands::driver::Control;
use crate::commands::outcome::{Outcome, Status};
use crate::commands::run::Request;
use crate::model::operations::{Bake, RunningCommand, request_label};
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
        Action::RollbackHere => start(model, Request::Rollback { env, to: None }),
        Action::PauseResume => {
            let paused = model.operations.running.get(&env).map(|r| r.paused);
            match paused {
                Some(true) => control(model, env, Control::Resume),
                Some(false) => control(model, env, Control::Pause),
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
        Request::Rollback { env, .. } => env.clone(),
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

fn control(model: &mut Model, env: String, control: Control) -> Vec<Cmd> {
    let Some(running) = model.operations.running.get_mut(&env) else {
        return nothing_running(model, &env);
    };
    match &control {
        Control::Pause => running.paused = true,
        Control::Resume => running.paused = false,
        _ => {}
    }
    let what = match &control {
        Control::Pause => "pause",
        Control::Resume => "resume",
        Control::Advance => "advance now",
        Control::Abort(_) => "abort: traffic back to the previous revision",
    };
    model.log(Some(&env), Level::Info, format!("{what} (sent)"));
    vec![Cmd::ControlRollout { env, control }]
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
        Prompt::CommandLine => command_line(model, &text),
        Prompt::Comment(_) => Vec::new(),
    }
}

fn command_line(model: &mut Model, text: &str) -> Vec<Cmd> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let selected = model
        .lanes
        .get(model.selected_lane)
        .map(|l| l.env.clone())
        .unwrap_or_default();
    let env_or_selected = |i: usize| {
        words
            .get(i)
            .map_or_else(|| selected.clone(), |w| (*w).to_string())
    };
    let known = |env: &str| model.lanes.iter().any(|l| l.env == env);
    let request = match words.as_slice() {
        ["trigger", version] => Some(Request::Trigger {
            version: (*version).to_string(),
            via: Default::default(),
        }),
        ["promote", from, to] if known(from) && known(to) => Some(Request::Promote {
            from: (*from).to_string(),
            to: (*to).to_string(),
            bake_secs: None,
        }),
        ["rollback"] | ["rollback", _] | ["rollback", _, _] if known(&env_or_selected(1)) => {
            Some(Request::Rollback {
                env: env_or_selected(1),
                to: words.get(2).map(|r| (*r).to_string()),
            })
        }
        ["pause" | "resume" | "advance" | "abort", ..] if known(&env_or_selected(1)) => {
            let env = env_or_selected(1);
            let control = match words[0] {
                "pause" => Control::Pause,
                "resume" => Control::Resume,
                "advance" => Control::Advance,
                _ => Control::Abort("aborted from the cockpit".into()),
            };
            return self::control(model, env, control);
        }
        ["q" | "quit"] => {
            model.quitting = true;
            return Vec::new();
        }
        ["help"] => {
            model.overlay = Overlay::Help;
            return Vec::new();
        }
        ["refresh"] => return super::lanes::poll_all(model),
        _ => None,
    };
    match request {
        Some(request) => start(model, request),
        None => {
            let envs: Vec<&str> = model.lanes.iter().map(|l| l.env.as_str()).collect();
            model.notify(
                Level::Warn,
                format!("`:{text}` is not a command (trigger V, promote FROM TO, rollback [ENV] [REV], pause|resume|advance|abort [ENV], quit; lanes: {})", envs.join(", ")),
            );
            Vec::new()
        }
    }
}

pub fn progress(model: &mut Model, progress: Progress) {
    let env = progress_env(&progress).to_string();
    let now = model.now;
    if let Some(running) = model.operations.running.get_mut(&env) {
        running.last = progress
            .to_string()
            .trim_start_matches(&format!("{env}: "))
            .to_string();
        match &progress {
            Progress::Baking { percent, secs, .. } => {
                running.bake = Some(Bake {
                    percent: *percent,
                    until: now + Duration::seconds(*secs),
                });
                running.percent = Some(*percent);
            }
            Progress::Sending { .. } | Progress::Settled { .. } => running.bake = None,
            _ => {}
        }
    }
    let level = match &progress {
        Progress::Operation { done: false, .. } | Progress::Reading { .. } => None,
        Progress::Probe { pass: true, .. } => None,
        Progress::Probe { pass: false, .. }
        | Progress::Uncertain { .. }
        | Progress::Retrying { .. } => Some(Level::Warn),
        Progress::Settled { .. } => Some(Level::Good),
        _ => Some(Level::Info),
    };
    if let Some(level) = level {
        let text = progress.to_string();
        let text = text.trim_start_matches(&format!("{env}: ")).to_string();
        model.log(Some(&env), level, text);
    }
    model.dirty = true;
}

fn progress_env(progress: &Progress) -> &str {
    match progress {
        Progress::Reading { env }
        | Progress::Sending { env, .. }
        | Progress::Operation { env, .. }
        | Progress::Uncertain { env, .. }
        | Progress::Retrying { env, .. }
        | Progress::AlreadyApplied { env }
        | Progress::Settled { env, .. }
        | Progress::Baking { env, .. }
        | Progress::Probe { env, .. }
        | Progress::Note { env, .. } => env,
    }
}

pub fn finished(model: &mut Model, outcome: Outcome) -> Vec<Cmd> {
    model.dirty = true;
    model.notice = None;
    let Some(running) = model.operations.running.remove(&outcome.env) else {
        model.log(Some(&outcome.env), Level::Info, outcome.text());
        return Vec::new();
    };
    let request = running.request;
    let label = running.label;
    if outcome.status == Status::Refused {
        let only_confirmation = outcome
            .refusals
            .iter()
            .all(|r| r.gate == Gate::Confirmation);
        if only_confirmation {
            let env = outcome.env.clone();
            model.overlay = Overlay::Prompt(Prompt::Confirm {
                request,
                env,
                override_reason: None,
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
