//! The lanes: one card per environment, side by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext, human_secs};
use crate::model::lane::{Freshness, Lane, Readiness, ServiceState};
use crate::model::operations::RunningCommand;
use crate::model::{Model, Pane};

const MAX_SLICES: usize = 3;

/// Rows the lane cards need: borders, version, slices, condition, operation, freshness.
pub fn height(model: &Model) -> u16 {
    let slices = model
        .lanes
        .iter()
        .filter_map(|l| l.service.as_ref())
        .map(|s| s.traffic.len().clamp(1, MAX_SLICES))
        .max()
        .unwrap_or(1);
    // borders + version + slices + condition + operation + sign-off + freshness + error
    (2 + 6 + slices) as u16
}

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    if model.lanes.is_empty() {
        return;
    }
    let areas = card_areas(model, area);
    for (index, (lane, lane_area)) in model.lanes.iter().zip(areas.iter()).enumerate() {
        render_lane(model, index, lane, ui, frame, *lane_area);
    }
}

/// One card per lane, side by side, in lane order.
pub fn card_areas(model: &Model, area: Rect) -> std::rc::Rc<[Rect]> {
    let constraints =
        vec![Constraint::Ratio(1, model.lanes.len().max(1) as u32); model.lanes.len()];
    Layout::horizontal(constraints).split(area)
}

fn render_lane(
    model: &Model,
    index: usize,
    lane: &Lane,
    ui: &UiContext,
    frame: &mut Frame,
    area: Rect,
) {
    let selected = model.selected_lane == index;
    let focused = model.focus == Pane::Lanes && selected;
    let freshness = lane.freshness(model.now, model.poll_interval_secs);
    let stale = freshness == Freshness::Stale;
    let has_probes = model.probes.of_lane(index).next().is_some();
    let verdict = model.probes.lane_verdict(index, model.now);
    let (symbol, verdict_role) = super::probes::verdict_style(verdict, ui);
    let health = if has_probes {
        format!("{symbol} {} ", verdict.as_str())
    } else {
        format!("{} no probes ", ui.symbols.unknown)
    };
    // The selected lane is marked whichever pane has the focus: actions hit it.
    let mark = if selected { ui.symbols.selected } else { " " };
    let title = match freshness {
        Freshness::Stale => format!("{mark}{} {health}{} STALE ", lane.env, ui.symbols.stale),
        _ => format!("{mark}{} {health}", lane.env),
    };
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = match &lane.service {
        Some(service) => service_lines(model, lane, service, ui, width, stale),
        None => vec![Line::from(Span::styled(
            format!("{} waiting for first poll", ui.symbols.unknown),
            ui.theme.style(Role::Stale),
        ))],
    };
    lines.push(super::lane_signoff::line(model, index, ui, width));
    lines.push(freshness_line(model, lane, ui, freshness));
    if let Some(error) = &lane.error {
        lines.push(Line::from(Span::styled(
            format!("{} {}", ui.symbols.fail, error_tail(error)),
            ui.theme.style(Role::Fail),
        )));
    }
    let mut block = ui.block(&title, focused);
    if has_probes && !focused {
        block = block.title_style(ui.theme.style(verdict_role));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn service_lines<'a>(
    model: &Model,
    lane: &Lane,
    service: &'a ServiceState,
    ui: &UiContext,
    width: usize,
    stale: bool,
) -> Vec<Line<'a>> {
    let role = |fresh: Role| if stale { Role::Stale } else { fresh };
    let mut lines = Vec::new();
    let version = service.version().unwrap_or("no traffic");
    lines.push(Line::from(vec![
        Span::styled(version.to_string(), ui.theme.style(role(Role::Title))),
        Span::styled(
            service
                .primary()
                .map_or_else(String::new, |p| format!("  {}", p.short)),
            ui.theme.style(Role::Dim),
        ),
    ]));
    let several = service.traffic.len() > 1;
    for slice in service.traffic.iter().take(MAX_SLICES) {
        let text_width = 6
            + slice.short.chars().count()
            + if several {
                1 + slice.version.chars().count()
            } else {
                0
            };
        let bar_width = width.saturating_sub(text_width).min(10);
        let mut spans = vec![
            Span::styled(
                ui.symbols.bar(f64::from(slice.percent) / 100.0, bar_width),
                ui.theme.style(role(Role::Accent)),
            ),
            Span::styled(
                format!("{:>4}% ", slice.percent),
                ui.theme.style(role(Role::Text)),
            ),
            Span::styled(slice.short.clone(), ui.theme.style(Role::Dim)),
        ];
        if several {
            spans.push(Span::styled(
                format!(" {}", slice.version),
                ui.theme.style(role(Role::Text)),
            ));
        }
        lines.push(Line::from(spans));
    }
    if service.traffic.is_empty() {
        lines.push(Line::from(Span::styled(
            "no traffic",
            ui.theme.style(Role::Warn),
        )));
    }
    lines.push(condition_line(service, ui, stale));
    lines.push(operation_line(model, lane, service, ui, width));
    lines
}

