use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{ellipsize, position_marker};
use super::{Role, UiContext};
use crate::model::{Level, Model};

/// The newest events first; only the visible rows are built.
pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect, focused: bool) {
    let rows = area.height.saturating_sub(2) as usize;
    // time (9) + symbol (2) + lane mark (1) + lane (8); the rest is the text, cut with an ellipsis.
    let text_width = (area.width as usize).saturating_sub(2 + 9 + 2 + 1 + 8);
    let selected = model.lanes.get(model.selected_lane).map(|l| l.env.as_str());
    let lines: Vec<Line> = model
        .activity
        .visible()
        .skip(model.activity.scroll)
        .take(rows)
        .map(|entry| {
            let (symbol, role) = match entry.level {
                Level::Info => (ui.symbols.pending, Role::Info),
                Level::Good => (ui.symbols.pass, Role::Pass),
                Level::Warn => (ui.symbols.warn, Role::Warn),
                Level::Error => (ui.symbols.fail, Role::Fail),
            };
            Line::from(vec![
                Span::styled(
                    entry.at.format("%H:%M:%S ").to_string(),
                    ui.theme.style(Role::Dim),
                ),
                Span::styled(format!("{symbol} "), ui.theme.style(role)),
                // The selected lane's entries are marked, as its card is.
                match entry.lane.is_some() && entry.lane.as_deref() == selected {
                    true => Span::styled(ui.symbols.selected, ui.theme.style(Role::Accent)),
                    false => Span::raw(" "),
                },
                Span::styled(
                    format!("{:<8}", entry.lane.as_deref().unwrap_or("")),
                    ui.theme.style(Role::Accent),
                ),
                Span::styled(
                    ellipsize(&entry.text, text_width),
                    ui.theme.style(Role::Text),
                ),
            ])
        })
        .collect();
    let mut title = " Activity ".to_string();
    if let Some(filter) = &model.activity.filter {
        title = format!(
            " Activity /{filter}/ ({} of {}, Esc clears) ",
            model.activity.visible().count(),
            model.activity.entries.len()
        );
    }
    if model.activity.scroll > 0 {
        title.push_str(&format!("(+{} newer) ", model.activity.scroll));
    }
    let total = model.activity.visible().count();
    let marker = position_marker(model.activity.scroll, rows, total);
    let body = if lines.is_empty() {
        vec![Line::from(Span::styled(
            if model.activity.filter.is_some() {
                "  nothing matches the filter"
            } else {
                "  waiting for the first poll…"
            },
            ui.theme.style(Role::Dim),
        ))]
    } else {
        lines
    };
    let block = ui
        .block(&title, focused)
        .title_bottom(Line::from(marker).right_aligned());
    frame.render_widget(Paragraph::new(body).block(block), area);
}
