//! Enter on a lane: the lane in depth. Its revisions newest first, each with who deployed it
//! through flightdeck (or "not deployed by flightdeck"), the ledger's rollbacks and canary
//! controls between them; what differs from the next lane; links to the GitHub run and the
//! Cloud console, printed in full (they work without OSC 8 and over tmux) and made hyperlinks
//! by [`super::lane_detail_links`] on terminals that take them.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{ellipsize, position_marker};
use super::{Role, UiContext};
use crate::ledger::clean::printable;
use crate::model::Model;
use crate::model::lane::short_revision;
use crate::model::lane_detail::{Deed, HistoryItem, history};
use crate::model::lane_detail_diff::{LaneDiff, diff, provider_name};
use crate::model::lane_detail_links::links;
use crate::model::lane_detail_rows::{note_rows, same_rows, target_line, url_room};

/// One row of the detail: styled pieces, and the URL its text after `offset` columns links to.
pub struct Row {
    pub pieces: Vec<(String, Role)>,
    pub link: Option<(u16, String)>,
}

impl Row {
    fn new(pieces: Vec<(String, Role)>) -> Row {
        Row { pieces, link: None }
    }

    fn text(text: impl Into<String>, role: Role) -> Row {
        Row::new(vec![(text.into(), role)])
    }
}

/// Where the detail is drawn: centred, the status bar's row left free.
pub fn area(full: Rect) -> Rect {
    let above_status = Rect {
        height: full.height.saturating_sub(1),
        ..full
    };
    super::centered(above_status, 112, 40)
}

/// The first row shown for `scroll` (the last page at most) and how many rows fit.
pub fn window(total: usize, scroll: usize, area: Rect) -> (usize, usize) {
    let shown = area.height.saturating_sub(2) as usize;
    (scroll.min(total.saturating_sub(shown)), shown)
}