fn condition_line<'a>(service: &ServiceState, ui: &UiContext, stale: bool) -> Line<'a> {
    let readiness = service.condition.readiness;
    let (symbol, role) = match readiness {
        Readiness::Ready if service.condition.warning => (ui.symbols.warn, Role::Warn),
        Readiness::Ready => (ui.symbols.pass, Role::Pass),
        Readiness::Reconciling | Readiness::Pending => (ui.symbols.running, Role::Running),
        Readiness::Failed => (ui.symbols.fail, Role::Fail),
        Readiness::Unknown => (ui.symbols.unknown, Role::Stale),
    };
    let role = if stale { Role::Stale } else { role };
    let mut text = format!("{symbol} {}", readiness.word());
    if let Some(message) = service
        .condition
        .message
        .as_ref()
        .filter(|_| readiness != Readiness::Ready)
    {
        text.push_str(&format!(": {message}"));
    }
    Line::from(Span::styled(text, ui.theme.style(role)))
}

fn operation_line<'a>(
    model: &Model,
    lane: &Lane,
    service: &ServiceState,
    ui: &UiContext,
    width: usize,
) -> Line<'a> {
    if let Some(running) = model.operations.running.get(&lane.env) {
        return command_line(model, running, ui);
    }
    if let Some(approval) = model.pipeline.approval_for(&lane.env) {
        return super::approval::lane_line(model, approval, ui);
    }
    if let Some(frozen) = super::lane_freeze::line(model, service, ui) {
        return frozen;
    }
    if !service.reconciling {
        let latest = service.latest_ready.clone().unwrap_or_default();
        return Line::from(Span::styled(
            format!(
                "gen {} {} latest {latest}",
                service.observed_generation, ui.symbols.sep
            ),
            ui.theme.style(Role::Dim),
        ));
    }
    let elapsed = lane
        .reconciling_since
        .map_or(0, |since| (model.now - since).num_seconds().max(0));
    let expected = model_expected_secs(model);
    let ratio = (elapsed as f64 / expected).min(0.95);
    let bar_width = width.saturating_sub(14).clamp(3, 12);
    Line::from(vec![
        Span::styled(
            format!("{} ", ui.symbols.running),
            ui.theme.style(Role::Running),
        ),
        Span::styled(
            ui.symbols.bar(ratio, bar_width),
            ui.theme.style(Role::Running),
        ),
        Span::styled(
            format!(" {} gen {}", human_secs(elapsed), service.generation),
            ui.theme.style(Role::Text),
        ),
    ])
}

fn model_expected_secs(model: &Model) -> f64 {
    model.operation_expected_secs.max(1.0)
}

fn freshness_line<'a>(
    model: &Model,
    lane: &Lane,
    ui: &UiContext,
    freshness: Freshness,
) -> Line<'a> {
    match (freshness, lane.age_secs(model.now)) {
        (Freshness::Stale, Some(age)) => Line::from(Span::styled(
            format!("{} STALE: data {} old", ui.symbols.stale, human_secs(age)),
            ui.theme.style(Role::Stale),
        )),
        (_, Some(age)) => Line::from(Span::styled(
            format!("data {}", super::data_age(age, model.poll_interval_secs)),
            ui.theme.style(Role::Dim),
        )),
        (_, None) => Line::from(Span::styled("no data yet", ui.theme.style(Role::Stale))),
    }
}

/// The card has room for the cause, not the URL: `GET http://…: HTTP 503 …` → `HTTP 503 …`.
/// The whole message is in the activity pane.
fn error_tail(error: &str) -> &str {
    match error.split_once("://") {
        Some((_, rest)) => rest.split_once(": ").map_or(error, |(_, tail)| tail),
        None => error,
    }
}

/// A command running in this lane: its canary steps (done, current, to come) and the bake countdown.
fn command_line<'a>(model: &Model, running: &RunningCommand, ui: &UiContext) -> Line<'a> {
    let (symbol, role) = match running.paused {
        true => (ui.symbols.paused, Role::Warn),
        false => (ui.symbols.running, Role::Running),
    };
    let mut spans = vec![Span::styled(format!("{symbol} "), ui.theme.style(role))];
    if running.steps.is_empty() || running.percent.is_none() {
        spans.push(Span::styled(
            running.status_line(),
            ui.theme.style(Role::Running),
        ));
        return Line::from(spans);
    }
    let current = running.percent.unwrap_or(0);
    for (i, step) in running.steps.iter().enumerate() {
        let role = match step.cmp(&current) {
            std::cmp::Ordering::Less => Role::Pass,
            std::cmp::Ordering::Equal => Role::Running,
            std::cmp::Ordering::Greater => Role::Dim,
        };
        let text = if *step == current {
            format!("[{step}]")
        } else {
            step.to_string()
        };
        if i > 0 {
            spans.push(Span::styled(
                format!(" {} ", ui.symbols.arrow),
                ui.theme.style(Role::Dim),
            ));
        }
        spans.push(Span::styled(text, ui.theme.style(role)));
    }
    let tail = match (&running.bake, running.paused) {
        (_, true) => " PAUSED".to_string(),
        // Never a countdown stuck at 0 s: the bake is over, the machine moves on at its tick.
        (Some(bake), false) if bake.until <= model.now => " bake over, next step…".to_string(),
        (Some(bake), false) => format!(
            " bake {}",
            human_secs((bake.until - model.now).num_seconds().max(0))
        ),
        (None, false) => String::new(),
    };
    let role = if running.paused {
        Role::Warn
    } else {
        Role::Text
    };
    spans.push(Span::styled(tail, ui.theme.style(role)));
    Line::from(spans)
}
