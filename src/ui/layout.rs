//! Which screen regions fit the terminal: the size class is a pure function of its size, and each
//! class has one arrangement of panes (drawn in `ui`'s module doc comment).

use ratatui::layout::{Constraint, Layout, Rect};

use crate::model::Pane;

/// How much of the cockpit fits at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeClass {
    /// From about 160×45: lanes, phases, probes, the sign-off grid and activity, all at once.
    Wide,
    /// Around 120×36: lanes plus two panes side by side (the chosen one and activity).
    Medium,
    /// Down to 80×24: lanes and the focused pane, with a tab bar naming the others.
    Compact,
}

impl SizeClass {
    pub const WIDE_MIN: (u16, u16) = (160, 45);
    pub const MEDIUM_MIN: (u16, u16) = (110, 30);
    /// Below this the cockpit shows only a "terminal too small" notice.
    pub const MIN: (u16, u16) = (80, 24);

    pub fn of(width: u16, height: u16) -> SizeClass {
        let fits = |(w, h): (u16, u16)| width >= w && height >= h;
        if fits(Self::WIDE_MIN) {
            SizeClass::Wide
        } else if fits(Self::MEDIUM_MIN) {
            SizeClass::Medium
        } else {
            SizeClass::Compact
        }
    }
}

/// Where each region goes; a pane not in `panes` is reached through the tab bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regions {
    pub header: Rect,
    pub banner: Option<Rect>,
    pub lanes: Rect,
    pub tab_bar: Option<Rect>,
    pub panes: Vec<(Pane, Rect)>,
    pub status: Rect,
}

/// The panes of the body for `class`, given the pane last chosen (`detail`).
pub fn body_panes(class: SizeClass, detail: Pane) -> Vec<Pane> {
    match class {
        SizeClass::Wide => vec![Pane::Phases, Pane::Probes, Pane::Signoff, Pane::Activity],
        SizeClass::Medium => match detail {
            Pane::Activity | Pane::Lanes => vec![Pane::Phases, Pane::Activity],
            other => vec![other, Pane::Activity],
        },
        SizeClass::Compact => match detail {
            Pane::Lanes => vec![Pane::Phases],
            other => vec![other],
        },
    }
}

/// Splits `area` for `class`. `lane_rows` is what the lane cards want; `banner_rows` the alerts.
pub fn regions(
    area: Rect,
    class: SizeClass,
    detail: Pane,
    lane_rows: u16,
    banner_rows: u16,
) -> Regions {
    let tab_rows = u16::from(class == SizeClass::Compact);
    let fixed = 2 + banner_rows + tab_rows;
    // The body keeps at least 5 rows (a bordered pane with three lines) whatever the lanes want.
    let lane_rows = lane_rows.min(area.height.saturating_sub(fixed + 5).max(3));
    let [header, banner, lanes, tab_bar, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_rows),
        Constraint::Length(lane_rows),
        Constraint::Length(tab_rows),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let kinds = body_panes(class, detail);
    let panes = match class {
        SizeClass::Wide => {
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(body);
            let [phases, probes] =
                Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(top);
            let [grid, activity] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(bottom);
            kinds
                .into_iter()
                .zip([phases, probes, grid, activity])
                .collect()
        }
        SizeClass::Medium => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .areas(body);
            kinds.into_iter().zip([left, right]).collect()
        }
        SizeClass::Compact => kinds.into_iter().map(|pane| (pane, body)).collect(),
    };
    Regions {
        header,
        banner: (banner_rows > 0).then_some(banner),
        lanes,
        tab_bar: (tab_rows > 0).then_some(tab_bar),
        panes,
        status,
    }
}

/// The whole screen's regions for `model`: what the view draws into, and what a mouse click is
/// measured against (one computation for both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub regions: Regions,
    /// The banner's rows: the ledger's first, then the alerts'.
    pub ledger_rows: u16,
    pub alert_rows: u16,
}

pub fn screen(model: &crate::model::Model, area: Rect) -> Screen {
    let class = SizeClass::of(area.width, area.height);
    let ledger_rows = super::ledger_banner::height(model, area.width);
    let alert_rows = super::banner::rows(model, area.height);
    let regions = regions(
        area,
        class,
        model.detail,
        super::lanes::height(model),
        ledger_rows + alert_rows,
    );
    Screen {
        regions,
        ledger_rows,
        alert_rows,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_class_follows_the_terminal() {
        let cases = [
            ((80, 24), SizeClass::Compact),
            ((100, 40), SizeClass::Compact),
            ((200, 29), SizeClass::Compact),
            ((110, 30), SizeClass::Medium),
            ((120, 36), SizeClass::Medium),
            ((159, 48), SizeClass::Medium),
            ((200, 44), SizeClass::Medium),
            ((160, 45), SizeClass::Wide),
            ((160, 48), SizeClass::Wide),
            ((200, 55), SizeClass::Wide),
        ];
        for ((w, h), class) in cases {
            assert_eq!(SizeClass::of(w, h), class, "{w}×{h}");
        }
    }

    #[test]
    fn every_pane_has_a_place_when_wide() {
        let r = regions(
            Rect::new(0, 0, 200, 55),
            SizeClass::Wide,
            Pane::Activity,
            11,
            0,
        );
        let kinds: Vec<Pane> = r.panes.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            kinds,
            [Pane::Phases, Pane::Probes, Pane::Signoff, Pane::Activity]
        );
        assert!(r.tab_bar.is_none());
        for (pane, rect) in &r.panes {
            assert!(rect.height >= 10 && rect.width >= 60, "{pane:?} {rect:?}");
        }
    }

    #[test]
    fn medium_shows_the_chosen_pane_beside_activity_and_compact_only_the_chosen_one() {
        let medium = body_panes(SizeClass::Medium, Pane::Signoff);
        assert_eq!(medium, [Pane::Signoff, Pane::Activity]);
        assert_eq!(
            body_panes(SizeClass::Medium, Pane::Activity),
            [Pane::Phases, Pane::Activity]
        );
        assert_eq!(body_panes(SizeClass::Compact, Pane::Probes), [Pane::Probes]);
        let r = regions(
            Rect::new(0, 0, 80, 24),
            SizeClass::Compact,
            Pane::Probes,
            11,
            1,
        );
        assert!(r.tab_bar.is_some() && r.banner.is_some());
        assert!(r.panes[0].1.height >= 5, "{:?}", r.panes);
    }
}
