//! What the confirmation and the gates read off the model about the lane a command targets.

use crate::model::Model;
use crate::model::command::Request;
use crate::policy::{CommandKind, GateInput, GateVerdict, SourceHealth, evaluate};
use crate::probes::Verdict;

pub(super) fn target_env(model: &Model, request: &Request) -> String {
    let first = model.lanes.first().map(|l| l.env.as_str());
    request.target(first.unwrap_or_default()).to_string()
}

pub(super) fn lane_index(model: &Model, env: &str) -> Option<usize> {
    model.lanes.iter().position(|l| l.env == env)
}

/// What runs in `env` now: `1.4.0 · 00007-abc 90% + 1.4.2 · 00008-abc 10%`.
pub(super) fn serving(model: &Model, env: &str) -> String {
    let service = lane_index(model, env).and_then(|i| model.lanes[i].service.as_ref());
    match service {
        Some(s) if !s.traffic.is_empty() => s
            .traffic
            .iter()
            .map(|t| format!("{} · {} {}%", t.version, t.short, t.percent))
            .collect::<Vec<_>>()
            .join(" + "),
        Some(_) => "no revision serves".into(),
        None => "not read yet".into(),
    }
}

/// The gates as the cockpit sees them; `None` for facts it does not know yet.
pub(super) fn gate_input<'a>(
    model: &'a Model,
    kind: CommandKind,
    env: &'a str,
    policy: &'a crate::policy::EnvPolicy,
    grid: Option<&'a crate::model::signoff::SignoffGrid>,
    source: SourceHealth,
) -> GateInput<'a> {
    GateInput {
        kind,
        target_env: env,
        policy,
        read_only: model.read_only,
        now: model.now,
        actor: model.signoffs.account.as_deref().unwrap_or(""),
        signoff: grid,
        source_health: source,
        confirmed: true,
        override_reason: None,
    }
}

/// The source lane's verdict as a gate fact: `None` when not known yet.
pub(super) fn source_health(model: &Model, from: &str) -> Option<SourceHealth> {
    let index = lane_index(model, from)?;
    match model.probes.lane_verdict(index, model.now) {
        Verdict::Pass => Some(SourceHealth::Green),
        Verdict::Stale | Verdict::Unknown => None,
        other => Some(SourceHealth::NotGreen(format!("{from} is {other:?}"))),
    }
}

pub(super) fn refused(input: &GateInput<'_>) -> Vec<crate::policy::Refusal> {
    match evaluate(input) {
        GateVerdict::Allowed { .. } => Vec::new(),
        GateVerdict::Refused(refusals) => refusals,
    }
}
