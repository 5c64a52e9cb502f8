//! Enter on a sign-off cell: its whole history from the ledger, oldest first. Every GO and
//! NO-GO with who and when (and whose signature it replaced), every comment with its line breaks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Role, UiContext};
use crate::ledger::{Decision, Entry, Payload};
use crate::model::Model;

/// The entries about one cell of the grid shown, in ledger order.
pub fn entries<'a>(model: &'a Model, item: &'a str, role: &'a str) -> Vec<&'a Entry> {
    let Some(grid) = &model.signoffs.grid else {
        return Vec::new();
    };
    model
        .signoffs
        .entries
        .iter()
        .filter(|e| match &e.payload {
            Payload::Signoff {
                env,
                release,
                item: i,
                role: r,
                ..
            }
            | Payload::Comment {
                env,
                release,
                item: i,
                role: r,
                ..
            } => *env == grid.env && *release == grid.release && i == item && r == role,
            _ => false,
        })
        .collect()
}

pub fn render(
    model: &Model,
    item: &str,
    role: &str,
    ui: &UiContext,
    frame: &mut Frame,
    area: Rect,
) {
    let history = entries(model, item, role);
    let mut lines = Vec::new();
    let mut signer: Option<(String, Decision)> = None;
    for entry in &history {
        let who = match &entry.actor.ssh_origin {
            Some(origin) => format!("{} ({origin})", entry.actor.account),
            None => entry.actor.account.clone(),
        };
        let when = entry.time.format("%Y-%m-%d %H:%M:%S UTC");
        let (head, role_style, text) = match &entry.payload {
            Payload::Signoff {
                decision, comment, ..
            } => {
                let replaced = match &signer {
                    Some((account, old)) => format!(" (replaces {account}'s {})", old.label()),
                    None => String::new(),
                };
                signer = Some((entry.actor.account.clone(), *decision));
                let style = if *decision == Decision::Go {
                    Role::Pass
                } else {
                    Role::Fail
                };
                (
                    format!("{} by {who}{replaced}", decision.label()),
                    style,
                    comment.clone(),
                )
            }
            Payload::Comment { text, .. } => {
                (format!("comment by {who}"), Role::Info, Some(text.clone()))
            }
            _ => continue,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{when}  "), ui.theme.style(Role::Dim)),
            Span::styled(head, ui.theme.style(role_style)),
            Span::styled(format!("  seq {}", entry.seq), ui.theme.style(Role::Dim)),
        ]));
        for text_line in text.iter().flat_map(|t| t.lines()) {
            lines.push(Line::from(Span::styled(
                format!("    {text_line}"),
                ui.theme.style(Role::Text),
            )));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "nobody has signed or commented on this cell yet",
            ui.theme.style(Role::Dim),
        )));
    }
    let title = format!(" History: {item} × {role} ({} entries) ", history.len());
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(ui.block(&title, true))
            .wrap(Wrap { trim: false }),
        area,
    );
}
