//! Enter on a phase of a Cloud Deploy rollout: the phase's jobs (deploy, verify) with their
//! states, and when the rollout failed, the platform's `failureReason` whole, wrapped, with the
//! command that retries the failed job.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::deploy_phases::{look, selected, words};
use super::{Role, UiContext};
use crate::ledger::clean::printable;
use crate::model::Model;

pub fn render(model: &Model, index: usize, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let Some((env, rollout)) = selected(model) else {
        return;
    };
    let Some(phase) = rollout.phases.get(index) else {
        return;
    };
    let sep = ui.symbols.sep;
    let title = format!(
        " {env} {sep} rollout {} {sep} phase {}/{} {sep} {} {sep} {} ",
        rollout.id,
        index + 1,
        rollout.phases.len(),
        phase.id,
        words(&phase.state)
    );
    let heading =
        |text: &str| Line::from(Span::styled(text.to_string(), ui.theme.style(Role::Title)));
    let mut lines = vec![heading("Jobs")];
    if phase.jobs.is_empty() {
        lines.push(Line::from(Span::styled(
            "  no jobs reported yet",
            ui.theme.style(Role::Dim),
        )));
    }
    for (job, state) in &phase.jobs {
        let (symbol, role) = look(state, ui);
        lines.push(Line::from(Span::styled(
            format!("  {symbol} {job:<10} {}", words(state)),
            ui.theme.style(role),
        )));
    }
    let failed_job = phase
        .jobs
        .iter()
        .find(|(_, state)| state == "FAILED")
        .map(|(job, _)| job.as_str());
    if let Some(reason) = rollout.failure.as_deref() {
        lines.push(Line::raw(""));
        lines.push(heading("Why the rollout failed"));
        for text in printable(reason, true).lines() {
            lines.push(Line::from(Span::styled(
                text.to_string(),
                ui.theme.style(Role::Fail),
            )));
        }
    }
    if let Some(job) = failed_job {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!("The {job} job failed: `flightdeck clouddeploy retry {env}` runs it again"),
            ui.theme.style(Role::Warn),
        )));
    }
    frame.render_widget(Clear, area);
    let block = ui.block(&title, true);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
