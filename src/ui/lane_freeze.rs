//! A lane's line for the platform's own freeze in force (a Cloud Deploy deploy policy): which
//! policy and rule, and until when (UTC).

use ratatui::text::{Line, Span};

use super::{Role, UiContext};
use crate::model::Model;
use crate::model::lane::ServiceState;
use crate::policy::freeze;

/// `None` when no platform freeze is in force on the lane now.
pub fn line<'a>(model: &Model, service: &ServiceState, ui: &UiContext) -> Option<Line<'a>> {
    service.freezes.iter().find_map(|f| {
        let active = freeze::active_at(&f.window, model.now).ok().flatten()?;
        // The window itself is in the confirmation and `status`; the card names who and until when.
        let who = active.name.trim_start_matches("deploy policy ");
        Some(Line::from(Span::styled(
            format!(
                "{} frozen by {who} until {}",
                ui.symbols.warn,
                active.until.format("%m-%d %H:%M")
            ),
            ui.theme.style(Role::Warn),
        )))
    })
}
