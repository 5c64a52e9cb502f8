//! Cloud Deploy deploy policies in front of a command: the policies restricting its action on the
//! target join the environment's freeze windows, so the freeze gate refuses inside them (naming
//! the policy and window) and yields only to an override with a reason; the policies then in force
//! are what the request names in `overrideDeployPolicy`, and what the ledger records.

use chrono::{DateTime, Utc};

use super::outcome::Outcome;
use super::plan::Planning;
use crate::config::profile::Environment;
use crate::policy::{CommandKind, Gate, Refusal, freeze};
use crate::providers::clouddeploy::state::TargetState;

/// `env` with the deploy-policy windows restricting `action` among its freeze windows.
pub(super) fn gated(env: &Environment, state: &TargetState, action: &str) -> Environment {
    let mut gated = env.clone();
    gated.policy.freeze.extend(
        state
            .freezes
            .iter()
            .filter(|f| f.restricts(action))
            .map(|f| f.window.clone()),
    );
    gated
}

/// The policies restricting `action` at `now` (each once), as `overrideDeployPolicy` names them.
pub(super) fn in_force(state: &TargetState, action: &str, now: DateTime<Utc>) -> Vec<String> {
    let mut names: Vec<String> = state
        .freezes
        .iter()
        .filter(|f| f.restricts(action))
        .filter(|f| !matches!(freeze::active_at(&f.window, now), Ok(None)))
        .map(|f| f.policy.clone())
        .collect();
    names.dedup();
    names
}

/// For commands flightdeck's own freeze gate does not stand before (rollback, cancel, reject):
/// a deploy policy in force still does, as the service enforces it. Without an override reason
/// this is the refusal; with one, the policies to override.
pub(super) fn platform_gate(
    planning: &Planning<'_>,
    kind: CommandKind,
    env: &str,
    state: &TargetState,
    action: &str,
) -> Result<Vec<String>, Box<Outcome>> {
    let now = planning.now;
    let names = in_force(state, action, now);
    let has_reason = planning
        .override_reason
        .is_some_and(|r| !r.trim().is_empty());
    if names.is_empty() || has_reason {
        return Ok(names);
    }
    let refusals = state
        .freezes
        .iter()
        .filter(|f| f.restricts(action))
        .filter_map(|f| match freeze::active_at(&f.window, now) {
            Ok(Some(active)) => Some(Refusal {
                gate: Gate::Freeze,
                message: format!(
                    "{action} on `{env}` is restricted by {} ({}) until {}; wait, or override with a reason",
                    active.name,
                    active.description,
                    active.until.format("%Y-%m-%d %H:%M UTC")
                ),
            }),
            Ok(None) => None,
            Err(e) => Some(Refusal {
                gate: Gate::Freeze,
                message: format!(
                    "{} cannot be read ({e}); override with a reason",
                    f.window.name
                ),
            }),
        })
        .collect();
    Err(Box::new(Outcome::refused(kind, env, refusals)))
}
