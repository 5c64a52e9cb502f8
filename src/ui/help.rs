use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Role, UiContext};

pub const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit (the terminal is restored)"),
    ("?", "this help; Esc or ? closes it"),
    ("Tab, Shift-Tab", "next / previous pane"),
    ("h l, ← →, [ ]", "select lane; [ ] from any pane"),
    ("j k, ↑ ↓", "move / scroll in the focused pane"),
    ("r", "refresh every lane now"),
    ("/", "filter the activity pane (Esc clears)"),
    ("g n c", "sign-off pane: GO, NO-GO (with reason), comment"),
    ("G", "sign-off pane: GO on the whole column (asks)"),
    ("t", "trigger a release (asks for the version)"),
    ("p", "promote the lane before into the selected one"),
    ("Enter", "details: probe, phase (steps, failure), cell"),
    ("R", "roll the selected lane back (pick a revision)"),
    ("A", "acknowledge the alerts in the banner"),
    (
        "Space a x",
        "canary: pause/resume, advance, abort (or cancel)",
    ),
    ("v V", "approve / reject the gate the lane waits on"),
    (
        ":",
        "trigger V, build V, promote A B, rollback [E] [R], pause/resume/advance/abort [E], refresh, quit",
    ),
    ("Esc, Ctrl-S", "back / close; Ctrl-S submits a comment"),
];

pub fn render(ui: &UiContext, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled("Keys", ui.theme.style(Role::Title))),
        Line::raw(""),
    ];
    for (key, what) in KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:<16}"), ui.theme.style(Role::Key)),
            Span::styled(*what, ui.theme.style(Role::Text)),
        ]));
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
