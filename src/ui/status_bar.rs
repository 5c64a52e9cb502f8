use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext};
use crate::model::{Model, Overlay};

/// The keys that work right now.
pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let keys: &[(&str, &str)] = match model.overlay {
        Overlay::Help => &[("Esc", "close"), ("q", "quit")],
        Overlay::None => &[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("h/l", "lane"),
            ("j/k", "scroll"),
            ("r", "refresh"),
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
