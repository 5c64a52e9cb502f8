use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext};
use crate::model::{Level, Model, Overlay, Pane};

/// The keys that work right now.
pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    if let Some(notice) = &model.notice {
        let (symbol, role) = match notice.level {
            Level::Info => (ui.symbols.pending, Role::Info),
            Level::Good => (ui.symbols.pass, Role::Pass),
            Level::Warn => (ui.symbols.warn, Role::Warn),
            Level::Error => (ui.symbols.fail, Role::Fail),
        };
        let line = Line::from(Span::styled(
            format!(" {symbol} {}", notice.text),
            ui.theme.style(role),
        ));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let keys: &[(&str, &str)] = match (&model.overlay, model.focus) {
        (Overlay::Help, _) => &[("Esc", "close"), ("q", "quit")],
        (Overlay::ProbeDetails(_), _) => &[("Esc", "close"), ("j/k", "next probe"), ("q", "quit")],
        (Overlay::Prompt(p), _) if p.multi_line() => &[("Ctrl-S", "submit"), ("Esc", "cancel")],
        (Overlay::Prompt(_), _) => &[("Enter", "submit"), ("Esc", "cancel")],
        (Overlay::None, Pane::Signoff) => &[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("hjkl", "cell"),
            ("g", "GO"),
            ("n", "NO-GO"),
            ("c", "comment"),
        ],
        (Overlay::None, Pane::Probes) => &[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("j/k", "probe"),
            ("Enter", "details"),
            ("[ ]", "lane"),
        ],
        (Overlay::None, _) => &[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("t", "trigger"),
            ("p", "promote"),
            ("R", "rollback"),
            (":", "cmd"),
        ],
    };
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in keys {
        spans.push(Span::styled(*key, ui.theme.style(Role::Key)));
        spans.push(Span::styled(
            format!(" {what}  "),
            ui.theme.style(Role::StatusBar),
        ));
    }
    spans.push(Span::styled(
        format!("[{}]", model.focus.title()),
        ui.theme.style(Role::Dim),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