pub fn render(
    model: &Model,
    lane: usize,
    scroll: usize,
    ui: &UiContext,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.saturating_sub(2) as usize;
    let rows = rows(model, lane, width);
    let (first, shown) = window(rows.len(), scroll, area);
    let lines: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(shown)
        .map(|row| {
            let mut used = 0;
            let spans = row.pieces.iter().map(|(text, role)| {
                let text = ellipsize(text, width.saturating_sub(used));
                used += text.chars().count();
                Span::styled(text, ui.theme.style(*role))
            });
            Line::from(spans.collect::<Vec<_>>())
        })
        .collect();
    let title = match model.lanes.get(lane) {
        Some(l) => {
            let runs = l.service.as_ref().and_then(|s| s.version());
            format!(
                " {} in depth · {} ",
                l.env,
                runs.unwrap_or("version unknown")
            )
        }
        None => " in depth ".into(),
    };
    let block = ui
        .block(&title, true)
        .title_bottom(Line::from(position_marker(first, shown, rows.len())).right_aligned());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Every row of lane `lane`'s detail at `width` columns.
pub fn rows(model: &Model, lane: usize, width: usize) -> Vec<Row> {
    let Some(the_lane) = model.lanes.get(lane) else {
        return vec![Row::text("no such lane", Role::Dim)];
    };
    let mut rows = vec![Row::text(
        format!(
            "Revisions, newest first · times local (UTC{})",
            model.local_offset
        ),
        Role::Title,
    )];
    rows.extend(target_line(model, lane).map(|line| Row::text(line, Role::Dim)));
    let service = the_lane.service.as_ref();
    let items = history(&model.signoffs.entries, &the_lane.env, service);
    if items.is_empty() {
        rows.push(Row::text(
            match service {
                None => "  waiting for the first answer from this lane's provider",
                Some(_) => "  no revisions reported and nothing in the ledger",
            },
            Role::Dim,
        ));
    }
    let when = |at: Option<DateTime<Utc>>| when(at, model.now, model.local_offset);
    let service_short = service.map_or("", |s| s.name.rsplit('/').next().unwrap_or(&s.name));
    let short = |revision: &str| short_revision(service_short, revision);
    for item in &items {
        match item {
            HistoryItem::Revision {
                revision,
                serving,
                deployed_by,
            } => {
                let share = match (serving, revision.ready) {
                    (Some(p), _) => format!("{p:>3}%"),
                    (None, true) => "    ".into(),
                    (None, false) => "not ready".into(),
                };
                rows.push(Row::new(vec![
                    (
                        format!("  {:<10} ", printable(&revision.short, false)),
                        Role::Accent,
                    ),
                    (
                        format!("{:<9} ", printable(&revision.version, false)),
                        Role::Text,
                    ),
                    (
                        format!("{share:<5} "),
                        if serving.is_some() {
                            Role::Pass
                        } else {
                            Role::Dim
                        },
                    ),
                    (when(item.at()), Role::Dim),
                ]));
                match deployed_by {
                    Some(deed) => {
                        rows.extend(deed_rows(deed, &format!("    {} ", deed.action), width))
                    }
                    None => rows.push(Row::text("    not deployed by flightdeck", Role::Dim)),
                }
            }
            HistoryItem::Deed(deed) => {
                let mut what = format!("{} {}", deed.action, deed.release);
                if let (Some(from), Some(to)) = (&deed.from_revision, &deed.to_revision) {
                    what.push_str(&format!(": {} → {}", short(from), short(to)));
                }
                rows.push(Row::new(vec![
                    ("  ".into(), Role::Text),
                    (format!("{}  ", when(Some(deed.at))), Role::Dim),
                    (what.trim_end().to_string(), Role::Info),
                ]));
                rows.extend(deed_rows(deed, "    ", width));
            }
        }
    }
    rows.push(Row::text("", Role::Text));
    rows.extend(diff_rows(model, lane, width));
    rows.push(Row::text("", Role::Text));
    rows.push(Row::text("Links", Role::Title));
    let found = links(model, lane);
    for link in &found.links {
        rows.push(Row::text(format!("  {}", link.label), Role::Text));
        // Printed whole, over as many rows as it takes: a cut URL would not work when copied.
        let chars: Vec<char> = link.url.chars().collect();
        for chunk in chars.chunks(url_room(width)) {
            let mut row = Row::text(
                format!("    {}", chunk.iter().collect::<String>()),
                Role::Accent,
            );
            row.link = Some((4, link.url.clone()));
            rows.push(row);
        }
    }
    for missing in &found.missing {
        rows.push(Row::text(format!("  {missing}"), Role::Dim));
    }
    rows
}

/// `{lead}by alice@bastion · done`, then the note (overridden gates, why it failed or was
/// rolled back) in full on rows of its own.
fn deed_rows(deed: &Deed, lead: &str, width: usize) -> Vec<Row> {
    let (outcome, role) = match (deed.ok, &deed.outcome) {
        (Some(true), Some(o)) => (o.clone(), Role::Pass),
        (Some(false), Some(o)) => (o.clone(), Role::Fail),
        (_, Some(o)) => (o.clone(), Role::Warn),
        (_, None) => (String::new(), Role::Dim),
    };
    let mut pieces = vec![(format!("{lead}by {}", deed.who), Role::Text)];
    if !outcome.is_empty() {
        pieces.push((format!(" · {outcome}"), role));
    }
    let mut rows = vec![Row::new(pieces)];
    for part in note_rows(deed, width) {
        rows.push(Row::text(format!("      {part}"), Role::Dim));
    }
    rows
}

fn diff_rows(model: &Model, lane: usize, width: usize) -> Vec<Row> {
    let env = model.lanes.get(lane).map_or("", |l| l.env.as_str());
    match diff(&model.lanes, lane, provider_name(model, lane)) {
        LaneDiff::Last => vec![Row::text(
            format!("What differs: {env} is the last lane, nothing comes after it"),
            Role::Title,
        )],
        LaneDiff::NoData(which) => vec![
            Row::text("What differs", Role::Title),
            Row::text(format!("  no data from {which} yet"), Role::Dim),
        ],
        LaneDiff::Compared {
            next,
            differs,
            same,
            unavailable,
        } => {
            let mut rows = vec![Row::text(
                format!("What differs: {env} → {next}"),
                Role::Title,
            )];
            if differs.is_empty() && same.is_empty() {
                rows.push(Row::text("  nothing known to compare yet", Role::Dim));
            } else if differs.is_empty() {
                rows.push(Row::text("  nothing that is compared differs", Role::Pass));
            }
            for row in differs {
                let (here, there) = row.shown();
                let what = format!("  {:<24} ", row.what);
                if here == there {
                    // Hidden values: only whether they differ is known.
                    rows.push(Row::new(vec![
                        (what, Role::Text),
                        (format!("{here}, values differ"), Role::Warn),
                    ]));
                } else if row.two_rows() {
                    rows.push(Row::new(vec![(what, Role::Text), (here, Role::Warn)]));
                    rows.push(Row::new(vec![
                        (format!("  {:<24} ", ""), Role::Text),
                        ("→ ".into(), Role::Dim),
                        (there, Role::Warn),
                    ]));
                } else {
                    rows.push(Row::new(vec![
                        (what, Role::Text),
                        (here, Role::Warn),
                        (" → ".into(), Role::Dim),
                        (there, Role::Warn),
                    ]));
                }
            }
            for row in same_rows(&same, width) {
                rows.push(Row::text(row, Role::Dim));
            }
            if let Some(why) = unavailable {
                rows.push(Row::text(format!("  {why}"), Role::Dim));
            }
            rows
        }
    }
}

/// `11-21 12:30 (2h ago)` in the local zone; a time ahead of the clock is shown as now.
fn when(at: Option<DateTime<Utc>>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let Some(at) = at else {
        return "time unknown".into();
    };
    let at = at.min(now);
    let local = at.with_timezone(&offset).format("%m-%d %H:%M");
    let secs = (now - at).num_seconds();
    let age = match secs {
        0..=59 => "just now".to_string(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=172_799 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    };
    format!("{local} ({age})")
}

#[cfg(test)]
mod tests {
    use crate::model::fixtures::lanes_in_depth;
    use crate::model::lane_detail_rows::row_count;

    #[test]
    fn update_counts_the_rows_the_view_draws() {
        let dir = tempfile::tempdir().unwrap();
        let mut model = lanes_in_depth(dir.path());
        for round in 0..2 {
            for lane in 0..3 {
                for width in [40, 78, 110] {
                    let drawn = super::rows(&model, lane, width).len();
                    assert_eq!(
                        row_count(&model, lane, width),
                        drawn,
                        "lane {lane} at {width}, round {round}"
                    );
                }
            }
            // Without data and templates: the other branches.
            model.clouddeploy_lanes[1] = true;
            model.lanes[2].service = None;
            model.lanes[0].service.as_mut().unwrap().template = None;
            model.signoffs.entries.clear();
        }
    }
}
