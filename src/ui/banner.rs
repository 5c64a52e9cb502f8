//! The alert banner: one row per unacknowledged alert (the newest last), until `A` acknowledges.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::ellipsize;
use super::{Role, UiContext};
use crate::model::Model;

/// At most three rows (two on a small terminal); the last one says how many more are hidden.
pub fn rows(model: &Model, screen_height: u16) -> u16 {
    let cap = if screen_height >= 36 { 3 } else { 2 };
    model.alerts.open.len().min(cap) as u16
}

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let shown = area.height as usize;
    let open = &model.alerts.open;
    let hidden = open.len().saturating_sub(shown);
    let width = area.width as usize;
    let lines: Vec<Line> = open
        .iter()
        .skip(hidden)
        .enumerate()
        .map(|(row, alert)| {
            let (symbol, role) = if alert.kind.is_bad() {
                (ui.symbols.fail, Role::Fail)
            } else {
                (ui.symbols.pass, Role::Pass)
            };
            let lane = alert
                .lane
                .as_deref()
                .map_or_else(String::new, |l| format!("{l}: "));
            let tail = if row + 1 == shown {
                match hidden {
                    0 => "  (A: acknowledge)".to_string(),
                    n => format!("  (+{n} older; A: acknowledge all)"),
                }
            } else {
                String::new()
            };
            let head = format!(" {symbol} {} {lane}", alert.at.format("%H:%M:%S"));
            let room = width.saturating_sub(head.chars().count() + tail.chars().count());
            Line::from(vec![
                Span::styled(head, ui.theme.style(role)),
                Span::styled(ellipsize(&alert.text, room), ui.theme.style(Role::Text)),
                Span::styled(tail, ui.theme.style(Role::Dim)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
