//! The go/no-go sign-off grid of the selected lane: checklist items × roles, the selected cell's
//! details, and the decision computed by policy (never typed).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Role, UiContext};
use crate::ledger::Decision;
use crate::model::Model;
use crate::model::signoff::{Cell, SignoffGrid};
use crate::policy::decide;

const ITEM_WIDTH: usize = 15;

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect, focused: bool) {
    let Some(grid) = &model.signoffs.grid else {
        let text = match model.signoff_lane().and_then(|i| model.lanes.get(i)) {
            Some(lane) => format!(
                "  {}: no release to sign yet (waiting for the lane before it)",
                lane.env
            ),
            None => "  no lane needs a sign-off (the profile's policy sets require_signoff)".into(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, ui.theme.style(Role::Dim)))
                .block(ui.block(" Sign-off ", focused)),
            area,
        );
        return;
    };
    let stale = if model.signoffs.unreachable.is_some() {
        "STALE: ledger unreachable "
    } else {
        ""
    };
    let title = format!(
        " Sign-off {} {} {} {stale}",
        grid.env, ui.symbols.sep, grid.release
    );
    let block = ui.block(&title, focused);
    let selected = model.lanes.get(model.selected_lane);
    let [note_area, table_area, detail_area, decision_area] = parts(model, grid, area);
    let note_rows = note_area.height;
    let visible = (table_area.height as usize).saturating_sub(1);
    let first = (grid.cursor.row + 1).saturating_sub(visible);
    let marker = super::text::position_marker(first, visible, grid.items.len());
    frame.render_widget(block.title_bottom(Line::from(marker).right_aligned()), area);
    if let Some(lane) = selected.filter(|_| note_rows > 0) {
        let note = format!(
            "{} needs no sign-off; showing {}, the next lane that does",
            lane.env, grid.env
        );
        frame.render_widget(
            Paragraph::new(Span::styled(note, ui.theme.style(Role::Dim))),
            note_area,
        );
    }
    render_table(grid, ui, frame, table_area, focused);
    render_selected(grid, ui, frame, detail_area);
    render_decision(grid, ui, frame, decision_area);
}

/// The pane's inside: a note (when the grid is another lane's), the table, the selected cell,
/// the decision.
fn parts(model: &Model, grid: &SignoffGrid, area: Rect) -> [Rect; 4] {
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let selected = model.lanes.get(model.selected_lane);
    let note_rows = u16::from(selected.is_some_and(|l| l.env != grid.env));
    Layout::vertical([
        Constraint::Length(note_rows),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(inner)
}

/// The grid cell (item row, role column) drawn at `at` in the pane at `area`; a click on an
/// item's name picks the cursor's column.
pub fn cell_at(model: &Model, area: Rect, at: ratatui::layout::Position) -> Option<(usize, usize)> {
    let grid = model.signoffs.grid.as_ref()?;
    let [_, table, _, _] = parts(model, grid, area);
    if !table.contains(at) {
        return None;
    }
    let visible = usize::from(table.height).saturating_sub(1);
    let first = (grid.cursor.row + 1).saturating_sub(visible);
    let row = first + usize::from(at.y.checked_sub(table.y + 1)?);
    let col_width = usize::from(table.width).saturating_sub(ITEM_WIDTH) / grid.roles.len().max(1);
    let x = usize::from(at.x - table.x);
    let col = match x.checked_sub(ITEM_WIDTH) {
        None => grid.cursor.col,
        Some(x) => x / col_width.max(1),
    };
    (row < grid.items.len() && col < grid.roles.len()).then_some((row, col))
}

fn render_table(grid: &SignoffGrid, ui: &UiContext, frame: &mut Frame, area: Rect, focused: bool) {
    let cols = grid.roles.len().max(1);
    let col_width = (area.width as usize).saturating_sub(ITEM_WIDTH) / cols;
    let mut header = vec![Span::styled(pad("", ITEM_WIDTH), ui.theme.style(Role::Dim))];
    for role in &grid.roles {
        let name = if role.required {
            role.name.clone()
        } else {
            format!("({})", role.name)
        };
        header.push(Span::styled(
            pad(&name, col_width),
            ui.theme.style(Role::Title),
        ));
    }
    let mut lines = vec![Line::from(header)];
    let visible = (area.height as usize).saturating_sub(1);
    // Only the rows that fit are built; the cursor's row is kept in view.
    let first = (grid.cursor.row + 1).saturating_sub(visible);
    for (row, item) in grid.items.iter().enumerate().skip(first).take(visible) {
        let mut spans = vec![Span::styled(
            pad(item, ITEM_WIDTH),
            ui.theme.style(Role::Text),
        )];
        for col in 0..grid.roles.len() {
            let (text, role) = grid.cell(row, col).map_or_else(
                || (format!("{} open", ui.symbols.pending), Role::Dim),
                |cell| cell_text(cell, ui),
            );
            let selected = focused && grid.cursor.row == row && grid.cursor.col == col;
            let style = if selected {
                ui.theme.style(role).patch(ui.theme.style(Role::Selected))
            } else {
                ui.theme.style(role)
            };
            spans.push(Span::styled(pad(&text, col_width), style));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn cell_text(cell: &Cell, ui: &UiContext) -> (String, Role) {
    let note = if cell.comments.is_empty() { "" } else { "*" };
    match &cell.signature {
        Some(sig) if sig.decision == Decision::Go => (
            format!("{} GO {}{note}", ui.symbols.pass, sig.account),
            Role::Pass,
        ),
        Some(sig) => (
            format!("{} NO-GO {}{note}", ui.symbols.fail, sig.account),
            Role::Fail,
        ),
        None => (format!("{} open{note}", ui.symbols.pending), Role::Dim),
    }
}

fn render_selected(grid: &SignoffGrid, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let Some((item, role, cell)) = grid.selected() else {
        return;
    };
    let mut text = format!("{item} × {role}: ");
    match &cell.signature {
        Some(sig) => {
            text.push_str(&format!(
                "{} by {} at {}",
                sig.decision.label(),
                sig.account,
                sig.time.format("%H:%M:%S")
            ));
            if let Some(comment) = &sig.comment {
                text.push_str(&format!(" \"{}\"", one_line(comment)));
            }
        }
        None => text.push_str("open"),
    }
    if let Some(last) = cell.comments.last() {
        text.push_str(&format!(
            " {} {}: \"{}\"",
            ui.symbols.sep,
            last.account,
            one_line(&last.text)
        ));
    }
    frame.render_widget(
        Paragraph::new(Span::styled(text, ui.theme.style(Role::Dim))),
        area,
    );
}

fn render_decision(grid: &SignoffGrid, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let verdict = decide(grid);
    let (label, role) = if verdict.go {
        (format!("{} GO", ui.symbols.pass), Role::Pass)
    } else {
        (format!("{} NO-GO", ui.symbols.fail), Role::Fail)
    };
    let reason = verdict
        .reason
        .strip_prefix("NO-GO: ")
        .or_else(|| verdict.reason.strip_prefix("GO: "))
        .unwrap_or(&verdict.reason)
        .to_string();
    let line = Line::from(vec![
        Span::styled(format!("Decision: {label}"), ui.theme.style(role)),
        Span::styled(format!("  {reason}"), ui.theme.style(Role::Text)),
    ]);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

fn pad(text: &str, width: usize) -> String {
    let mut out = super::text::ellipsize(text, width.saturating_sub(1));
    let used = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
