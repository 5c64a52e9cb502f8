//! The platforms' own gates from the cockpit: `v` approves and `V` rejects what the selected lane
//! waits on (a GitHub environment's deployment, a Cloud Deploy rollout), after an optional
//! comment (Enter sends); on a Cloud Deploy lane `a` advances and `x` cancels its rollout. The
//! command runs through the same gates, confirmation and ledger as promote.

use crate::model::command::GateAction;
use crate::model::command::Request;
use crate::model::{Level, Model, Overlay, Prompt};
use crate::msg::{Action, Cmd};

/// Opens the comment prompt of a review of the selected lane's gate, if something waits there.
pub fn open(model: &mut Model, reject: bool) -> Vec<Cmd> {
    if model.read_only {
        model.notify(Level::Warn, "read-only: commands are unavailable");
        return Vec::new();
    }
    let lane = model.selected_lane;
    let Some(env) = model.lanes.get(lane).map(|l| l.env.clone()) else {
        return Vec::new();
    };
    if !model.clouddeploy_lanes.get(lane).copied().unwrap_or(false) {
        match model.pipeline.approval_for(&env) {
            None => {
                model.notify(
                    Level::Info,
                    format!("nothing waits for approval on {env}: no workflow run waits on its GitHub environment"),
                );
                return Vec::new();
            }
            Some(a) if !a.current_user_can_approve => {
                let text = format!(
                    "you are not a required reviewer of {}: ask {} to review",
                    a.environment,
                    a.reviewer_names().join(" or ")
                );
                model.notify(Level::Warn, text);
                return Vec::new();
            }
            Some(_) => {}
        }
    }
    model.overlay = Overlay::Prompt(Prompt::Review { env, reject });
    Vec::new()
}

/// The review prompt was submitted: send it (an empty comment leaves only the grid's).
pub fn submitted(model: &mut Model, env: String, reject: bool, text: String) -> Vec<Cmd> {
    let action = if reject {
        GateAction::Reject
    } else {
        GateAction::Approve
    };
    let comment = (!text.is_empty()).then_some(text);
    super::confirm::start(
        model,
        Request::Gate {
            env,
            action,
            comment,
        },
    )
}

/// Whether `a` / `x` mean Cloud Deploy's advance / cancel here: a Cloud Deploy lane with no
/// flightdeck canary of its own in flight.
pub fn clouddeploy_gate(model: &Model) -> bool {
    let lane = model.selected_lane;
    let Some(env) = model.lanes.get(lane).map(|l| l.env.as_str()) else {
        return false;
    };
    model.clouddeploy_lanes.get(lane).copied().unwrap_or(false)
        && !model.operations.hosted.contains_key(env)
        && model.operations.rollouts.in_flight(env).is_none()
}

/// `a` / `x` on a Cloud Deploy lane: advance its rollout to the next phase, or cancel it, once
/// confirmed like every command (what changes, Enter or the typed name).
pub fn clouddeploy(model: &mut Model, action: Action) -> Vec<Cmd> {
    let env = model
        .lanes
        .get(model.selected_lane)
        .map(|l| l.env.clone())
        .unwrap_or_default();
    let action = match action {
        Action::Advance => GateAction::Advance(None),
        _ => GateAction::Cancel,
    };
    let request = Request::Gate {
        env,
        action,
        comment: None,
    };
    super::confirm::ask(model, request, None, Vec::new())
}
