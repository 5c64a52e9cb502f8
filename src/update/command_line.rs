//! The `:` command line: `trigger V`, `build V`, `promote FROM TO`, `rollback [ENV] [REV]`,
//! `pause|resume|advance|abort [ENV]`, `approve|reject [ENV] [COMMENT]`, `cancel [ENV]`,
//! `refresh`, `help`, `quit`.

use crate::model::command::Request;
use crate::model::rollouts::Control;
use crate::model::{Level, Model, Overlay};
use crate::msg::Cmd;

/// A `:` command: the same commands as the keys, by name.
pub fn run(model: &mut Model, text: &str) -> Vec<Cmd> {
    let remembered = model.command_line.remember(text);
    let mut cmds: Vec<Cmd> = remembered.map(Cmd::RememberCommand).into_iter().collect();
    cmds.extend(run_line(model, text));
    cmds
}

fn run_line(model: &mut Model, text: &str) -> Vec<Cmd> {
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
        ["build", version] | ["trigger", version, "github" | "--via=github"] => {
            Some(Request::Trigger {
                version: (*version).to_string(),
                via: crate::model::command::TriggerVia::GithubDispatch,
            })
        }
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
            return super::confirm::ask_control(model, env, control);
        }
        ["approve" | "reject" | "cancel", ..] if known(&env_or_selected(1)) => {
            let action = match words[0] {
                "approve" => crate::model::command::GateAction::Approve,
                "reject" => crate::model::command::GateAction::Reject,
                _ => crate::model::command::GateAction::Cancel,
            };
            Some(Request::Gate {
                env: env_or_selected(1),
                action,
                comment: (words.len() > 2).then(|| words[2..].join(" ")),
            })
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
        Some(request) => super::confirm::start(model, request),
        None => {
            let envs: Vec<&str> = model.lanes.iter().map(|l| l.env.as_str()).collect();
            model.notify(
                Level::Warn,
                format!(
                    "`:{text}` is not a command ({}; lanes: {})",
                    crate::model::command_line::summary(),
                    envs.join(", ")
                ),
            );
            Vec::new()
        }
    }
}
