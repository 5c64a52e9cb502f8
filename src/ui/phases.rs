//! The build pipeline's phases: a row per phase with its state, elapsed and expected time and a
//! progress bar; the running phase highlighted; why a phase failed; who may approve a wait.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext, human_secs};
use crate::model::Model;
use crate::model::pipeline::{Phase, PhaseState, Pipeline};

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect, focused: bool) {
    if let Some((env, rollout)) = super::deploy_phases::selected(model) {
        let selected = model.pipeline.selection.selected_deploy(rollout);
        return super::deploy_phases::render((env, rollout), selected, ui, frame, area, focused);
    }
    let watch = &model.pipeline;
    let Some(run) = &watch.run else {
        let text = match (&watch.error, watch.configured, watch.no_runs) {
            (Some(error), _, _) => format!("  {} {error}", ui.symbols.fail),
            (None, false, _) => {
                "  no pipeline in this profile ([pipeline] names a GitHub workflow)".into()
            }
            (None, true, true) => "  the workflow has no runs yet".into(),
            (None, true, false) => "  waiting for the first poll".into(),
        };
        let block = ui.block(" Build ", focused);
        frame.render_widget(
            Paragraph::new(Span::styled(text, ui.theme.style(Role::Dim))).block(block),
            area,
        );
        return;
    };
    let title = title(model, run, ui);
    let block = ui.block(&title, focused);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let current = run.current_phase().unwrap_or(0);
    let selected = watch.selection.selected(run).unwrap_or(current);
    let (first, rows) = window(selected, inner.height);
    let marker = super::text::position_marker(first, rows, run.phases.len());
    frame.render_widget(block.title_bottom(Line::from(marker).right_aligned()), area);
    let mut lines: Vec<Line> = run
        .phases
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(index, phase)| {
            let mark = focused && index == selected;
            phase_line(
                model,
                phase,
                (index == current && !run.state.is_done(), mark),
                ui,
                width,
            )
        })
        .collect();
    lines.push(footer(model, run, ui));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The first phase shown and how many rows the list has (the last row is the footer): the
/// selected phase stays in view.
fn window(selected: usize, inner_height: u16) -> (usize, usize) {
    let rows = usize::from(inner_height).saturating_sub(1);
    ((selected + 1).saturating_sub(rows), rows)
}

/// The phase drawn on screen row `row` of the pane at `area` (for a mouse click), if any.
pub fn phase_at(model: &Model, area: Rect, row: u16) -> Option<usize> {
    if super::deploy_phases::selected(model).is_some() {
        return None;
    }
    let run = model.pipeline.run.as_ref()?;
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let selected = model.pipeline.selection.selected(run)?;
    let (first, rows) = window(selected, inner.height);
    let offset = usize::from(row.checked_sub(inner.y)?);
    (offset < rows)
        .then_some(first + offset)
        .filter(|i| *i < run.phases.len())
}

fn title(model: &Model, run: &Pipeline, ui: &UiContext) -> String {
    let sep = ui.symbols.sep;
    let mut title = format!(" Build #{} {sep} {} ", run.run_number, run.title);
    if let Some(conclusion) = &run.conclusion {
        title.push_str(&format!("{sep} {conclusion} "));
    } else if let (Some(eta), Some(left)) = (run.eta(model.now), run.remaining(model.now)) {
        // Whole minutes: an ETA that changes every second only costs bytes on an SSH link.
        let minutes = (left.num_seconds() + 59) / 60;
        let left = match minutes {
            ..=1 => "<1m".to_string(),
            2..=59 => format!("≈{minutes}m"),
            _ => format!("≈{}h{:02}m", minutes / 60, minutes % 60),
        };
        title.push_str(&format!("{sep} ETA {} ({left}) ", eta.format("%H:%M")));
    }
    title
}

