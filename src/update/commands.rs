//! Trigger, promote and rollback from the cockpit: the same gates, ledger and provider code as
//! the CLI (run by the runtime), with the confirmation, the override reason and the canary's
//! pause / resume / advance / abort asked for and sent from here.

use super::send;
use crate::model::command::Request;
use crate::model::operations::request_label;
use crate::model::outcome::{Outcome, Status};
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
        Action::Trigger => {
            let offered = super::confirm_gates::known_versions(model);
            open(model, Prompt::Trigger { offered })
        }
        Action::CommandLine => open(model, Prompt::CommandLine),
        Action::PromoteHere => match lane.checked_sub(1).and_then(|i| model.lanes.get(i)) {
            Some(source) => {
                let from = source.env.clone();
                let request = Request::Promote {
                    from,
                    to: env,
                    bake_secs: None,
                };
                super::confirm::ask(model, request, None, Vec::new())
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
                Some(_) if orphaned => super::confirm::ask_control(model, env, Control::Resume),
                Some(Phase::Paused { .. }) => {
                    super::confirm::ask_control(model, env, Control::Resume)
                }
                Some(_) => send::control(model, env, Control::Pause),
                None => send::nothing_running(model, &env),
            }
        }
        Action::Advance => super::confirm::ask_control(model, env, Control::Advance),
        Action::Abort => super::confirm::ask_control(
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

/// A one-line prompt was submitted (comments are handled by the sign-off code).
pub fn submitted(model: &mut Model, prompt: Prompt, text: String) -> Vec<Cmd> {
    let text = text.trim().to_string();
    match prompt {
        Prompt::Trigger { .. } if text.is_empty() => {
            model.notify(Level::Info, "no version given: nothing triggered");
            Vec::new()
        }
        Prompt::Trigger { .. } => super::confirm::start(
            model,
            Request::Trigger {
                version: text,
                via: Default::default(),
            },
        ),
        confirm @ Prompt::Confirm { .. } => super::confirm::answered(model, confirm, &text),
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
        Prompt::Override { request, gates, .. } => {
            super::confirm::ask(model, request, Some(text), gates)
        }
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
            super::confirm::start(model, Request::Rollback { env, to })
        }
        Prompt::Quit { envs } => super::quit::quit_choice(model, envs, &text),
        column @ Prompt::SignColumn { .. } => super::signoff_column::sign(model, column),
        Prompt::Review { env, reject } => super::approvals::submitted(model, env, reject, text),
        Prompt::Comment(_) => Vec::new(),
    }
}

/// A command this cockpit ran in its loop ended: its outcome recorded (when the command was
/// recorded itself), then told as any command's outcome is told.
pub(super) fn concluded(model: &mut Model, outcome: Outcome) -> Vec<Cmd> {
    let mut cmds: Vec<Cmd> = outcome
        .ledger_entry()
        .map(Cmd::AppendLedger)
        .into_iter()
        .collect();
    cmds.extend(super::alerts::outcome(model, &outcome));
    cmds.extend(finished(model, outcome));
    cmds
}

pub fn finished(model: &mut Model, outcome: Outcome) -> Vec<Cmd> {
    model.dirty = true;
    model.notice = None;
    if let Some(again) = decide_again(model, &outcome) {
        return again;
    }
    let Some(running) = model.operations.running.remove(&outcome.env) else {
        model.log(Some(&outcome.env), Level::Info, outcome.text());
        return Vec::new();
    };
    let request = running.request;
    let label = running.label;
    if outcome.status == Status::Refused {
        // With a reason given, the overridable gates are settled: only the confirmation remains.
        let reason_given = running.override_reason.is_some();
        let settled =
            |gate: &Gate| *gate == Gate::Confirmation || (reason_given && gate.overridable());
        if outcome.refusals.iter().all(|r| settled(&r.gate)) {
            let gates = outcome.refusals.iter().map(|r| r.gate.clone()).collect();
            return super::confirm::ask(model, request, running.override_reason, gates);
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
            let gates = outcome.refusals.iter().map(|r| r.gate.clone()).collect();
            model.overlay = Overlay::Prompt(Prompt::Override {
                request,
                refusals,
                gates,
            });
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

/// How often a command's gates are decided when the ledger keeps growing between a decision and
/// the record (as the CLI does).
const DECISIONS: u8 = 3;

/// Entries arrived between the gates and the record: nothing was recorded or sent, so the
/// command starts again from its reads, a few times at most.
fn decide_again(model: &mut Model, outcome: &Outcome) -> Option<Vec<Cmd>> {
    let running = model.operations.running.get_mut(&outcome.env)?;
    if outcome.status != Status::Stale || running.decisions >= DECISIONS {
        return None;
    }
    running.decisions += 1;
    running.phase = crate::model::operations::CommandPhase::Reading(Default::default());
    model.log(
        Some(&outcome.env),
        Level::Info,
        "the ledger changed while the gates were checked: checking them again",
    );
    // It reads again after this step (`command_read::start_due`).
    Some(Vec::new())
}
