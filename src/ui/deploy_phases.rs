//! The phases pane for a lane whose platform runs its own rollouts (Cloud Deploy): the selected
//! lane's newest rollout, a row per phase (`canary-10`, `stable`) with its jobs (deploy, verify),
//! and what it waits for with the keys that answer it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext};
use crate::model::Model;
use crate::model::lane::{DeployPhase, DeployRollout};

/// The selected lane's platform rollout, if the lane has one.
pub fn selected(model: &Model) -> Option<(&str, &DeployRollout)> {
    let lane = model.lanes.get(model.selected_lane)?;
    let rollout = lane.service.as_ref()?.rollout.as_ref()?;
    Some((lane.env.as_str(), rollout))
}

/// `selected`: the phase j/k chose (marked `▸` when the pane has the focus).
pub fn render(
    (env, rollout): (&str, &DeployRollout),
    selected: Option<usize>,
    ui: &UiContext,
    frame: &mut Frame,
    area: Rect,
    focused: bool,
) {
    let title = format!(
        " {env} · rollout {} · {} · {} ",
        rollout.id,
        rollout.version,
        words(&rollout.state)
    );
    let block = ui.block(&title, focused);
    let inner = block.inner(area);
    let rows = (inner.height as usize).saturating_sub(1);
    let mut lines: Vec<Line> = rollout
        .phases
        .iter()
        .enumerate()
        .take(rows)
        .map(|(index, p)| phase_line(p, focused && Some(index) == selected, ui))
        .collect();
    lines.push(footer(rollout, ui));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

pub(super) fn words(state: &str) -> String {
    state.to_lowercase().replace('_', " ")
}

pub(super) fn look(state: &str, ui: &UiContext) -> (&'static str, Role) {
    match state {
        "SUCCEEDED" => (ui.symbols.pass, Role::Pass),
        "IN_PROGRESS" => (ui.symbols.running, Role::Running),
        "FAILED" | "ABORTED" => (ui.symbols.fail, Role::Fail),
        "PENDING_APPROVAL" => (ui.symbols.warn, Role::Warn),
        _ => ("·", Role::Dim),
    }
}

fn phase_line<'a>(phase: &DeployPhase, marked: bool, ui: &UiContext) -> Line<'a> {
    let (symbol, role) = look(&phase.state, ui);
    let mark = if marked { "▸" } else { " " };
    let mut spans = vec![Span::styled(
        format!(
            "{mark}{symbol} {:<12} {:<12}",
            words(&phase.state),
            phase.id
        ),
        ui.theme.style(role),
    )];
    for (job, state) in &phase.jobs {
        let (symbol, role) = look(state, ui);
        spans.push(Span::styled(
            format!(" {} {symbol} {job} {}", ui.symbols.sep, words(state)),
            ui.theme.style(role),
        ));
    }
    Line::from(spans)
}

fn footer<'a>(rollout: &DeployRollout, ui: &UiContext) -> Line<'a> {
    let (text, role) = match (rollout.state.as_str(), &rollout.next_phase) {
        ("PENDING_APPROVAL", _) => (
            format!(
                "{} waits for approval: v approve (the grid must be GO) · V reject",
                ui.symbols.warn
            ),
            Role::Warn,
        ),
        (_, Some(next)) => (
            format!(
                "{} waits to advance to {next}: a advances · x cancels",
                ui.symbols.warn
            ),
            Role::Warn,
        ),
        ("IN_PROGRESS", None) => (format!("{} x cancels", ui.symbols.running), Role::Dim),
        (state, None) => (words(state), Role::Dim),
    };
    Line::from(Span::styled(text, ui.theme.style(role)))
}