fn phase_line<'a>(
    model: &Model,
    phase: &Phase,
    (current, selected): (bool, bool),
    ui: &UiContext,
    width: usize,
) -> Line<'a> {
    let (symbol, role) = match phase.state {
        PhaseState::Succeeded => (ui.symbols.pass, Role::Pass),
        PhaseState::Running => (ui.symbols.running, Role::Running),
        PhaseState::WaitingApproval => (ui.symbols.warn, Role::Warn),
        PhaseState::Failed => (ui.symbols.fail, Role::Fail),
        PhaseState::Cancelled => (ui.symbols.fail, Role::Warn),
        PhaseState::Skipped => (ui.symbols.skipped, Role::Dim),
        PhaseState::Pending => (ui.symbols.pending, Role::Dim),
    };
    let word = match phase.state {
        PhaseState::WaitingApproval => "approval",
        other => other.label(),
    };
    let elapsed = phase
        .elapsed(model.now)
        .map_or_else(|| "-".into(), |e| human_secs(e.num_seconds()));
    let expected = phase
        .expected
        .map_or_else(|| "?".into(), |e| human_secs(e.num_seconds()));
    let steps = if phase.steps_total > 0 {
        format!(" {}/{}", phase.steps_done, phase.steps_total)
    } else {
        String::new()
    };
    let name_width = width.saturating_sub(13 + 16 + 14).clamp(12, 46);
    let bar_width = width
        .saturating_sub(13 + name_width + 16 + steps.len())
        .min(12);
    let name = super::text::ellipsize(&phase.name, name_width - 1);
    let name_role = match (selected, current) {
        (true, _) => Role::Selected,
        (false, true) => Role::Running,
        (false, false) => Role::Text,
    };
    let mark = match selected {
        true => Span::styled(ui.symbols.selected, ui.theme.style(Role::Accent)),
        false => Span::raw(" "),
    };
    Line::from(vec![
        mark,
        Span::styled(format!("{symbol} {word:<10}"), ui.theme.style(role)),
        Span::styled(format!("{name:<name_width$}"), ui.theme.style(name_role)),
        Span::styled(
            format!("{elapsed:>7}/{expected:<7} "),
            ui.theme.style(Role::Dim),
        ),
        Span::styled(
            ui.symbols.bar(phase.fraction(model.now), bar_width),
            ui.theme.style(role),
        ),
        Span::styled(steps, ui.theme.style(Role::Dim)),
    ])
}

/// Why it failed, who may approve, or how fresh the data is and the budget left.
fn footer<'a>(model: &Model, run: &Pipeline, ui: &UiContext) -> Line<'a> {
    if let Some((_, phase)) = run.failure() {
        let step = phase.failed_step.as_deref().unwrap_or("?");
        let conclusion = phase.conclusion.as_deref().unwrap_or("failure");
        return Line::from(Span::styled(
            format!(
                "{} {} ended in {conclusion} at step \"{step}\"",
                ui.symbols.fail, phase.name
            ),
            ui.theme.style(Role::Fail),
        ));
    }
    if let Some(approval) = run.approvals.first() {
        return super::approval::footer(model, approval, ui);
    }
    let watch = &model.pipeline;
    let age = watch
        .fetched_at
        .map(|t| (model.now - t).num_seconds().max(0));
    let stale =
        age.is_some_and(|a| a > 2 * model.poll_interval_secs as i64) || watch.error.is_some();
    let mut text = match age {
        Some(age) if stale => format!("{} STALE: data {} old", ui.symbols.stale, human_secs(age)),
        Some(age) => format!("data {}", super::data_age(age, model.poll_interval_secs)),
        None => "no data yet".into(),
    };
    if let Some((remaining, limit)) = watch.budget {
        text.push_str(&format!(
            " {} GitHub budget {remaining}/{limit}",
            ui.symbols.sep
        ));
    }
    if let Some(error) = &watch.error {
        text.push_str(&format!(" {} {error}", ui.symbols.sep));
    }
    Line::from(Span::styled(
        text,
        ui.theme.style(if stale { Role::Stale } else { Role::Dim }),
    ))
}
