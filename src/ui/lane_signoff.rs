//! The sign-off line of a lane card: `NO-GO 9/32 · Security objects`, `GO 32/32`, or, for a
//! lane whose policy needs none, `no sign-off needed`.

use std::borrow::Cow;

use ratatui::text::{Line, Span};

use super::text::ellipsize;
use super::{Role, UiContext};
use crate::ledger::Decision;
use crate::model::Model;
use crate::model::signoff::SignoffGrid;
use crate::policy::decide;

/// What the card says about sign-off, and in which colour.
pub fn summary(model: &Model, index: usize) -> (String, Role) {
    if !model.signoff_required.get(index).copied().unwrap_or(false) {
        return ("no sign-off needed".into(), Role::Dim);
    }
    let Some(grid) = grid_of(model, index) else {
        return ("sign-off: no release yet".into(), Role::Dim);
    };
    let verdict = decide(&grid);
    let required: Vec<usize> = (0..grid.roles.len())
        .filter(|col| grid.roles[*col].required)
        .collect();
    let total = grid.rows() * required.len();
    let signed = (0..grid.rows())
        .flat_map(|row| required.iter().map(move |col| (row, *col)))
        .filter(|(row, col)| {
            grid.cell(*row, *col)
                .is_some_and(|c| c.decision() == Some(Decision::Go))
        })
        .count();
    if verdict.go {
        return (format!("GO {signed}/{total} {}", grid.release), Role::Pass);
    }
    let why = match (verdict.objections.first(), verdict.missing.len()) {
        (Some(objection), _) => format!("{} objects", objection.role),
        (None, 0) => "nothing to sign".to_string(),
        (None, _) => format!("{} open", total - signed),
    };
    (format!("NO-GO {signed}/{total} · {why}"), Role::Fail)
}

pub fn line<'a>(model: &Model, index: usize, ui: &UiContext, width: usize) -> Line<'a> {
    let (text, role) = summary(model, index);
    let symbol = match role {
        Role::Pass => ui.symbols.pass,
        Role::Fail => ui.symbols.fail,
        _ => ui.symbols.pending,
    };
    Line::from(Span::styled(
        ellipsize(&format!("{symbol} {text}"), width),
        ui.theme.style(role),
    ))
}

/// The grid shown in the sign-off pane when it is this lane's, else one folded from the ledger.
fn grid_of(model: &Model, index: usize) -> Option<Cow<'_, SignoffGrid>> {
    let env = &model.lanes.get(index)?.env;
    let release = model.candidate_release(index)?;
    match &model.signoffs.grid {
        Some(grid) if &grid.env == env && grid.release == release => Some(Cow::Borrowed(grid)),
        _ => Some(Cow::Owned(SignoffGrid::from_entries(
            &model.signoffs.config,
            env,
            &release,
            &model.signoffs.entries,
        ))),
    }
}
