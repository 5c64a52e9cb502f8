//! What a confirmation of Cloud Deploy's own verbs (`a` advance, `x` cancel, approve, reject,
//! retry) says will change: the lane's rollout, its phase from → to, and the traffic after.

use crate::model::Model;
use crate::model::command::GateAction;
use crate::model::confirm::Preview;
use crate::model::lane::DeployRollout;

/// The rows of a platform-gate confirmation for `env`'s newest rollout.
pub fn gate_rows(model: &Model, env: &str, action: &GateAction, preview: &mut Preview) {
    let rollout = super::gate_facts::lane_index(model, env)
        .and_then(|i| model.lanes[i].service.as_ref())
        .and_then(|s| s.rollout.as_ref());
    let Some(r) = rollout else {
        preview.change("rollout", "not read yet");
        preview.change("after", format!("{} {env}'s newest rollout", action.name()));
        return;
    };
    preview.change(
        "rollout",
        format!("{} · {} · {}", r.id, r.version, words(&r.state)),
    );
    let at = reached(r);
    match action {
        GateAction::Advance(_) => match &r.next_phase {
            Some(next) => {
                preview.change("phase", format!("{at} → {next}"));
                preview.change(
                    "after",
                    format!("{next} starts: {}% on {}", percent(next), r.version),
                );
            }
            None => {
                preview.change("phase", at);
                preview.change(
                    "after",
                    "nothing waits to advance: Cloud Deploy will refuse",
                );
            }
        },
        GateAction::Cancel => {
            preview.change("phase", format!("{at} → cancelled"));
            preview.change(
                "after",
                format!(
                    "rollout {} cancelled, its phases not done aborted; {env} keeps what it ran",
                    r.id
                ),
            );
        }
        other => {
            preview.change("phase", at);
            preview.change("after", format!("{} rollout {}", other.name(), r.id));
        }
    }
}

/// The phase running, or the last one done (`canary-10 done`), or `not started`.
fn reached(r: &DeployRollout) -> String {
    if let Some(running) = r.phases.iter().find(|p| p.state == "IN_PROGRESS") {
        return format!("{} running", running.id);
    }
    r.phases
        .iter()
        .rev()
        .find(|p| p.state == "SUCCEEDED")
        .map_or_else(|| "not started".into(), |p| format!("{} done", p.id))
}

/// `canary-50` → 50; `stable` → 100.
fn percent(phase: &str) -> u8 {
    phase
        .strip_prefix("canary-")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100)
}

fn words(state: &str) -> String {
    state.to_lowercase().replace('_', " ")
}
