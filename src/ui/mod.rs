//! Views: pure functions of the model. One file per screen region.
//!
//! ```text
//! ┌ header: flightdeck · service · profile · data age · UTC clock ───────────────┐
//! │ ╭ dev ───────────╮ ╭ staging ───────╮ ╭ prod ──────────╮                      │
//! │ │ version, rev   │ │                │ │                │   lanes              │
//! │ │ traffic split  │ │                │ │                │                      │
//! │ │ condition, op  │ │                │ │                │                      │
//! │ ╰────────────────╯ ╰────────────────╯ ╰────────────────╯                      │
//! │ ╭ Activity ───────────────────────────────────────────────────────────────╮   │
//! │ ╰─────────────────────────────────────────────────────────────────────────╯   │
//! └ status bar: keys ─────────────────────────────────────────────────────────────┘
//! ```

pub mod activity;
pub mod grid;
pub mod header;
pub mod help;
pub mod lanes;
pub mod ledger_banner;
pub mod phases;
pub mod probe_details;
pub mod probes;
pub mod prompt;
pub mod status_bar;
pub mod symbols;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

use crate::model::{Model, Overlay, Pane};
pub use symbols::Symbols;
pub use theme::{Role, Theme};

/// How to draw: chosen once at start-up (theme, Unicode or ASCII).
#[derive(Debug, Clone)]
pub struct UiContext {
    pub theme: Theme,
    pub symbols: Symbols,
}

impl UiContext {
    pub fn block<'a>(&self, title: &'a str, focused: bool) -> Block<'a> {
        let role = if focused {
            Role::BorderFocus
        } else {
            Role::Border
        };
        Block::default()
            .borders(Borders::ALL)
            .border_set(self.symbols.border)
            .border_style(self.theme.style(role))
            .title(title)
            .title_style(self.theme.style(if focused {
                Role::BorderFocus
            } else {
                Role::Title
            }))
    }
}

pub fn view(model: &Model, ui: &UiContext, frame: &mut Frame) {
    let area = frame.area();
    let lane_height = lanes::height(model).min(area.height.saturating_sub(6).max(5));
    let banner_height = ledger_banner::height(model, area.width);
    let [header_area, banner_area, lanes_area, body_area, status_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_height),
        Constraint::Length(lane_height),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(model, ui, frame, header_area);
    ledger_banner::render(model, ui, frame, banner_area);
    lanes::render(model, ui, frame, lanes_area);
    render_body(model, ui, frame, body_area);
    status_bar::render(model, ui, frame, status_area);
    if let Overlay::ProbeDetails(index) = model.overlay {
        probe_details::render(model, index, ui, frame, centered(area, 90, 26));
    }
    if model.overlay == Overlay::Help {
        help::render(ui, frame, centered(area, 70, 28));
    }
    if ui.symbols == Symbols::ASCII {
        asciify(frame.buffer_mut());
    }
}

/// Terminals without Unicode get ASCII everywhere, including text that came from an API.
fn asciify(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        if !cell.symbol().is_ascii() {
            let replacement = match cell.symbol() {
                "·" | "—" | "–" => "-",
                "…" => "~",
                "→" => ">",
                "≤" => "<",
                "←" => "<",
                "↑" => "^",
                "↓" => "v",
                _ => "?",
            };
            cell.set_symbol(replacement);
        }
    }
}

/// The detail pane (sign-off grid, …), with the activity pane beside it when there is room.
fn render_body(model: &Model, ui: &UiContext, frame: &mut Frame, area: Rect) {
    let detail = model.detail;
    if detail == Pane::Activity {
        activity::render(model, ui, frame, area, model.focus == Pane::Activity);
        return;
    }
    let (detail_area, activity_area) = if area.width >= 120 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(area);
        (left, Some(right))
    } else {
        (area, None)
    };
    let focused = model.focus == detail;
    match detail {
        Pane::Signoff => grid::render(model, ui, frame, detail_area, focused),
        Pane::Phases => phases::render(model, ui, frame, detail_area, focused),
        Pane::Probes => probes::render(model, ui, frame, detail_area, focused),
        Pane::Lanes | Pane::Activity => {}
    }
    if let Some(activity_area) = activity_area {
        activity::render(
            model,
            ui,
            frame,
            activity_area,
            model.focus == Pane::Activity,
        );
    }
}

/// A `width`×`height` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The age of fresh data: within one poll interval it is shown as `≤2s`, so it does not change
/// every second (each change is bytes to a terminal over SSH); older data shows its exact age.
pub fn data_age(age_secs: i64, poll_interval_secs: u64) -> String {
    if age_secs <= poll_interval_secs as i64 {
        format!("≤{poll_interval_secs}s")
    } else {
        human_secs(age_secs)
    }
}

/// `42s`, `3m05s`, `2h10m`.
pub fn human_secs(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}
