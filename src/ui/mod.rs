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
pub mod context;
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
pub mod text;
pub mod theme;
pub mod too_small;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::model::{Model, Overlay, Pane};
pub use context::UiContext;
pub use layout::{SizeClass, centered};
pub use symbols::Symbols;
pub use text::{data_age, human_secs};
pub use theme::{Role, Theme};

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
