//! A probe's details: where it points, its verdict and why, the parsed checks, and the raw body
//! (truncated).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::probes::verdict_style;
use super::{Role, UiContext};
use crate::model::Model;
use crate::probes::Health;
use crate::probes::outcome::KEPT_BODY_CHARS;

pub fn render(model: &Model, index: usize, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let Some(probe) = model.probes.all.get(index) else {
        return;
    };
    let view = probe.state.verdict(model.now);
    let (symbol, role) = verdict_style(view.verdict, ui);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{symbol} {}", view.verdict.as_str()),
                ui.theme.style(role),
            ),
            Span::styled(
                format!("  {}", view.reason.clone().unwrap_or_default()),
                ui.theme.style(Role::Text),
            ),
        ]),
        Line::from(Span::styled(
            format!(
                "{} {}  every {:.0}s, timeout {}ms, fail after {} in a row",
                probe.spec.method,
                probe
                    .url
                    .as_deref()
                    .unwrap_or("(service URI not known yet)"),
                probe.spec.interval_secs,
                probe.spec.timeout_ms,
                probe.spec.failure_threshold
            ),
            ui.theme.style(Role::Dim),
        )),
    ];
    if let Some(report) = probe.state.last() {
        let outcome = &report.outcome;
        lines.push(Line::from(Span::styled(
            format!(
                "last: HTTP {} in {}ms at {}, format {}",
                outcome
                    .http_status
                    .map_or_else(|| "-".into(), |s| s.to_string()),
                outcome.latency.as_millis(),
                report.at.format("%H:%M:%S"),
                outcome.format.map_or("-", |f| f.as_str())
            ),
            ui.theme.style(Role::Text),
        )));
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            "Checks",
            ui.theme.style(Role::Title),
        )));
        if outcome.checks.is_empty() {
            lines.push(Line::from(Span::styled(
                "  (none reported)",
                ui.theme.style(Role::Dim),
            )));
        }
        for check in &outcome.checks {
            let (symbol, role) = match check.status {
                Health::Pass => (ui.symbols.pass, Role::Pass),
                Health::Warn => (ui.symbols.warn, Role::Warn),
                Health::Fail => (ui.symbols.fail, Role::Fail),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {symbol} {:<24}", check.name),
                    ui.theme.style(role),
                ),
                Span::styled(
                    check.message.clone().unwrap_or_default(),
                    ui.theme.style(Role::Text),
                ),
            ]));
        }
        lines.push(Line::raw(""));
        let (shown, cut) = body_excerpt(&outcome.body);
        let title = if cut { "Body (its start only)" } else { "Body" };
        lines.push(Line::from(Span::styled(title, ui.theme.style(Role::Title))));
        for line in shown {
            lines.push(Line::from(Span::styled(
                format!("  {line}"),
                ui.theme.style(Role::Dim),
            )));
        }
    } else {
        lines.push(Line::from(Span::styled(
            "no answer yet",
            ui.theme.style(Role::Stale),
        )));
    }
    frame.render_widget(Clear, area);
    let title = format!(" Probe {} ", probe.id);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(ui.block(&title, true)),
        area,
    );
}

/// The lines of `body` the overlay shows (12 lines of its first 1,200 characters), and whether
/// anything of the body is not among them (also when the probe kept only the body's start).
fn body_excerpt(body: &str) -> (Vec<&str>, bool) {
    let end = body.char_indices().nth(1200).map_or(body.len(), |(i, _)| i);
    let pieces: Vec<&str> = body[..end].split_inclusive('\n').take(12).collect();
    let shown_len: usize = pieces.iter().map(|p| p.len()).sum();
    let cut = !body[shown_len..].trim().is_empty() || body.chars().count() >= KEPT_BODY_CHARS;
    let shown = pieces
        .iter()
        .map(|p| p.trim_end_matches(['\r', '\n']))
        .collect();
    (shown, cut)
}

#[cfg(test)]
mod tests {
    use super::body_excerpt;

    #[test]
    fn a_short_body_is_shown_whole_and_not_called_cut() {
        let (shown, cut) = body_excerpt("{\"status\":\"ready\"}\n");
        assert_eq!(shown, ["{\"status\":\"ready\"}"]);
        assert!(!cut);
    }

    #[test]
    fn a_body_past_twelve_lines_says_only_its_start_is_shown() {
        let body: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        let (shown, cut) = body_excerpt(&body);
        assert_eq!(shown.len(), 12);
        assert_eq!(shown[11], "line 12");
        assert!(cut);
    }

    #[test]
    fn a_body_the_probe_kept_only_the_start_of_is_cut() {
        let body = "x".repeat(crate::probes::outcome::KEPT_BODY_CHARS);
        assert!(body_excerpt(&body).1);
    }
}
