//! Views: pure functions of the model. One file per screen region; the root [`view`] picks the
//! arrangement from the terminal's size ([`layout::SizeClass::of`], tested) and hands each region
//! its rectangle.
//!
//! Wide, from about 160×45: everything at once.
//!
//! ```text
//! ┌ header: flightdeck · service · profile · data age · UTC clock ──────────────────────────────┐
//! │ banner: unacknowledged alerts (build failed, auto-rollback, …), one row each, while any       │
//! │ ╭▶dev ✓ pass ────────────╮ ╭ staging ✓ pass ─────────╮ ╭ prod ✗ fail ────────────╮            │
//! │ │ release, revision      │ │                         │ │ canary 10 → [50] → 100  │  lanes     │
//! │ │ traffic split          │ │                         │ │ bake 0m25s              │            │
//! │ │ condition, rollout     │ │                         │ │ NO-GO 9/32 · Security … │            │
//! │ ╰────────────────────────╯ ╰─────────────────────────╯ ╰─────────────────────────╯            │
//! │ ╭ Build #42 ── phases ──────────────╮ ╭ Probes ───────────────────────────────────────────╮   │
//! │ │ ✓ 1 Checkout     ▓▓▓▓ 0m30s       │ │ ✓ pass  prod/health   200  0.4 ms ▁▂▁▃  1s       │   │
//! │ ╰───────────────────────────────────╯ ╰───────────────────────────────────────────────────╯   │
//! │ ╭ Sign-off prod · 1.4.2 ──────────────────────────╮ ╭ Activity ──────────────────────────╮   │
//! │ │ items × roles, the selected cell, the decision  │ │ newest first, position marker      │   │
//! │ ╰─────────────────────────────────────────────────╯ ╰────────────────────────────────────╯   │
//! └ status bar: the keys, naming the lane they act on (p promote staging→prod) ─────────────────┘
//! ```
//!
//! Medium, around 120×36: lanes plus two panes (the one chosen with Tab, and activity).
//!
//! ```text
//! ┌ header ──────────────────────────────────────────────────────────┐
//! │ ╭ dev ────────────╮ ╭ staging ────────╮ ╭ prod ─────────────╮     │
//! │ ╰─────────────────╯ ╰─────────────────╯ ╰───────────────────╯     │
//! │ ╭ phases | probes | sign-off ─────────╮ ╭ Activity ──────────╮    │
//! │ ╰─────────────────────────────────────╯ ╰────────────────────╯    │
//! └ status bar ───────────────────────────────────────────────────────┘
//! ```
//!
//! Compact, down to 80×24: lanes and the pane chosen with Tab; a tab bar names the others with a
//! word of their state.
//!
//! ```text
//! ┌ header ─────────────────────────────────────────┐
//! │ ╭ dev ──────╮ ╭ staging ──╮ ╭ prod ──────╮       │
//! │ ╰───────────╯ ╰───────────╯ ╰────────────╯       │
//! │  Phases 4/10 · Probes ✓ · Sign-off NO-GO · …     │
//! │ ╭ the chosen pane ──────────────────────────╮    │
//! │ ╰───────────────────────────────────────────╯    │
//! └ status bar ─────────────────────────────────────┘
//! ```

pub mod activity;
pub mod approval;
pub mod banner;
pub mod cell_history;
pub mod deploy_phase_detail;
pub mod deploy_phases;
pub mod grid;
pub mod header;
pub mod help;
pub mod lane_detail;
pub mod lane_detail_links;
pub mod lane_freeze;
pub mod lane_signoff;
pub mod lanes;
pub mod layout;
pub mod ledger_banner;
pub mod phase_detail;
pub mod phases;
pub mod pointer;
pub mod probe_details;
pub mod probes;
pub mod prompt;
pub mod status_bar;
pub mod symbols;
pub mod tab_bar;
pub mod theme;
pub mod too_small;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

use crate::model::{Model, Overlay, Pane};
pub use layout::SizeClass;
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
    if too_small::applies(area) {
        too_small::render(ui, frame, area);
        if ui.symbols == Symbols::ASCII {
            asciify(frame.buffer_mut());
        }
        return;
    }
    let layout::Screen {
        regions,
        ledger_rows,
        alert_rows,
    } = layout::screen(model, area);
    header::render(model, ui, frame, regions.header);
    if let Some(banner_area) = regions.banner {
        // The ledger's own banner (wt-ledger's region) first, then the alerts.
        let [ledger_area, alert_area] = Layout::vertical([
            Constraint::Length(ledger_rows),
            Constraint::Length(alert_rows),
        ])
        .areas(banner_area);
        ledger_banner::render(model, ui, frame, ledger_area);
        banner::render(model, ui, frame, alert_area);
    }
    lanes::render(model, ui, frame, regions.lanes);
    if let (Some(tab_area), Some((shown, _))) = (regions.tab_bar, regions.panes.first()) {
        tab_bar::render(model, ui, frame, tab_area, *shown);
    }
    for (pane, pane_area) in &regions.panes {
        render_pane(model, ui, frame, *pane, *pane_area);
    }
    status_bar::render(model, ui, frame, regions.status);
    if let Overlay::ProbeDetails(index) = model.overlay {
        probe_details::render(model, index, ui, frame, centered(area, 90, 26));
    }
    if let Overlay::CellHistory { item, role } = &model.overlay {
        cell_history::render(model, item, role, ui, frame, centered(area, 100, 24));
    }
    if let Overlay::PhaseDetail(index) = model.overlay {
        phase_detail::render(model, index, ui, frame, centered(area, 100, 26));
    }
    if let Overlay::DeployPhaseDetail(index) = model.overlay {
        deploy_phase_detail::render(model, index, ui, frame, centered(area, 100, 20));
    }
    if let Overlay::LaneDetail { lane, scroll } = model.overlay {
        lane_detail::render(model, lane, scroll, ui, frame, lane_detail::area(area));
    }
    if model.overlay == Overlay::Help {
        help::render(ui, frame, centered(area, 76, 28));
    }
    if ui.symbols == Symbols::ASCII {
        asciify(frame.buffer_mut());
    }
}

fn render_pane(model: &Model, ui: &UiContext, frame: &mut Frame, pane: Pane, area: Rect) {
    let focused = model.focus == pane;
    match pane {
        Pane::Signoff => grid::render(model, ui, frame, area, focused),
        Pane::Phases => phases::render(model, ui, frame, area, focused),
        Pane::Probes => probes::render(model, ui, frame, area, focused),
        Pane::Activity => activity::render(model, ui, frame, area, focused),
        Pane::Lanes => {}
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
