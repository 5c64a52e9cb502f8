use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Role, UiContext};
use crate::model::command_line::summary;

pub const KEYS: &[(&str, &str)] = &[
    ("q Ctrl-C ?", "quit (the terminal is restored); ? this help"),
    ("Tab, Shift-Tab", "next / previous pane"),
    ("h l, ← →, [ ]", "select lane; [ ] from any pane"),
    ("j k, ↑ ↓", "move / scroll in the focused pane"),
    ("r", "refresh every lane now"),
    ("/", "filter the activity pane (Esc clears)"),
    (
        "g n c G",
        "sign-off: GO, NO-GO (reason), comment, GO column",
    ),
    ("t", "trigger a release (asks for the version)"),
    ("p", "promote the lane before into the selected one"),
    (
        "Enter",
        "details: lane, probe, phase (steps, failure), cell",
    ),
    ("R", "roll the selected lane back (pick a revision)"),
    ("A", "acknowledge the alerts in the banner"),
    (
        "Space a x",
        "canary: pause/resume, advance, abort (or cancel)",
    ),
    ("v V", "approve / reject the gate the lane waits on"),
    (
        ":",
        "every : command (the list below is the one Tab completes from)",
    ),
    (
        "Tab ↑ ↓",
        "on the : line: complete a word, recall earlier lines",
    ),
    (
        "mouse",
        "click focuses, selects; wheel scrolls; Shift+drag copies",
    ),
    ("Esc, Ctrl-S", "back / close; Ctrl-S submits a comment"),
];

pub fn render(ui: &UiContext, frame: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from(Span::styled(
        "Keys",
        ui.theme.style(Role::Title),
    ))];
    // Descriptions wrap under themselves, not under the keys.
    let width = usize::from(area.width.saturating_sub(2 + 18));
    for (key, what) in KEYS {
        let what = match *key {
            ":" => summary(),
            _ => what.to_string(),
        };
        for (i, part) in super::text::wrap(&what, width).into_iter().enumerate() {
            let key = if i == 0 { *key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<16}"), ui.theme.style(Role::Key)),
                Span::styled(part, ui.theme.style(Role::Text)),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "  Data older than two poll intervals is marked STALE with its age.",
        ui.theme.style(Role::Dim),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(ui.block(" Help ", true))
            .wrap(Wrap { trim: false }),
        area,
    );
}
