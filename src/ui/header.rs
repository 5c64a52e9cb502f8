use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext, human_secs};
use crate::model::Model;

/// `flightdeck · clarity-backend · profile sandbox · data 1s · 22:41:07 UTC`
pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let style = ui.theme.style(Role::Header);
    let sep = format!(" {} ", ui.symbols.sep);
    let mut left = format!(
        " flightdeck{sep}{}{sep}profile {}",
        model.service, model.profile
    );
    if let Some(addr) = &model.sandbox_addr {
        left.push_str(&format!(" (sandbox {addr})"));
    }
    if model.read_only {
        left.push_str(&format!("{sep}READ-ONLY"));
    }
    let age = match model.oldest_data_age() {
        Some(age) => format!("data {}", human_secs(age)),
        None => "no data yet".to_string(),
    };
    let right = format!("{age}{sep}{} UTC ", model.now.format("%H:%M:%S"));
    let width = area.width as usize;
    let left_width = left.chars().count();
    let right_width = right.chars().count();
    let line = if left_width + right_width < width {
        Line::from(vec![
            Span::styled(left, style),
            Span::styled(" ".repeat(width - left_width - right_width), style),
            Span::styled(right, style),
        ])
    } else {
        let clipped: String = left
            .chars()
            .take(width.saturating_sub(right_width))
            .collect();
        Line::from(vec![
            Span::styled(clipped, style),
            Span::styled(right, style),
        ])
    };
    frame.render_widget(Paragraph::new(line).style(style), area);
}
