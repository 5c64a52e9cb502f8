//! A lane's line for the platform's own freeze in force (a Cloud Deploy deploy policy): which
//! policy and rule, its window, and until when.

use ratatui::text::{Line, Span};

use super::{Role, UiContext};
use crate::model::Model;
use crate::model::lane::ServiceState;
use crate::policy::freeze;

/// `None` when no platform freeze is in force on the lane now.
pub fn line<'a>(model: &Model, service: &ServiceState, ui: &UiContext) -> Option<Line<'a>> {
    service.freezes.iter().find_map(|f| {
        let active = freeze::active_at(&f.window, model.now).ok().flatten()?;
        let actions = if f.actions.is_empty() {
            "all actions".to_string()
        } else {
            f.actions.join(",")
        };
        Some(Line::from(Span::styled(
            format!(
                "{} frozen until {}: {} ({actions}; {})",
                ui.symbols.warn,
                active.until.format("%m-%d %H:%M UTC"),
                active.name,
                active.description,
            ),
            ui.theme.style(Role::Warn),
        )))
    })
}
