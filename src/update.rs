//! `update(&mut Model, Msg) -> Vec<Cmd>`: the only place state changes. Pure: no I/O, no clock.

mod alerts;
mod approvals;
mod changes;
mod command_complete;
mod command_line;
mod command_plan;
mod command_progress;
mod command_read;
mod commands;
mod confirm;
mod confirm_gates;
mod confirm_rollout;
mod focus;
mod gate_decision;
mod gate_facts;
mod lane_detail;
mod lanes;
mod pipeline;
mod pipeline_detail;
mod pointer;
mod probes;
mod quit;
mod rollback_list;
mod rollout_ledger;
mod rollouts;
mod send;
mod signoff;
mod signoff_column;

use crate::ledger::{Decision, Payload};
use crate::model::signoff::CursorMove;
use crate::model::{Level, Model, Overlay, Pane, Prompt};
use crate::msg::{Action, Cmd, Msg};

pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let mut cmds = step(model, msg);
    cmds.extend(command_read::start_due(model));
    quit::when_idle(model);
    cmds
}

/// What `update` does with a command's plan once its reads are done (`command_read`): for tests
/// of what follows planning, which need no reads.
#[doc(hidden)]
pub fn planned(model: &mut Model, plan: crate::model::command_plan::CommandPlan) -> Vec<Cmd> {
    let cmds = command_plan::planned(model, plan);
    quit::when_idle(model);
    cmds
}

