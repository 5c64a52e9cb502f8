use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Role, UiContext};
use crate::model::{Level, Model, Overlay, Pane};

/// The keys that work right now.
pub fn render(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    if let Some(notice) = &model.notice {
        let (symbol, role) = match notice.level {
            Level::Info => (ui.symbols.pending, Role::Info),
            Level::Good => (ui.symbols.pass, Role::Pass),
            Level::Warn => (ui.symbols.warn, Role::Warn),
            Level::Error => (ui.symbols.fail, Role::Fail),
        };
        let line = Line::from(Span::styled(
            format!(" {symbol} {}", notice.text),
            ui.theme.style(role),
        ));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut keys = keys(model);
    // Too narrow for every key: the general ones after quit and help go first (help lists them
    // all); the focused pane's name always stays, the e2e tests and users read it.
    let width = |keys: &[(&str, String)]| -> usize {
        1 + keys
            .iter()
            .map(|(k, w)| k.chars().count() + w.chars().count() + 3)
            .sum::<usize>()
            + model.focus.title().len()
            + 2
    };
    while width(&keys) > area.width as usize && keys.len() > 3 {
        keys.remove(2);
    }
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in &keys {
        spans.push(Span::styled(*key, ui.theme.style(Role::Key)));
        spans.push(Span::styled(
            format!(" {what}  "),
            ui.theme.style(Role::StatusBar),
        ));
    }
    spans.push(Span::styled(
        format!("[{}]", model.focus.title()),
        ui.theme.style(Role::Dim),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys of the moment; those that act on a lane name it (`p promote staging→prod`). A
/// read-only cockpit advertises no command.
fn keys(model: &Model) -> Vec<(&'static str, String)> {
    let fixed = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, w)| (*k, w.to_string())).collect()
    };
    let mut keys = match (&model.overlay, model.focus) {
        (Overlay::Help | Overlay::CellHistory { .. }, _) => {
            return fixed(&[("Esc/q", "close")]);
        }
        (Overlay::PhaseDetail(_), _) => {
            return fixed(&[("Esc/q", "close"), ("j/k", "scroll")]);
        }
        (Overlay::LaneDetail { .. }, _) => {
            return fixed(&[("Esc/q", "close"), ("j/k", "scroll"), ("h/l", "other lane")]);
        }
        (Overlay::ProbeDetails(_), _) => {
            return fixed(&[("Esc/q", "close"), ("j/k", "next probe")]);
        }
        (Overlay::Prompt(p), _) if p.multi_line() => {
            return fixed(&[("Ctrl-S", "submit"), ("Esc", "cancel")]);
        }
        (Overlay::Prompt(_), _) => return fixed(&[("Enter", "submit"), ("Esc", "cancel")]),
        (Overlay::None, Pane::Signoff) if !model.read_only => fixed(&[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("hjkl", "cell"),
            ("g", "GO"),
            ("G", "GO column"),
            ("n", "NO-GO"),
            ("c", "comment"),
            ("Enter", "history"),
        ]),
        (Overlay::None, Pane::Probes) => fixed(&[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("j/k", "probe"),
            ("Enter", "details"),
            ("[ ]", "lane"),
        ]),
        (Overlay::None, _) if model.read_only => fixed(&[
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "pane"),
            ("[ ]", "lane"),
            ("/", "filter"),
        ]),
        (Overlay::None, _) => lane_keys(model),
    };
    let phases = model.focus == Pane::Phases && model.pipeline.run.is_some();
    if phases && model.overlay == Overlay::None && super::deploy_phases::selected(model).is_none() {
        keys.insert(keys.len().min(3), ("Enter", "steps".into()));
    }
    if !model.alerts.open.is_empty() {
        keys.insert(2, ("A", "acknowledge".into()));
    }
    keys
}

fn lane_keys(model: &Model) -> Vec<(&'static str, String)> {
    let env = |i: usize| model.lanes.get(i).map_or("", |l| l.env.as_str());
    let selected = model.selected_lane;
    let mut keys = vec![
        ("q", "quit".to_string()),
        ("?", "help".into()),
        ("Tab", "pane".into()),
        ("t", format!("trigger {}", env(0))),
    ];
    if selected > 0 {
        keys.push((
            "p",
            format!("promote {}→{}", env(selected - 1), env(selected)),
        ));
    }
    keys.push(("R", format!("rollback {}", env(selected))));
    keys.push((":", "cmd".into()));
    keys
}
