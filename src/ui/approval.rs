//! A deployment waiting on a platform's gate: the lane's line, the phases pane's footer and the
//! review prompt's title (which environment, who may approve, the wait, the keys).

use ratatui::text::{Line, Span};

use super::{Role, UiContext, human_secs};
use crate::model::Model;
use crate::model::pipeline::Approval;

/// The lane card's operation line while a run waits on the lane's GitHub environment.
pub fn lane_line<'a>(_model: &Model, approval: &Approval, ui: &UiContext) -> Line<'a> {
    let text = if approval.current_user_can_approve {
        format!(
            "{} GitHub {}: approve v/V",
            ui.symbols.warn, approval.environment
        )
    } else {
        format!(
            "{} GitHub {}: awaits reviewer",
            ui.symbols.warn, approval.environment
        )
    };
    Line::from(Span::styled(text, ui.theme.style(Role::Warn)))
}

/// The phases pane's footer: which environment, who may approve, how long it has waited, the
/// wait timer, and whether this token's user may approve (and why not).
pub fn footer<'a>(model: &Model, approval: &Approval, ui: &UiContext) -> Line<'a> {
    let lane = model.pipeline.lane_of(&approval.environment);
    let gate = if lane == approval.environment {
        approval.environment.clone()
    } else {
        format!("{} ({lane})", approval.environment)
    };
    let who = approval.reviewer_names().join(", ");
    let mut text = if approval.current_user_can_approve {
        format!("{} {gate} waits for approval by {who}", ui.symbols.warn)
    } else {
        format!(
            "{} {gate} waits: you are not a required reviewer of {} ({who} are)",
            ui.symbols.warn, approval.environment
        )
    };
    text.push_str(&waited(model, approval));
    if approval.wait_timer_minutes > 0 {
        text.push_str(&format!(
            " {} wait timer {}m after approval",
            ui.symbols.sep, approval.wait_timer_minutes
        ));
    }
    if approval.current_user_can_approve {
        text.push_str(&format!(
            " {} v approve · V reject (the grid of {lane} must be GO)",
            ui.symbols.sep
        ));
    }
    Line::from(Span::styled(text, ui.theme.style(Role::Warn)))
}

fn waited(model: &Model, approval: &Approval) -> String {
    approval
        .wait_timer_started_at
        .map(|since| {
            format!(
                ", waiting {}",
                human_secs((model.now - since).num_seconds().max(0))
            )
        })
        .unwrap_or_default()
}

/// Title and notes of the review prompt.
pub fn review_prompt(env: &str, reject: bool) -> (String, Vec<(Role, String)>) {
    let (title, note) = if reject {
        (
            format!(" Reject what waits on {env} "),
            "Rejecting stops the release at this gate; it is always allowed.".to_string(),
        )
    } else {
        (
            format!(" Approve what waits on {env} "),
            format!(
                "Needs the sign-off grid of {env} to be GO (and the usual gates). The review's comment \
                 says who signed what and the ledger head; yours is added."
            ),
        )
    };
    (title, vec![(Role::Text, note)])
}
