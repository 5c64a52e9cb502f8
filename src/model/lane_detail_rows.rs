//! How many rows the lane detail holds at a width, counted from the same data the view draws
//! (`ui::lane_detail::rows`; a test keeps the two equal), so that `update` can stop scrolling
//! where the content ends without knowing the terminal.

use super::Model;
use super::lane_detail::{Deed, HistoryItem, history};
use super::lane_detail_diff::{LaneDiff, diff, provider_name};
use super::lane_detail_links::links;

/// Columns for a URL's text on one row (after its 4-column indent).
pub fn url_room(width: usize) -> usize {
    width.saturating_sub(4).max(1)
}

/// A deed's note (overridden gates, why it failed or was rolled back), whole, in pieces that fit
/// `width` after a 6-column indent; secrets masked.
pub fn note_rows(deed: &Deed, width: usize) -> Vec<String> {
    let Some(note) = &deed.note else {
        return Vec::new();
    };
    let note: Vec<char> = crate::redact::redact(&note.replace('\n', " "))
        .chars()
        .collect();
    note.chunks(width.saturating_sub(6).max(1))
        .map(|piece| piece.iter().collect())
        .collect()
}

/// `same: a, b, c` packed into rows of at most `width` columns (names are never split).
pub fn same_rows(same: &[String], width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::from("  same:");
    for (i, name) in same.iter().enumerate() {
        let piece = if i + 1 < same.len() {
            format!(" {name},")
        } else {
            format!(" {name}")
        };
        if row.chars().count() + piece.chars().count() > width && row.trim() != "same:" {
            rows.push(std::mem::replace(&mut row, "       ".to_string()));
        }
        row.push_str(&piece);
    }
    if !same.is_empty() {
        rows.push(row);
    }
    rows
}

/// A Cloud Deploy lane names its target (its rollouts are the revisions listed).
pub fn target_line(model: &Model, lane: usize) -> Option<String> {
    let cloud_deploy = model.clouddeploy_lanes.get(lane).copied().unwrap_or(false);
    let service = model.lanes.get(lane)?.service.as_ref()?;
    let target = service.name.rsplit('/').next().unwrap_or(&service.name);
    cloud_deploy.then(|| {
        let target = crate::ledger::clean::printable(target, false);
        format!("  Cloud Deploy target {target}: its rollouts are the revisions")
    })
}

pub fn row_count(model: &Model, lane: usize, width: usize) -> usize {
    let Some(the_lane) = model.lanes.get(lane) else {
        return 1;
    };
    let items = history(
        &model.signoffs.entries,
        &the_lane.env,
        the_lane.service.as_ref(),
    );
    let comparison = match diff(&model.lanes, lane, provider_name(model, lane)) {
        LaneDiff::Last => 1,
        LaneDiff::NoData(_) => 2,
        LaneDiff::Compared {
            differs,
            same,
            unavailable,
            ..
        } => {
            1 + usize::from(differs.is_empty())
                + differs
                    .iter()
                    .map(|d| 1 + usize::from(d.two_rows()))
                    .sum::<usize>()
                + same_rows(&same, width).len()
                + usize::from(unavailable.is_some())
        }
    };
    let found = links(model, lane);
    let link_rows: usize = found
        .links
        .iter()
        .map(|l| 1 + l.url.chars().count().div_ceil(url_room(width)))
        .sum();
    let notes: usize = items
        .iter()
        .filter_map(|item| match item {
            HistoryItem::Revision { deployed_by, .. } => deployed_by.as_ref(),
            HistoryItem::Deed(deed) => Some(deed),
        })
        .map(|deed| note_rows(deed, width).len())
        .sum();
    // Title, target, history, blank, comparison, blank, "Links", links, what is missing.
    1 + usize::from(target_line(model, lane).is_some())
        + (2 * items.len()).max(1)
        + notes
        + 1
        + comparison
        + 2
        + link_rows
        + found.missing.len()
}

#[cfg(test)]
mod tests {
    use super::same_rows;

    #[test]
    fn the_same_settings_wrap_between_names() {
        let names: Vec<String> = ["env APP_ENV", "env REGION", "min instances", "cpu"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            same_rows(&names, 30),
            [
                "  same: env APP_ENV,",
                "        env REGION,",
                "        min instances, cpu"
            ]
        );
        assert!(same_rows(&[], 30).is_empty());
    }
}