fn step(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick { now } => {
            // The header clock shows seconds: a new second is a visible change, nothing less is.
            if now.timestamp() != model.now.timestamp() {
                model.dirty = true;
            }
            model.now = now;
            let mut cmds = rollout_ledger::tick(model);
            cmds.extend(alerts::stale(model));
            cmds.extend(command_plan::answer_due(model));
            cmds.extend(changes::tick(model));
            cmds
        }
        Msg::PollDue { now } => {
            model.now = now;
            let mut cmds = lanes::poll_all(model);
            cmds.extend(pipeline::poll_due(model, now));
            cmds
        }
        Msg::PipelinePolled { at, poll, budget } => {
            let before = model.pipeline.run.as_ref().map(|r| (r.run_id, r.state));
            pipeline::polled(model, at, poll, budget);
            alerts::pipeline(model, before)
        }
        Msg::LaneFetched { lane, at, result } => {
            let mut cmds = lanes::fetched(model, lane, at, result);
            signoff::refresh_grid(model);
            cmds.extend(probes::follow_uris(model));
            cmds
        }
        Msg::Action(action) => act(model, action),
        Msg::Pointer { pane, item, kind } => match pointer::overlay_wheel(model, kind) {
            Some(action) => act(model, action),
            None => pointer::pointer(model, pane, item, kind),
        },
        Msg::Resized => {
            model.dirty = true;
            Vec::new()
        }
        Msg::LedgerEntries(entries) => {
            let mut cmds = rollout_ledger::entries(model, &entries);
            signoff::refresh_grid(model);
            cmds.extend(alerts::ledger_entries(model, &entries));
            signoff::entries(model, entries);
            cmds.extend(command_plan::answer_due(model));
            cmds
        }
        Msg::LedgerRead(reading) => {
            // A reset re-reads the whole verified history: rollouts are folded again from it, and
            // it is history, not news for the alerts.
            if reading.reset {
                model.operations.rollouts = Default::default();
                model.signoffs.loaded = false;
            }
            let mut cmds = rollout_ledger::entries(model, &reading.entries);
            cmds.extend(alerts::ledger_entries(model, &reading.entries));
            signoff::reading(model, *reading);
            cmds.extend(command_plan::answer_due(model));
            cmds
        }
        Msg::LedgerFailed(error) => {
            let cmds = alerts::ledger_failed(model, &error);
            if model.signoffs.ledger_error.as_deref() != Some(error.as_str()) {
                model.log(None, Level::Error, format!("ledger: {error}"));
                model.signoffs.ledger_error = Some(error);
                model.dirty = true;
            }
            cmds
        }
        Msg::LedgerReachability(unreachable) => {
            signoff::reachability(model, unreachable);
            Vec::new()
        }
        Msg::LedgerAppended(result) => {
            model.dirty = true;
            // A rollout's transitions and heartbeats are recorded quietly; failures are not.
            let quiet = matches!(
                &*result,
                Ok(entry) if !matches!(entry.payload, Payload::Signoff { .. } | Payload::Comment { .. })
            );
            if !quiet {
                signoff::appended(model, *result);
            }
            Vec::new()
        }
        Msg::CommandRead { env, read, answer } => {
            command_read::answered(model, &env, read, *answer)
        }
        Msg::CommandRecorded { env, result } => command_plan::recorded(model, &env, result),
        Msg::CommandCalled(outcome) => command_plan::called(model, *outcome),
        Msg::RolloutApplied { env, result } if changes::hosts(model, &env) => {
            changes::applied(model, &env, result)
        }
        Msg::RolloutApplied { env, result } => rollouts::applied(model, &env, result),
        Msg::RolloutProbed { env, pass, detail } if changes::hosts(model, &env) => {
            changes::probed(model, &env, pass, detail)
        }
        Msg::RolloutProbed { env, pass, detail } => rollouts::probed(model, &env, pass, detail),
        Msg::Signal(why) => {
            // The terminal is restored by the runtime on its way out; what we drive is handed over.
            model.log(
                None,
                Level::Warn,
                format!("{why}: handing over and quitting"),
            );
            let cmds = rollouts::release_all(model, &why);
            model.quitting = true;
            cmds
        }
        Msg::PromptSubmitted(text) => {
            model.dirty = true;
            match std::mem::replace(&mut model.overlay, Overlay::None) {
                Overlay::Prompt(Prompt::Comment(purpose)) => {
                    model.overlay = Overlay::Prompt(Prompt::Comment(purpose));
                    signoff::submitted(model, text)
                }
                Overlay::Prompt(prompt) => commands::submitted(model, prompt, text),
                other => {
                    model.overlay = other;
                    Vec::new()
                }
            }
        }
        Msg::AnnotationsFetched {
            check_run_id,
            result,
        } => {
            pipeline_detail::annotations_fetched(model, check_run_id, result);
            Vec::new()
        }
        Msg::ProbeReport(report) => {
            probes::report(model, *report);
            Vec::new()
        }
        Msg::CommandProgress(progress) => {
            command_progress::progress(model, progress);
            Vec::new()
        }
        Msg::CommandFinished(outcome) => {
            let mut cmds = alerts::outcome(model, &outcome);
            cmds.extend(commands::finished(model, *outcome));
            cmds
        }
        Msg::CommandLineKey { key, text } => {
            command_complete::key(model, key, &text);
            Vec::new()
        }
        Msg::PromptCancelled => {
            model.command_line.reset();
            model.dirty = true;
            model.overlay = Overlay::None;
            model.notify(Level::Info, "cancelled: nothing recorded");
            Vec::new()
        }
    }
}

