//! The probes pane: a row per probe with its verdict (symbol and word), HTTP status, latency now
//! and a sparkline of recent latencies, the age of its last answer, and failing checks by name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext, human_secs};
use crate::model::Model;
use crate::model::probes::LaneProbe;
use crate::probes::{Health, Verdict};

pub fn verdict_style(verdict: Verdict, ui: &UiContext) -> (&'static str, Role) {
    match verdict {
        Verdict::Pass => (ui.symbols.pass, Role::Pass),
        Verdict::Warn => (ui.symbols.warn, Role::Warn),
        Verdict::Fail => (ui.symbols.fail, Role::Fail),
        Verdict::Stale => (ui.symbols.stale, Role::Stale),
        Verdict::Unknown => (ui.symbols.unknown, Role::Stale),
    }
}

pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect, focused: bool) {
    let block = ui.block(" Probes ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if model.probes.all.is_empty() {
        let text = "  no probes in this profile ([[environments.probes]] with a path or url)";
        frame.render_widget(
            Paragraph::new(Span::styled(text, ui.theme.style(Role::Dim))),
            inner,
        );
        return;
    }
    let (first, rows) = window(model, inner.height);
    let lines: Vec<Line> = model
        .probes
        .all
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(index, probe)| row(model, probe, focused && index == model.probes.cursor, ui))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The first probe shown and how many rows there are: the selected probe stays in view.
fn window(model: &Model, inner_height: u16) -> (usize, usize) {
    let rows = usize::from(inner_height);
    ((model.probes.cursor + 1).saturating_sub(rows), rows)
}

/// The probe drawn on screen row `row` of the pane at `area` (for a mouse click), if any.
pub fn probe_at(model: &Model, area: Rect, row: u16) -> Option<usize> {
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let (first, rows) = window(model, inner.height);
    let offset = usize::from(row.checked_sub(inner.y)?);
    (offset < rows)
        .then_some(first + offset)
        .filter(|i| *i < model.probes.all.len())
}

fn row<'a>(model: &Model, probe: &LaneProbe, selected: bool, ui: &UiContext) -> Line<'a> {
    let view = probe.state.verdict(model.now);
    let (symbol, role) = verdict_style(view.verdict, ui);
    let last = probe.state.last();
    let status = last
        .and_then(|r| r.outcome.http_status)
        .map_or_else(|| "---".to_string(), |s| s.to_string());
    let latency = last.map_or_else(|| "-".to_string(), |r| milliseconds(r.outcome.latency));
    let age = last.map_or_else(
        || "-".to_string(),
        |r| human_secs((model.now - r.at).num_seconds()),
    );
    let name_style = if selected {
        ui.theme.style(Role::Selected)
    } else {
        ui.theme.style(Role::Text)
    };
    // The selected lane's probes are marked, as its card is.
    let lane_mark = match probe.lane == model.selected_lane {
        true => Span::styled(ui.symbols.selected, ui.theme.style(Role::Accent)),
        false => Span::raw(" "),
    };
    let mut spans = vec![
        lane_mark,
        Span::styled(
            format!("{symbol} {:<7}", view.verdict.as_str()),
            ui.theme.style(role),
        ),
        Span::styled(format!("{:<20}", format!("{}", probe.id)), name_style),
        Span::styled(
            format!("{status:>4} {latency:>7} "),
            ui.theme.style(Role::Text),
        ),
        Span::styled(sparkline(probe, ui), ui.theme.style(Role::Accent)),
        Span::styled(format!(" {age:>5} "), ui.theme.style(Role::Dim)),
    ];
    let failing: Vec<&str> = last
        .map(|r| {
            r.outcome
                .checks
                .iter()
                .filter(|c| c.status != Health::Pass)
                .map(|c| c.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let note = match (failing.is_empty(), &view.reason) {
        (false, _) => format!("failing: {}", failing.join(", ")),
        (true, Some(reason)) => reason.clone(),
        (true, None) => String::new(),
    };
    spans.push(Span::styled(
        note,
        ui.theme.style(if view.verdict == Verdict::Pass {
            Role::Dim
        } else {
            role
        }),
    ));
    Line::from(spans)
}

/// Recent latencies scaled between the smallest and the largest (in microseconds, so loopback's
/// sub-millisecond answers are not a flat line), then that scale: `▁▃█▂ 0.3–0.8ms`. A failed
/// run is drawn as the failure symbol.
fn sparkline(probe: &LaneProbe, ui: &UiContext) -> String {
    let samples: Vec<_> = probe.state.latencies().collect();
    let shown = &samples[samples.len().saturating_sub(SPARK_WIDTH)..];
    let micros = shown
        .iter()
        .filter(|s| s.status != Health::Fail)
        .map(|s| s.latency_us);
    let (low, high) = micros.fold((u64::MAX, 0), |(lo, hi), us| (lo.min(us), hi.max(us)));
    let span = high.saturating_sub(low).max(1);
    let mut out: String = shown
        .iter()
        .map(|s| {
            if s.status == Health::Fail {
                ui.symbols.fail
            } else {
                let level = (s.latency_us.saturating_sub(low) * 7 / span) as usize;
                ui.symbols.spark[level.min(7)]
            }
        })
        .collect();
    let drawn = out.chars().count();
    out.push_str(&" ".repeat(SPARK_WIDTH.saturating_sub(drawn)));
    let scale = if high == 0 {
        String::new()
    } else {
        let ms = |us: u64| milliseconds(std::time::Duration::from_micros(us));
        format!(" {}–{}", ms(low).trim_end_matches("ms"), ms(high))
    };
    format!("{out}{scale:<14}")
}

const SPARK_WIDTH: usize = 16;

/// `0.4ms`, `12ms`, `1540ms`: loopback answers are sub-millisecond and should not read as 0.
pub fn milliseconds(latency: std::time::Duration) -> String {
    let ms = latency.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{ms:.0}ms")
    }
}
