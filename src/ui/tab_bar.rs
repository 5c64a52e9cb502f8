//! The tab bar of the compact layout: every pane by name, the one shown highlighted, each with a
//! word of its state so what is hidden still speaks (`Probes ✗`, `Sign-off NO-GO`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext};
use crate::model::{Model, Pane};

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect, shown: Pane) {
    let spans: Vec<Span> = labels(model, ui, shown)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The pane whose name (or hint) is drawn at `column` of the tab bar at `area`, for a click.
pub fn pane_at(model: &Model, area: Rect, shown: Pane, column: u16) -> Option<Pane> {
    // Widths only: the symbols of either set take one cell each.
    let ui = UiContext {
        theme: super::Theme::default_for(true),
        symbols: super::Symbols::UNICODE,
    };
    let mut x = area.x;
    for (pane, span) in labels(model, &ui, shown) {
        let width = span.width() as u16;
        if (x..x + width).contains(&column) {
            return pane;
        }
        x += width;
    }
    None
}

/// The bar's spans, each with the pane it names (separators name none).
fn labels(model: &Model, ui: &UiContext, shown: Pane) -> Vec<(Option<Pane>, Span<'static>)> {
    let mut spans = vec![(None, Span::raw(" "))];
    for pane in Pane::ORDER.into_iter().filter(|p| *p != Pane::Lanes) {
        let style = if pane == shown {
            ui.theme.style(Role::Selected)
        } else {
            ui.theme.style(Role::Text)
        };
        // Brackets as well as colour: the shown pane is visible in monochrome too.
        let name = if pane == shown {
            format!("[{}]", pane.title())
        } else {
            format!(" {}", pane.title())
        };
        spans.push((Some(pane), Span::styled(name, style)));
        if let Some((hint, role)) = hint(model, ui, pane) {
            spans.push((
                Some(pane),
                Span::styled(format!(" {hint}"), ui.theme.style(role)),
            ));
        }
        spans.push((
            None,
            Span::styled(format!(" {} ", ui.symbols.sep), ui.theme.style(Role::Dim)),
        ));
    }
    spans.pop();
    spans.push((None, Span::styled("  Tab: next", ui.theme.style(Role::Dim))));
    spans
}

fn hint(model: &Model, ui: &UiContext, pane: Pane) -> Option<(String, Role)> {
    match pane {
        Pane::Probes => {
            let verdicts = (0..model.lanes.len()).map(|i| model.probes.lane_verdict(i, model.now));
            let worst = verdicts.max_by_key(|v| v.severity())?;
            let (symbol, role) = super::probes::verdict_style(worst, ui);
            (!model.probes.all.is_empty()).then(|| (symbol.to_string(), role))
        }
        Pane::Signoff => {
            let (text, role) = super::lane_signoff::summary(model, model.signoff_lane()?);
            let word = text.split_whitespace().next()?.to_string();
            (role != Role::Dim).then_some((word, role))
        }
        // The count of what the pane shows: the selected lane's platform rollout, else the build.
        Pane::Phases => {
            if let Some((_, rollout)) = super::deploy_phases::selected(model) {
                let done = rollout
                    .phases
                    .iter()
                    .filter(|p| matches!(p.state.as_str(), "SUCCEEDED" | "SKIPPED"))
                    .count();
                return Some((format!("{done}/{}", rollout.phases.len()), Role::Dim));
            }
            let run = model.pipeline.run.as_ref()?;
            let done = run.phases.iter().filter(|p| p.state.is_done()).count();
            Some((format!("{done}/{}", run.phases.len()), Role::Dim))
        }
        Pane::Activity | Pane::Lanes => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::three_lanes;
    use crate::model::fixtures_pipeline::{RunMoment, pipeline};
    use crate::model::lane::{DeployPhase, DeployRollout};
    use crate::ui::{Symbols, Theme};

    #[test]
    fn the_phases_count_is_of_what_the_pane_shows() {
        let ui = UiContext {
            theme: Theme::default_for(false),
            symbols: Symbols::ASCII,
        };
        let mut model = three_lanes(1);
        model.pipeline.run = Some(pipeline(RunMoment::WaitingApproval));
        let build = hint(&model, &ui, Pane::Phases).map(|(text, _)| text);
        assert_eq!(build.as_deref(), Some("8/10"), "the build run's phases");
        let phase = |id: &str, state: &str| DeployPhase {
            id: id.into(),
            state: state.into(),
            jobs: Vec::new(),
        };
        let selected = model.selected_lane;
        if let Some(service) = model.lanes[selected].service.as_mut() {
            service.rollout = Some(DeployRollout {
                id: "r-1".into(),
                version: "1.4.2".into(),
                state: "IN_PROGRESS".into(),
                phases: vec![
                    phase("canary-10", "SUCCEEDED"),
                    phase("canary-50", "IN_PROGRESS"),
                    phase("stable", "PENDING"),
                ],
                next_phase: None,
                failure: None,
            });
        }
        let shown = hint(&model, &ui, Pane::Phases).map(|(text, _)| text);
        assert_eq!(shown.as_deref(), Some("1/3"));
    }
}
