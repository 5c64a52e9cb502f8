//! The gates as a confirmation shows them (predicted from what the cockpit knows; the runtime
//! checks them again when the command is sent), and the preview of a canary control.

use std::borrow::Cow;

use super::gate_facts::{gate_input, lane_index, refused, serving, source_health, target_env};
use crate::model::Model;
use crate::model::command::{GateAction, Request};
use crate::model::confirm::{Mark, Preview};
use crate::model::lane::version_of_image;
use crate::model::rollout::{Phase, Rollout};
use crate::model::rollouts::Control;
use crate::model::signoff::SignoffGrid;
use crate::policy::{CommandKind, EnvPolicy, Gate, Refusal, SourceHealth};

struct Facts<'a> {
    kind: CommandKind,
    env: String,
    release: Option<String>,
    from: Option<&'a str>,
}

fn facts<'a>(model: &Model, request: &'a Request) -> Facts<'a> {
    let env = target_env(model, request);
    match request {
        Request::Trigger { version, .. } => Facts {
            kind: CommandKind::Trigger,
            env,
            release: Some(version.clone()),
            from: None,
        },
        Request::Promote { from, .. } => Facts {
            kind: CommandKind::Promote,
            release: lane_index(model, from)
                .and_then(|i| model.lanes[i].service.as_ref())
                .and_then(|s| s.version())
                .map(str::to_string),
            env,
            from: Some(from),
        },
        // Moving a platform rollout forward passes the promotion gates, as the runtime checks them.
        Request::Gate { action, .. }
            if !matches!(action, GateAction::Cancel | GateAction::Reject) =>
        {
            Facts {
                kind: CommandKind::Promote,
                release: lane_index(model, &env)
                    .and_then(|i| model.lanes[i].service.as_ref())
                    .and_then(|s| s.rollout.as_ref())
                    .map(|r| r.version.clone()),
                env,
                from: None,
            }
        }
        Request::Rollback { .. } | Request::Gate { .. } => Facts {
            kind: CommandKind::Rollback,
            env,
            release: None,
            from: None,
        },
    }
}

/// The grid for `env` and `release`: the one shown when it is that, else folded from the ledger;
/// `None` while the ledger is not read.
fn grid<'a>(model: &'a Model, env: &str, release: &str) -> Option<Cow<'a, SignoffGrid>> {
    if !model.signoffs.loaded {
        return None;
    }
    Some(match &model.signoffs.grid {
        Some(g) if g.env == env && g.release == release => Cow::Borrowed(g),
        _ => Cow::Owned(SignoffGrid::from_entries(
            &model.signoffs.config,
            env,
            release,
            &model.signoffs.entries,
        )),
    })
}

/// The deploy-policy action a request is (`CREATE` for trigger and promote).
fn restricted_as(request: &Request) -> &'static str {
    match request {
        Request::Gate { action, .. } => action.restricted_as(),
        Request::Rollback { .. } => "ROLLBACK",
        _ => "CREATE",
    }
}

/// The profile's policy for `env`, with the platform's own freezes on its lane that restrict
/// `action` (Cloud Deploy deploy policies) among its freeze windows.
fn lane_policy<'a>(model: &'a Model, env: &str, action: &str) -> Cow<'a, EnvPolicy> {
    let index = lane_index(model, env);
    let profile = index.and_then(|i| model.policies.get(i));
    let freezes = index
        .and_then(|i| model.lanes.get(i))
        .and_then(|l| l.service.as_ref())
        .map_or(&[][..], |s| s.freezes.as_slice());
    if freezes.is_empty() {
        return profile.map_or_else(|| Cow::Owned(EnvPolicy::default()), Cow::Borrowed);
    }
    let mut policy = profile.cloned().unwrap_or_default();
    policy.freeze.extend(
        freezes
            .iter()
            .filter(|f| f.restricts(action))
            .map(|f| f.window.clone()),
    );
    Cow::Owned(policy)
}

/// Refusals the cockpit can already see; facts it does not know yet are left to the runtime.
pub fn predicted(model: &Model, request: &Request) -> Vec<Refusal> {
    let facts = facts(model, request);
    let policy = lane_policy(model, &facts.env, restricted_as(request));
    let policy = policy.as_ref();
    let grid = facts
        .release
        .as_deref()
        .and_then(|r| grid(model, &facts.env, r));
    let source = facts.from.and_then(|f| source_health(model, f));
    let known_source = source.is_some();
    let input = gate_input(
        model,
        facts.kind,
        &facts.env,
        policy,
        grid.as_deref(),
        source.unwrap_or(SourceHealth::Green),
    );
    let known_grid = grid.is_some();
    refused(&input)
        .into_iter()
        .filter(|r| match r.gate {
            Gate::Signoff | Gate::TwoPerson => known_grid,
            Gate::SourceGreen => known_source,
            _ => true,
        })
        .collect()
}

