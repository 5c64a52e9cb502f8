//! Quitting while commands run. Over rollouts this cockpit drives, a prompt: keep them running in
//! a background process, hand them over, or abort them and quit once traffic is back. Over a
//! command already sent (its record, its call, a rollback being checked): quit once it ends and
//! its outcome is recorded, or at once on a second `q`. Nothing sent yet: quit at once.

use super::rollouts::{handle, release_all};
use crate::model::rollout_drive::DriveEvent;
use crate::model::rollouts::Control;
use crate::model::{Level, Model};
use crate::msg::Cmd;

/// The answer to the quit prompt.
pub fn quit_choice(model: &mut Model, envs: Vec<String>, text: &str) -> Vec<Cmd> {
    match text.trim() {
        "b" | "background" if model.operations.no_successor.is_some() => {
            let why = model.operations.no_successor.clone().unwrap_or_default();
            model.notify(Level::Warn, why);
            Vec::new()
        }
        "b" | "background" => {
            let mut cmds = release_all(model, "the cockpit quit: a background process drives on");
            cmds.extend(envs.into_iter().map(|env| Cmd::SpawnSuccessor { env }));
            model.quitting = true;
            cmds
        }
        "h" | "hand over" => {
            let cmds = release_all(model, "the cockpit quit");
            model.quitting = true;
            cmds
        }
        "a" | "abort" => {
            model.operations.quit_when_idle = true;
            let mut cmds = Vec::new();
            for env in envs {
                let abort = Control::Abort("aborted: the cockpit quit".into());
                cmds.extend(handle(model, &env, DriveEvent::Control(abort)));
            }
            model.notify(
                Level::Warn,
                "aborting: the cockpit quits once traffic is back",
            );
            cmds
        }
        _ => {
            model.notify(Level::Warn, "type b, h or a, then Enter (Esc stays)");
            model.overlay = crate::model::Overlay::Prompt(crate::model::Prompt::Quit { envs });
            Vec::new()
        }
    }
}

/// `q` with no rollout driven here.
pub fn asked(model: &mut Model, again: bool) {
    let out: Vec<String> = model
        .operations
        .running
        .values()
        .filter(|running| running.phase.is_out())
        .map(|running| running.label.clone())
        .collect();
    if out.is_empty() || again {
        model.quitting = true;
        return;
    }
    model.operations.quit_when_idle = true;
    model.operations.quit_warned = true;
    model.notify(
        Level::Warn,
        format!(
            "quitting once {} ends and its outcome is recorded; q again quits now and leaves it unfinished, Esc stays",
            out.join(", ")
        ),
    );
}

/// Esc while waiting to quit: stay.
pub fn stay(model: &mut Model) {
    model.operations.quit_when_idle = false;
    model.notify(
        Level::Info,
        "staying: the cockpit no longer quits when the command ends",
    );
}

/// Quits once nothing this cockpit sent is still under way, when asked to.
pub fn when_idle(model: &mut Model) {
    let ops = &model.operations;
    let busy = !ops.hosted.is_empty()
        || !ops.changes.is_empty()
        || ops.running.values().any(|running| running.phase.is_out());
    if ops.quit_when_idle && !busy {
        model.quitting = true;
    }
}
