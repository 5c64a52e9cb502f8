//! OSC 8 hyperlinks over the lane detail's URLs. A ratatui cell cannot hold an escape sequence
//! safely, so after the frame is drawn the first cell of each URL row gets the whole row's text
//! wrapped in `ESC ] 8 ; id ; URL ESC \` … `ESC ] 8 ; ; ESC \` with its width forced to the
//! text's, and the cells it covers are skipped (ratatui's `CellDiffOption`, as its hyperlink
//! example does). Only the real terminal gets this; test backends see the plain text.

use std::num::NonZeroU16;

use ratatui::Frame;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;

use crate::model::{Model, Overlay};

/// Whether the terminal may be sent OSC 8: not the Linux console or a dumb terminal, and not
/// when `FLIGHTDECK_HYPERLINKS` is `0`, `off` or `no`. Terminals that do not know OSC 8 ignore
/// it; the URL is printed as text either way.
pub fn terminal_allows(var: impl Fn(&str) -> Option<String>) -> bool {
    let term = var("TERM").unwrap_or_default();
    let off = var("FLIGHTDECK_HYPERLINKS").is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "0" | "off" | "no" | "false"
        )
    });
    !off && term != "linux" && term != "dumb"
}

pub fn terminal_allows_from_env() -> bool {
    terminal_allows(|name| std::env::var(name).ok())
}

/// Makes the open lane detail's URLs hyperlinks in the frame just drawn.
pub fn decorate(model: &Model, frame: &mut Frame) {
    let Overlay::LaneDetail { lane, scroll } = model.overlay else {
        return;
    };
    let area = super::lane_detail::area(frame.area());
    for (spot, url, id) in spots(model, lane, scroll, area) {
        link(frame.buffer_mut(), spot, &url, &id);
    }
}

/// The on-screen cells of each visible URL row, with its URL and a link id shared by the rows
/// of one URL (so a terminal underlines a wrapped URL as one link).
fn spots(model: &Model, lane: usize, scroll: usize, area: Rect) -> Vec<(Rect, String, String)> {
    let width = area.width.saturating_sub(2);
    let rows = super::lane_detail::rows(model, lane, width as usize);
    let (first, shown) = super::lane_detail::window(rows.len(), scroll, area);
    let mut urls: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(first).take(shown) {
        let Some((offset, url)) = &row.link else {
            continue;
        };
        let id = match urls.iter().position(|u| *u == url) {
            Some(n) => n,
            None => {
                urls.push(url);
                urls.len() - 1
            }
        };
        let text_width: usize = row.pieces.iter().map(|(t, _)| t.chars().count()).sum();
        let cells = (text_width as u16)
            .saturating_sub(*offset)
            .min(width.saturating_sub(*offset));
        let y = area.y + 1 + (i - first) as u16;
        let spot = Rect::new(area.x + 1 + offset, y, cells, 1);
        out.push((spot, url.clone(), format!("flightdeck-{lane}-{id}")));
    }
    out
}

/// Wraps the text in `spot` (one row) into an OSC 8 hyperlink to `url`.
pub fn link(buffer: &mut Buffer, spot: Rect, url: &str, id: &str) {
    let spot = spot.intersection(buffer.area);
    let Some(width) = NonZeroU16::new(spot.width) else {
        return;
    };
    let text: String = (spot.x..spot.right())
        .map(|x| buffer[(x, spot.y)].symbol().to_string())
        .collect();
    let first = &mut buffer[(spot.x, spot.y)];
    first.set_symbol(&format!("\x1b]8;id={id};{url}\x1b\\{text}\x1b]8;;\x1b\\"));
    first.set_diff_option(CellDiffOption::ForcedWidth(width));
    for x in spot.x + 1..spot.right() {
        buffer[(x, spot.y)].set_diff_option(CellDiffOption::Skip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::{Backend, CrosstermBackend};

    #[test]
    fn the_linux_console_and_an_opt_out_get_no_escape_sequences() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(terminal_allows(env(&[("TERM", "xterm-256color")])));
        assert!(terminal_allows(env(&[("TERM", "tmux-256color")])));
        assert!(!terminal_allows(env(&[("TERM", "linux")])));
        assert!(!terminal_allows(env(&[
            ("TERM", "xterm"),
            ("FLIGHTDECK_HYPERLINKS", "off")
        ])));
    }

    /// The bytes a real terminal receives: the URL text once, inside one OSC 8 pair, and the
    /// cells after it not written again.
    #[test]
    fn a_linked_row_reaches_the_terminal_as_one_hyperlink() {
        let area = Rect::new(0, 0, 30, 1);
        let mut buffer = Buffer::empty(area);
        buffer.set_string(
            0,
            0,
            "  https://example.com/x  ",
            ratatui::style::Style::default(),
        );
        link(
            &mut buffer,
            Rect::new(2, 0, 21, 1),
            "https://example.com/x",
            "l0",
        );
        let blank = Buffer::empty(area);
        let mut out: Vec<u8> = Vec::new();
        CrosstermBackend::new(&mut out)
            .draw(blank.diff(&buffer).into_iter())
            .unwrap();
        let bytes = String::from_utf8(out).unwrap();
        let expected =
            "\x1b]8;id=l0;https://example.com/x\x1b\\https://example.com/x\x1b]8;;\x1b\\";
        assert!(bytes.contains(expected), "{bytes:?}");
        assert_eq!(bytes.matches("example.com").count(), 2, "{bytes:?}");
    }
}
