//! Every change to a lane is confirmed first, and the confirmation says what will change: the
//! lane's version and revision now and after, the canary steps and bake, and each gate's
//! standing (passed, not known yet, overridden). Gates a reason can waive are asked about first
//! (the override prompt), so the confirmation is always the last step before anything is sent.

use super::gate_facts::{lane_index, serving, target_env};
use crate::model::command::Request;
use crate::model::confirm::{Change, Mark, Preview};
use crate::model::rollouts::Control;
use crate::model::{Level, Model, Overlay, Prompt};
use crate::msg::Cmd;
use crate::policy::Gate;

/// Opens the override prompt for refusals the cockpit can already see, else the confirmation.
pub fn ask(
    model: &mut Model,
    request: Request,
    override_reason: Option<String>,
    overridden: Vec<Gate>,
) -> Vec<Cmd> {
    if model.read_only {
        model.notify(Level::Warn, "read-only: commands are unavailable");
        return Vec::new();
    }
    let env = target_env(model, &request);
    let refusals = super::confirm_gates::predicted(model, &request);
    let waived = |gate: &Gate| override_reason.is_some() || overridden.contains(gate);
    if refusals.iter().any(|r| !r.gate.overridable()) {
        let text: Vec<String> = refusals.iter().map(ToString::to_string).collect();
        model.notify(Level::Warn, text.join("; "));
        return Vec::new();
    }
    if refusals.iter().any(|r| !waived(&r.gate)) {
        model.overlay = Overlay::Prompt(Prompt::Override {
            request,
            refusals: refusals.iter().map(ToString::to_string).collect(),
            gates: refusals.iter().map(|r| r.gate.clone()).collect(),
        });
        return Vec::new();
    }
    let mut overridden = overridden;
    overridden.extend(refusals.into_iter().map(|r| r.gate));
    overridden.dedup();
    let preview = preview(model, &request, override_reason.as_deref(), &overridden);
    model.overlay = Overlay::Prompt(Prompt::Confirm {
        typed: typed(model, &env),
        change: Change::Command(request),
        env,
        override_reason,
        overridden,
        preview,
    });
    Vec::new()
}

/// Pause holds the traffic where it is and goes at once; resume, advance and abort move traffic
/// and are confirmed like any command.
pub fn ask_control(model: &mut Model, env: String, control: Control) -> Vec<Cmd> {
    if control == Control::Pause {
        return super::send::control(model, env, control);
    }
    let Some(preview) = super::confirm_gates::control_preview(model, &env, &control) else {
        model.notify(Level::Info, format!("no rollout is running in {env}"));
        return Vec::new();
    };
    if model.read_only {
        model.notify(Level::Warn, "read-only: rollouts cannot be touched");
        return Vec::new();
    }
    model.overlay = Overlay::Prompt(Prompt::Confirm {
        typed: typed(model, &env),
        change: Change::Control(control),
        env,
        override_reason: None,
        overridden: Vec::new(),
        preview,
    });
    Vec::new()
}

/// The confirmation was answered: Enter, or the typed name where the policy asks for it.
pub fn answered(model: &mut Model, prompt: Prompt, text: &str) -> Vec<Cmd> {
    let Prompt::Confirm {
        change,
        env,
        override_reason,
        typed,
        ..
    } = prompt
    else {
        return Vec::new();
    };
    if typed && text != env {
        let typed = if text.is_empty() { "nothing" } else { text };
        model.notify(
            Level::Warn,
            format!("typed `{typed}`, not `{env}`: nothing was sent"),
        );
        return Vec::new();
    }
    match change {
        Change::Command(request) => {
            if let Request::Rollback { env, to } = &request {
                let to = to
                    .clone()
                    .or_else(|| super::rollback_list::previous(model, env));
                if let Some(to) = to {
                    let about = super::rollback_list::about(model, env, &to);
                    model.log(Some(env), Level::Info, format!("rolling back to {about}"));
                }
            }
            super::send::run(model, request, override_reason, true)
        }
        Change::Control(control) => super::send::control(model, env, control),
    }
}

fn typed(model: &Model, env: &str) -> bool {
    lane_index(model, env)
        .and_then(|i| model.policies.get(i))
        .is_some_and(|p| p.confirm_by_name)
}

fn canary(model: &Model, env: &str) -> String {
    let index = lane_index(model, env);
    let steps = index
        .and_then(|i| model.canary_steps.get(i))
        .cloned()
        .unwrap_or_default();
    let bake = index
        .and_then(|i| model.canary_bake_secs.get(i))
        .copied()
        .unwrap_or(0);
    if steps.is_empty() {
        return "none: all traffic moves once the new revision is ready".into();
    }
    let steps: Vec<String> = steps.iter().map(|s| format!("{s}%")).collect();
    format!("{}, {bake}s bake at each step", steps.join(" → "))
}

fn preview(model: &Model, request: &Request, reason: Option<&str>, overridden: &[Gate]) -> Preview {
    let mut preview = Preview::default();
    let env = target_env(model, request);
    preview.change("now", serving(model, &env));
    match request {
        Request::Trigger { version, via } => {
            let becomes = match via {
                crate::model::command::TriggerVia::GithubDispatch => {
                    format!("{version}: built by the GitHub workflow, then deployed")
                }
                _ => format!("{version} · a new revision (image tag {version})"),
            };
            preview.change("after", becomes);
            preview.change("canary", canary(model, &env));
            let known = super::confirm_gates::known_versions(model);
            if model.pipeline.configured
                && *via != crate::model::command::TriggerVia::GithubDispatch
                && !known.contains(version)
            {
                preview.gate(
                    Mark::Warning,
                    format!("{version} never built here: no successful build of it was seen, and no lane runs it"),
                );
            }
        }
        Request::Promote { from, .. } => {
            let source = lane_index(model, from).and_then(|i| model.lanes[i].service.as_ref());
            let becomes = match source.and_then(|s| s.primary()) {
                Some(p) => format!(
                    "{} · a new revision of {from}'s image ({from} serves {})",
                    p.version, p.short
                ),
                None => format!("what {from} serves (not read yet)"),
            };
            preview.change("after", becomes);
            preview.change("canary", canary(model, &env));
        }
        Request::Rollback { env, to } => {
            let to = to
                .clone()
                .or_else(|| super::rollback_list::previous(model, env));
            let becomes = match to {
                Some(to) => format!("{} at 100%", super::rollback_list::about(model, env, &to)),
                None => "the revision before the serving one, at 100%".into(),
            };
            preview.change("after", becomes);
            preview.change("canary", "none: a rollback moves all traffic at once");
        }
        Request::Gate { action, .. } => {
            super::confirm_rollout::gate_rows(model, &env, action, &mut preview)
        }
    }
    super::confirm_gates::gate_lines(model, request, reason, overridden, &mut preview);
    preview
}

/// Asks before a command changes a lane (see `confirm`); the `:` line and the keys start here.
/// A platform gate's answer (approve, reject, a Cloud Deploy advance or cancel) has its own
/// prompt (`approvals`) and goes straight to the gates.
pub fn start(model: &mut Model, request: Request) -> Vec<Cmd> {
    match request {
        Request::Gate { .. } => super::send::run(model, request, None, false),
        _ => ask(model, request, None, Vec::new()),
    }
}
