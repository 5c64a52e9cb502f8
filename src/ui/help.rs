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
    ("Enter", "lane: in depth; probe: checks; grid cell: history"),
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
    // A long explanation continues under itself, not under the keys.
    let room = (area.width as usize).saturating_sub(2 + 18).max(10);
    for (key, what) in KEYS {
        for (i, part) in wrap(what, room).into_iter().enumerate() {
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

/// `text` in lines of at most `width` characters, broken at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}