/// One line per gate that applies to the command.
pub fn gate_lines(
    model: &Model,
    request: &Request,
    reason: Option<&str>,
    overridden: &[Gate],
    preview: &mut Preview,
) {
    let facts = facts(model, request);
    if facts.kind == CommandKind::Rollback {
        let text = match request {
            Request::Gate { .. } => "no policy gate stands before stopping a rollout",
            _ => "no policy gate stands before a rollback (it restores a known revision)",
        };
        preview.gate(Mark::Passed, text);
        return;
    }
    let policy = lane_policy(model, &facts.env, restricted_as(request));
    let policy = policy.as_ref();
    let refusals = predicted(model, request);
    let said = |gate: Gate| {
        refusals
            .iter()
            .find(|r| r.gate == gate)
            .map(|r| r.message.clone())
    };
    let waived = |text: String| match reason {
        Some(reason) => format!("{text} — overridden: “{reason}”"),
        None => text,
    };
    let mut line = |gate: Gate, known: bool, passed: String| {
        let refused_now = said(gate.clone());
        let overridden_later = overridden.contains(&gate);
        let name = match gate {
            Gate::Freeze => "freeze window",
            Gate::Signoff => "sign-off",
            Gate::SourceGreen => "source probes",
            _ => "two-person rule",
        };
        match (refused_now, known) {
            (Some(message), _) => preview.gate(Mark::Overridden, waived(message)),
            (None, _) if overridden_later => preview.gate(
                Mark::Overridden,
                waived(format!("{name}: refused when sent")),
            ),
            (None, true) => preview.gate(Mark::Passed, passed),
            (None, false) => preview.gate(Mark::Unknown, format!("{passed}: checked when sent")),
        }
    };
    let freeze = if policy.freeze.is_empty() {
        "no freeze windows".to_string()
    } else {
        "no freeze window is active".to_string()
    };
    line(Gate::Freeze, true, freeze);
    let release = facts
        .release
        .clone()
        .unwrap_or_else(|| "the release".into());
    let known_grid = model.signoffs.loaded;
    if policy.require_signoff {
        line(
            Gate::Signoff,
            known_grid,
            format!("sign-off GO for {release}"),
        );
    }
    if policy.require_source_green
        && let Some(from) = facts.from
    {
        let known = source_health(model, from).is_some();
        line(Gate::SourceGreen, known, format!("{from}'s probes pass"));
    }
    if policy.two_person_rule {
        line(
            Gate::TwoPerson,
            known_grid,
            "two-person rule: another account signed GO".into(),
        );
    }
}

fn rollout_in<'a>(model: &'a Model, env: &str) -> Option<&'a Rollout> {
    model
        .operations
        .hosted
        .get(env)
        .map(|h| &h.drive.rollout)
        .or_else(|| model.operations.rollouts.in_flight(env).map(|t| &t.rollout))
}

/// What resume, advance or abort will do to the rollout in `env`; `None`: nothing in flight.
pub fn control_preview(model: &Model, env: &str, control: &Control) -> Option<Preview> {
    let rollout = rollout_in(model, env)?;
    let mut preview = Preview::default();
    preview.change("now", serving(model, env));
    let new = rollout
        .to_revision
        .clone()
        .unwrap_or_else(|| "the new revision".into());
    let version = version_of_image(&rollout.image);
    let steps: Vec<String> = rollout
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| match i == rollout.step_index {
            true => format!("[{s}%]"),
            false => format!("{s}%"),
        })
        .collect();
    if !steps.is_empty() {
        let bake = rollout.bake_secs;
        preview.change(
            "canary",
            format!(
                "{version}: {}, {bake}s bake at each step",
                steps.join(" → ")
            ),
        );
    }
    let current = rollout.steps.get(rollout.step_index).copied().unwrap_or(0);
    let after = match control {
        Control::Resume => match &rollout.phase {
            Phase::Paused { remaining_secs } => format!(
                "the bake at {current}% resumes with {remaining_secs}s left, then the next step"
            ),
            _ => "this cockpit takes the rollout over and drives it on".into(),
        },
        Control::Advance => match rollout.steps.get(rollout.step_index + 1) {
            Some(next) => format!("{new} gets {next}% now (the bake at {current}% ends early)"),
            None => format!("{new} keeps 100%: the rollout finishes"),
        },
        Control::Abort(_) => format!(
            "all traffic back to {} (100%); {new} gets none",
            rollout.from_revision
        ),
        Control::Pause => format!("traffic stays at {current}% on {new}"),
    };
    preview.change("after", after);
    preview.gate(
        Mark::Passed,
        "the gates were checked when this rollout began; a control passes none",
    );
    Some(preview)
}

/// Versions known to exist: built successfully (newest first), then those the lanes run.
pub fn known_versions(model: &Model) -> Vec<String> {
    let mut known = model.pipeline.built.clone();
    let running = model
        .lanes
        .iter()
        .filter_map(|l| l.service.as_ref())
        .flat_map(|s| s.traffic.iter().map(|t| t.version.clone()));
    for version in running {
        if !known.contains(&version) {
            known.push(version);
        }
    }
    known
}
