//! The `:` line's Tab completion and history, driven only by messages.

use super::update;
use crate::model::command_line::LineKey;
use crate::model::fixtures::three_lanes;
use crate::model::{Model, Overlay, Prompt};
use crate::msg::{Action, Msg};

/// Sends `key` with the line holding `text`; returns the text the editor is given.
fn key(model: &mut Model, key: LineKey, text: &str) -> Option<String> {
    update(
        model,
        Msg::CommandLineKey {
            key,
            text: text.into(),
        },
    );
    model.command_line.replace.take()
}

fn tab(model: &mut Model, text: &str) -> Option<String> {
    key(model, LineKey::Complete, text)
}

fn submit(model: &mut Model, text: &str) {
    update(model, Msg::Action(Action::CommandLine));
    assert_eq!(model.overlay, Overlay::Prompt(Prompt::CommandLine));
    update(model, Msg::PromptSubmitted(text.into()));
    model.overlay = Overlay::None;
}

#[test]
fn tab_completes_a_command_then_environments_and_revisions() {
    let mut model = three_lanes(1);
    assert_eq!(tab(&mut model, "pro").as_deref(), Some("promote "));
    assert_eq!(
        tab(&mut model, "promote st").as_deref(),
        Some("promote staging ")
    );
    assert_eq!(
        tab(&mut model, "promote staging p").as_deref(),
        Some("promote staging prod ")
    );
    assert_eq!(
        tab(&mut model, "rollback prod 0000").as_deref(),
        Some("rollback prod 00008-abc")
    );
    assert_eq!(
        tab(&mut model, "build 1.4.").as_deref(),
        Some("build 1.4.2")
    );
    assert_eq!(tab(&mut model, "refresh x"), None, "nothing to offer");
    assert_eq!(tab(&mut model, "zz"), None);
}

#[test]
fn repeated_tab_cycles_the_candidates_and_typing_starts_over() {
    let mut model = three_lanes(1);
    // pause, promote: both start with p.
    let first = tab(&mut model, "p").unwrap();
    assert_eq!(first, "promote");
    let cycle = model.command_line.cycle.clone().unwrap();
    assert_eq!(cycle.candidates, ["promote", "pause"]);
    assert_eq!(tab(&mut model, &first).as_deref(), Some("pause"));
    assert_eq!(
        tab(&mut model, "pause").as_deref(),
        Some("promote"),
        "wraps around"
    );
    // Something typed in between: a new completion of what is there now.
    assert_eq!(
        tab(&mut model, "promote s").as_deref(),
        Some("promote staging ")
    );
    assert!(model.command_line.cycle.is_none());
    let envs = tab(&mut model, "abort ").unwrap();
    assert_eq!(envs, "abort dev");
    assert_eq!(tab(&mut model, &envs).as_deref(), Some("abort staging"));
}

#[test]
fn up_and_down_recall_submitted_lines_like_a_shell() {
    let mut model = three_lanes(1);
    assert_eq!(key(&mut model, LineKey::Older, ""), None, "no history yet");
    submit(&mut model, "refresh");
    submit(&mut model, "help");
    submit(&mut model, "help");
    submit(&mut model, "   ");
    assert_eq!(model.command_line.history, ["refresh", "help"]);
    assert_eq!(
        key(&mut model, LineKey::Older, "pro").as_deref(),
        Some("help")
    );
    assert_eq!(
        key(&mut model, LineKey::Older, "help").as_deref(),
        Some("refresh")
    );
    assert_eq!(
        key(&mut model, LineKey::Older, "refresh").as_deref(),
        Some("refresh"),
        "oldest stays"
    );
    assert_eq!(
        key(&mut model, LineKey::Newer, "refresh").as_deref(),
        Some("help")
    );
    assert_eq!(
        key(&mut model, LineKey::Newer, "help").as_deref(),
        Some("pro"),
        "the draft back"
    );
    assert_eq!(key(&mut model, LineKey::Newer, "pro"), None);
}

#[test]
fn the_history_keeps_its_newest_lines() {
    let mut model = three_lanes(1);
    let capacity = crate::model::command_line::HISTORY_CAPACITY;
    for i in 0..capacity + 5 {
        model.command_line.remember(&format!("trigger 1.0.{i}"));
    }
    let history = &model.command_line.history;
    assert_eq!(history.len(), capacity);
    assert_eq!(history[0], "trigger 1.0.5");
}

#[test]
fn a_submitted_line_is_kept_on_disk_once() {
    let mut model = three_lanes(1);
    update(&mut model, Msg::Action(Action::CommandLine));
    let cmds = update(&mut model, Msg::PromptSubmitted("help".into()));
    assert!(cmds.contains(&crate::msg::Cmd::RememberCommand("help".into())));
    model.overlay = Overlay::None;
    update(&mut model, Msg::Action(Action::CommandLine));
    let again = update(&mut model, Msg::PromptSubmitted("help".into()));
    assert!(
        !again
            .iter()
            .any(|c| matches!(c, crate::msg::Cmd::RememberCommand(_))),
        "an immediate repeat is not written twice"
    );
}