fn act(model: &mut Model, action: Action) -> Vec<Cmd> {
    model.dirty = true;
    model.notice = None;
    if matches!(model.overlay, Overlay::Prompt(_)) {
        // The editor owns the keyboard; the runtime sends PromptSubmitted / PromptCancelled.
        return Vec::new();
    }
    if matches!(model.overlay, Overlay::ProbeDetails(_)) {
        match action {
            Action::Quit | Action::Back | Action::Open => model.overlay = Overlay::None,
            Action::Up | Action::Down => {
                probes::move_cursor(model, if action == Action::Up { -1 } else { 1 });
                model.overlay = Overlay::ProbeDetails(model.probes.cursor);
            }
            _ => {}
        }
        return Vec::new();
    }
    if matches!(model.overlay, Overlay::CellHistory { .. }) {
        match action {
            Action::Quit | Action::Back | Action::Open => model.overlay = Overlay::None,
            _ => {}
        }
        return Vec::new();
    }
    if matches!(
        model.overlay,
        Overlay::PhaseDetail(_) | Overlay::DeployPhaseDetail(_)
    ) {
        pipeline_detail::overlay_action(model, action);
        return Vec::new();
    }
    if matches!(model.overlay, Overlay::LaneDetail { .. }) {
        lane_detail::act(model, action);
        return Vec::new();
    }
    if model.overlay == Overlay::Help {
        match action {
            Action::Quit | Action::ToggleHelp | Action::Back => model.overlay = Overlay::None,
            _ => {}
        }
        return Vec::new();
    }
    // A second `q` right after the warning quits; any other key forgets the warning.
    let quit_warned = std::mem::take(&mut model.operations.quit_warned) && action == Action::Quit;
    match action {
        Action::Quit if rollouts::driving(model) => {
            model.overlay = Overlay::Prompt(Prompt::Quit {
                envs: model.operations.hosted.keys().cloned().collect(),
            })
        }
        Action::Quit => quit::asked(model, quit_warned),
        Action::Back if model.operations.quit_when_idle => quit::stay(model),
        Action::Acknowledge => alerts::acknowledge(model),
        Action::ToggleHelp => model.overlay = Overlay::Help,
        Action::Back if model.activity.filter.is_some() && model.detail == Pane::Activity => {
            model.activity.filter = None;
            model.activity.scroll = 0;
        }
        Action::Back => model.dirty = false,
        Action::Filter => model.overlay = Overlay::Prompt(Prompt::Filter),
        Action::NextPane => focus::focus(model, focus::cycle(model.focus, 1)),
        Action::PrevPane => focus::focus(model, focus::cycle(model.focus, Pane::ORDER.len() - 1)),
        Action::Left if model.focus == Pane::Signoff => {
            signoff::move_cursor(model, CursorMove::Left)
        }
        Action::Right if model.focus == Pane::Signoff => {
            signoff::move_cursor(model, CursorMove::Right)
        }
        Action::PrevLane => focus::move_lane(model, -1),
        Action::NextLane => focus::move_lane(model, 1),
        Action::Left => focus::move_lane(model, -1),
        Action::Right => focus::move_lane(model, 1),
        Action::Up => focus::scroll(model, -1),
        Action::Down => focus::scroll(model, 1),
        Action::Refresh => return lanes::poll_all(model),
        Action::SignGo | Action::SignNoGo | Action::Comment | Action::SignColumn
            if model.focus != Pane::Signoff =>
        {
            model.notify(Level::Info, "Tab to the Sign-off pane to sign");
        }
        Action::SignGo => return signoff::act(model, Some(Decision::Go), false),
        Action::SignNoGo => return signoff::act(model, Some(Decision::NoGo), false),
        Action::Comment => return signoff::act(model, None, true),
        Action::SignColumn => return signoff_column::ask(model),
        Action::Open if model.focus == Pane::Probes && !model.probes.all.is_empty() => {
            model.overlay = Overlay::ProbeDetails(model.probes.cursor);
        }
        Action::Open if model.focus == Pane::Signoff => signoff::open_history(model),
        Action::Open if model.focus == Pane::Phases => return pipeline_detail::open(model),
        Action::Open if model.focus == Pane::Lanes => lane_detail::open(model),
        Action::Open => model.dirty = false,
        Action::Approve => return approvals::open(model, false),
        Action::Reject => return approvals::open(model, true),
        Action::Advance | Action::Abort if approvals::clouddeploy_gate(model) => {
            return approvals::clouddeploy(model, action);
        }
        Action::Trigger
        | Action::PromoteHere
        | Action::RollbackHere
        | Action::PauseResume
        | Action::Advance
        | Action::Abort
        | Action::CommandLine => return commands::action(model, action),
    }
    Vec::new()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod signoff_tests;

#[cfg(test)]
mod command_tests;

#[cfg(test)]
mod pipeline_tests;

#[cfg(test)]
mod rollout_record_tests;

#[cfg(test)]
mod rollout_tests;

#[cfg(test)]
mod confirm_tests;

#[cfg(test)]
mod pipeline_detail_tests;

#[cfg(test)]
mod command_complete_tests;

#[cfg(test)]
mod pointer_tests;

#[cfg(test)]
mod alerts_tests;

#[cfg(test)]
mod approvals_tests;
#[cfg(test)]
mod changes_tests;
#[cfg(test)]
mod command_plan_tests;
#[cfg(test)]
mod command_read_tests;
#[cfg(test)]
mod gate_decision_tests;
