//! Below the smallest layout: one centred notice instead of a garbled cockpit.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Role, SizeClass, UiContext};

/// Whether `area` is below [`SizeClass::MIN`] in either direction.
pub fn applies(area: Rect) -> bool {
    let (width, height) = SizeClass::MIN;
    area.width < width || area.height < height
}

/// `terminal too small: 20×6, flightdeck needs at least 80×24`, word-wrapped to the width and
/// centred both ways.
pub fn render(ui: &UiContext, frame: &mut Frame, area: Rect) {
    let (width, height) = SizeClass::MIN;
    let text = format!(
        "terminal too small: {}×{}, flightdeck needs at least {width}×{height}",
        area.width, area.height
    );
    let lines: Vec<Line> = wrap(&text, usize::from(area.width.max(1)))
        .into_iter()
        .map(Line::from)
        .collect();
    let rows = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .min(area.height);
    let top = area.y + (area.height - rows) / 2;
    let paragraph = Paragraph::new(lines)
        .style(ui.theme.style(Role::Warn))
        .alignment(Alignment::Center);
    frame.render_widget(paragraph, Rect::new(area.x, top, area.width, rows));
}

/// Greedy word wrap; a word longer than the width is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word: String = word.chars().take(width).collect();
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    lines
}
