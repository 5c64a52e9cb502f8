//! The quit prompt while this cockpit drives rollouts: keep them running in a background
//! process, hand them over, or abort them and quit once traffic is back.

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
