//! A banner across the cockpit while the ledger does not verify: which line, what is wrong, and
//! what to do. It stays until the ledger verifies again (the follower re-checks every change).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Role, UiContext};
use crate::ledger::follow::{Break, Health};
use crate::model::Model;

fn broken(model: &Model) -> Option<&Break> {
    match &model.signoffs.health {
        Some(Health::Broken(b)) => Some(b),
        _ => None,
    }
}

/// Rows the banner needs at `width` (0 when the ledger verifies).
pub fn height(model: &Model, width: u16) -> u16 {
    match broken(model) {
        Some(b) => {
            let len = text(b).chars().count() + 4;
            let rows = len.div_ceil(usize::from(width.max(20)));
            u16::try_from(rows.clamp(1, 3)).unwrap_or(3)
        }
        None => 0,
    }
}

fn text(b: &Break) -> String {
    format!(
        "LEDGER BROKEN at {}:{}: {} — {}",
        b.path.display(),
        b.line,
        b.message,
        b.advice
    )
}

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let Some(b) = broken(model) else {
        return;
    };
    let style = ui.theme.style(Role::Fail).add_modifier(Modifier::BOLD);
    let line = Line::from(vec![
        Span::styled(format!(" {} ", ui.symbols.fail), style),
        Span::styled(text(b), style),
    ]);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}
