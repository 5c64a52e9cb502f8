//! Enter on a phase: its steps with state and duration, and for a failed job the failure in
//! full: the failing step, the conclusion, and the check run's annotations (message and details,
//! every line, wrapped). j/k scroll by row; a position marker says where the view is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Role, UiContext, human_secs};
use crate::model::Model;
use crate::model::phase_detail::{Row, Step, rows};
use crate::model::pipeline::PhaseState;

pub fn render(model: &Model, index: usize, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let watch = &model.pipeline;
    let Some((run, phase)) = watch
        .run
        .as_ref()
        .and_then(|run| Some((run, run.phases.get(index)?)))
    else {
        return;
    };
    let sep = ui.symbols.sep;
    let title = format!(
        " Phase {}/{} {sep} {} {sep} {} ",
        index + 1,
        run.phases.len(),
        phase.name,
        phase.state.label()
    );
    frame.render_widget(Clear, area);
    let block = ui.block(&title, true);
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let annotations = phase
        .check_run_id
        .and_then(|id| watch.selection.annotations.get(&id));
    let all = rows(phase, annotations);
    let scroll = watch.selection.scroll.min(all.len().saturating_sub(1));
    let mut lines = vec![summary(model, phase, ui)];
    let mut shown = 0;
    for row in all.iter().skip(scroll) {
        let row_lines = draw(model, row, ui, width);
        if lines.len() + row_lines.len() > usize::from(inner.height) && shown > 0 {
            break;
        }
        lines.extend(row_lines);
        shown += 1;
    }
    let marker = super::text::position_marker(scroll, shown, all.len());
    let block = block.title_bottom(Line::from(marker).right_aligned());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Elapsed against expected, steps done, and the job's check run.
fn summary<'a>(model: &Model, phase: &crate::model::pipeline::Phase, ui: &UiContext) -> Line<'a> {
    let sep = ui.symbols.sep;
    let elapsed = phase
        .elapsed(model.now)
        .map_or_else(|| "not started".into(), |e| human_secs(e.num_seconds()));
    let expected = phase.expected.map_or_else(String::new, |e| {
        format!(" of ≈{}", human_secs(e.num_seconds()))
    });
    let mut text = format!(
        "{elapsed}{expected} {sep} {}/{} steps",
        phase.steps_done, phase.steps_total
    );
    if let Some(id) = phase.check_run_id {
        text.push_str(&format!(" {sep} check run {id}"));
    }
    Line::from(Span::styled(text, ui.theme.style(Role::Dim)))
}

fn draw<'a>(model: &Model, row: &Row, ui: &UiContext, width: usize) -> Vec<Line<'a>> {
    let style = |role| ui.theme.style(role);
    match row {
        Row::Step(step) => vec![step_line(model, step, ui, width)],
        Row::Blank => vec![Line::raw("")],
        Row::Heading(text) => vec![Line::from(Span::styled(text.clone(), style(Role::Title)))],
        Row::Failure(text) => super::text::wrap(&format!("{} {text}", ui.symbols.fail), width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style(Role::Fail))))
            .collect(),
        Row::Annotation(a) => {
            let (symbol, role) = match a.level.as_str() {
                "failure" => (ui.symbols.fail, Role::Fail),
                "warning" => (ui.symbols.warn, Role::Warn),
                _ => (ui.symbols.unknown, Role::Dim),
            };
            let lines = match a.start_line == a.end_line {
                true => a.start_line.to_string(),
                false => format!("{}-{}", a.start_line, a.end_line),
            };
            let mut spans = vec![
                Span::styled(format!("  {symbol} {:<8}", a.level), style(role)),
                Span::styled(format!("{}:{lines}", a.path), style(Role::Accent)),
            ];
            if let Some(title) = &a.title {
                spans.push(Span::styled(format!("  {title}"), style(Role::Text)));
            }
            vec![Line::from(spans)]
        }
        Row::Text(text) => super::text::wrap(text, width.saturating_sub(6))
            .into_iter()
            .map(|l| Line::from(Span::styled(format!("      {l}"), style(Role::Text))))
            .collect(),
        Row::Note(text) => vec![Line::from(Span::styled(
            format!("  {text}"),
            style(Role::Dim),
        ))],
    }
}

fn step_line<'a>(model: &Model, step: &Step, ui: &UiContext, width: usize) -> Line<'a> {
    let (symbol, role) = match step.state {
        PhaseState::Succeeded => (ui.symbols.pass, Role::Pass),
        PhaseState::Running => (ui.symbols.running, Role::Running),
        PhaseState::Failed => (ui.symbols.fail, Role::Fail),
        PhaseState::Cancelled | PhaseState::WaitingApproval => (ui.symbols.warn, Role::Warn),
        PhaseState::Skipped => (ui.symbols.skipped, Role::Dim),
        PhaseState::Pending => (ui.symbols.pending, Role::Dim),
    };
    let duration = step
        .elapsed(model.now)
        .map_or_else(|| "-".into(), |e| human_secs(e.num_seconds()));
    let word = step.conclusion.as_deref().unwrap_or(step.state.label());
    let name_width = width.saturating_sub(2 + 2 + 4 + 8 + 12).max(8);
    let name = super::text::ellipsize(&step.name, name_width);
    Line::from(vec![
        Span::styled(format!("  {symbol} "), ui.theme.style(role)),
        Span::styled(format!("{:>2}  ", step.number), ui.theme.style(Role::Dim)),
        Span::styled(format!("{name:<name_width$}"), ui.theme.style(Role::Text)),
        Span::styled(format!("{duration:>8}  "), ui.theme.style(Role::Dim)),
        Span::styled(word.to_string(), ui.theme.style(role)),
    ])
}
