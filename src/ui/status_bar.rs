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
    let cut = fit(&mut keys, area.width as usize, model.focus.title().len());
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in &keys {
        spans.push(Span::styled(*key, ui.theme.style(Role::Key)));
        spans.push(Span::styled(
            format!(" {what}  "),
            ui.theme.style(Role::StatusBar),
        ));
    }
    if cut {
        spans.push(Span::styled("…  ", ui.theme.style(Role::Dim)));
    }
    spans.push(Span::styled(
        format!("[{}]", model.focus.title()),
        ui.theme.style(Role::Dim),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The sign-off grid's keys, most used first after quit, help and Tab.
const SIGNOFF_KEYS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("?", "help"),
    ("Tab", "pane"),
    ("hjkl", "cell"),
    ("g", "GO"),
    ("G", "GO column"),
    ("n", "NO-GO"),
    ("c", "comment"),
    ("Enter", "history"),
];

/// Drops keys until the line fits `width`: `Tab` first (every pane has it), then from the end,
/// where each pane keeps its least used keys; quit and help always stay (help lists every key),
/// and so does the focused pane's name, which users and the e2e tests read. True if any was cut.
fn fit(keys: &mut Vec<(&'static str, String)>, width: usize, title: usize) -> bool {
    let needed = |keys: &[(&str, String)], cut: bool| -> usize {
        1 + keys
            .iter()
            .map(|(k, w)| k.chars().count() + w.chars().count() + 3)
            .sum::<usize>()
            + if cut { 3 } else { 0 }
            + title
            + 2
    };
    if needed(keys, false) <= width {
        return false;
    }
    if let Some(tab) = keys.iter().position(|(k, _)| *k == "Tab") {
        keys.remove(tab);
    }
    while needed(keys, true) > width && keys.len() > 2 {
        keys.pop();
    }
    true
}

/// The keys of the moment; those that act on a lane name it (`p promote staging→prod`). A
/// read-only cockpit advertises no command.
fn keys(model: &Model) -> Vec<(&'static str, String)> {
    let fixed = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, w)| (*k, w.to_string())).collect()
    };
    let mut keys = match (&model.overlay, model.focus) {
        (Overlay::Help | Overlay::CellHistory { .. } | Overlay::DeployPhaseDetail(_), _) => {
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
        (Overlay::None, Pane::Signoff) if !model.read_only => fixed(SIGNOFF_KEYS),
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
    if model.focus == Pane::Phases && model.overlay == Overlay::None {
        if super::deploy_phases::selected(model).is_some() {
            keys.insert(keys.len().min(3), ("Enter", "jobs".into()));
        } else if model.pipeline.run.is_some() {
            keys.insert(keys.len().min(3), ("Enter", "steps".into()));
        }
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

#[cfg(test)]
mod tests {
    use super::{SIGNOFF_KEYS, fit};

    fn signoff_keys() -> Vec<(&'static str, String)> {
        SIGNOFF_KEYS
            .iter()
            .map(|(k, w)| (*k, w.to_string()))
            .collect()
    }

    fn names(keys: &[(&'static str, String)]) -> Vec<&'static str> {
        keys.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn a_wide_line_keeps_every_key_and_says_nothing_was_cut() {
        let mut keys = signoff_keys();
        assert!(!fit(&mut keys, 200, "Sign-off".len()));
        assert_eq!(keys.len(), 9);
    }

    #[test]
    fn at_80_columns_tab_and_the_last_keys_go_first_and_signing_stays() {
        let mut keys = signoff_keys();
        assert!(fit(&mut keys, 80, "Sign-off".len()));
        let kept = names(&keys);
        assert_eq!(kept, ["q", "?", "hjkl", "g", "G", "n", "c"], "{kept:?}");
    }

    #[test]
    fn quit_and_help_stay_however_narrow() {
        let mut keys = signoff_keys();
        assert!(fit(&mut keys, 10, "Sign-off".len()));
        assert_eq!(names(&keys), ["q", "?"]);
    }
}
