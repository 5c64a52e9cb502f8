use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext, data_age};
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
        Some(age) => format!("data {}", data_age(age, model.poll_interval_secs)),
        None => "no data yet".to_string(),
    };
    let right = format!(" {age}{sep}{} UTC ", model.now.format("%H:%M:%S"));
    // The clock changes every second: drawn in the plain text style, its cells cost a few bytes
    // a second to a terminal over SSH instead of re-sending the header's colours each time.
    let clock_style = ui.theme.style(Role::Text);
    let width = area.width as usize;
    let left_width = left.chars().count();
    let right_width = right.chars().count();
    let line = if left_width + right_width < width {
        Line::from(vec![
            Span::styled(left, style),
            Span::styled(" ".repeat(width - left_width - right_width), style),
            Span::styled(right, clock_style),
        ])
    } else {
        let clipped: String = left
            .chars()
            .take(width.saturating_sub(right_width))
            .collect();
        Line::from(vec![
            Span::styled(clipped, style),
            Span::styled(right, clock_style),
        ])
    };
    frame.render_widget(Paragraph::new(line), area);
}
