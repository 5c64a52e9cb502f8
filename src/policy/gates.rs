//! The gates in front of trigger, promote and rollback. Pure: every fact (sign-off grid, source
//! health, the clock, who is asking, what they confirmed) is an input.
//!
//! Gates, in the order they are reported: read-only, typed confirmation, freeze windows, sign-off,
//! source green, two-person rule. A refusal names its gate and what would clear it. Policy gates
//! (freeze, sign-off, source green, two-person) yield to an override with a typed reason, which the
//! caller records in the ledger; read-only and confirmation never do. A rollback restores a known
//! revision, so only read-only and confirmation stand in front of it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{EnvPolicy, decide, freeze};
use crate::ledger::Decision;
pub use crate::model::command::{CommandKind, Gate, Refusal};
pub use crate::model::gate_question::SourceHealth;
use crate::model::signoff::SignoffGrid;

/// Everything the gates look at.
#[derive(Debug, Clone)]
pub struct GateInput<'a> {
    pub kind: CommandKind,
    pub target_env: &'a str,
    pub policy: &'a EnvPolicy,
    pub read_only: bool,
    pub now: DateTime<Utc>,
    /// The operating-system account asking.
    pub actor: &'a str,
    /// The sign-off grid for (target env, release), folded from the ledger.
    pub signoff: Option<&'a SignoffGrid>,
    pub source_health: SourceHealth,
    /// `--yes`, or the environment's name typed at the prompt.
    pub confirmed: bool,
    pub override_reason: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    /// Go ahead; `overridden` lists the gates the override reason waived (record each one).
    Allowed {
        overridden: Vec<Refusal>,
    },
    Refused(Vec<Refusal>),
}

pub fn evaluate(input: &GateInput<'_>) -> GateVerdict {
    let refusals = refusals(input);
    let reason = input
        .override_reason
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if refusals.is_empty() {
        return GateVerdict::Allowed {
            overridden: Vec::new(),
        };
    }
    if reason.is_some() && refusals.iter().all(|r| r.gate.overridable()) {
        return GateVerdict::Allowed {
            overridden: refusals,
        };
    }
    GateVerdict::Refused(refusals)
}

fn refusals(input: &GateInput<'_>) -> Vec<Refusal> {
    let env = input.target_env;
    let policy = input.policy;
    if input.read_only {
        return vec![Refusal {
            gate: Gate::ReadOnly,
            message: "read-only mode: commands are disabled (restart without --read-only)".into(),
        }];
    }
    let mut out = Vec::new();
    if policy.confirm_by_name && !input.confirmed {
        out.push(Refusal {
            gate: Gate::Confirmation,
            message: format!(
                "`{env}` needs a typed confirmation: type `{env}` at the prompt, or pass --yes"
            ),
        });
    }
    if input.kind == CommandKind::Rollback {
        return out;
    }
    for window in &policy.freeze {
        match freeze::active_at(window, input.now) {
            Ok(None) => {}
            Ok(Some(active)) => out.push(Refusal {
                gate: Gate::Freeze,
                message: format!(
                    "freeze window `{}` ({}) is active until {}; wait, or override with a reason",
                    active.name,
                    active.description,
                    active.until.format("%Y-%m-%d %H:%M UTC")
                ),
            }),
            Err(e) => out.push(Refusal {
                gate: Gate::Freeze,
                message: format!(
                    "freeze window `{}` of `{env}` cannot be read ({e}); fix the profile, or override with a reason",
                    window.name
                ),
            }),
        }
    }
    if policy.require_signoff {
        let verdict = input.signoff.map(decide);
        match verdict {
            Some(v) if v.go => {}
            Some(v) => out.push(Refusal {
                gate: Gate::Signoff,
                message: format!(
                    "sign-off for `{env}` is not GO ({}); get the missing sign-offs, or override with a reason",
                    v.reason
                ),
            }),
            None => out.push(Refusal {
                gate: Gate::Signoff,
                message: format!("no sign-off grid for `{env}`; sign it, or override with a reason"),
            }),
        }
    }
    if policy.require_source_green && input.kind == CommandKind::Promote {
        let why = match &input.source_health {
            SourceHealth::Green => None,
            SourceHealth::NotGreen(reason) => Some(reason.clone()),
            SourceHealth::Unknown => Some("its health is unknown".into()),
        };
        if let Some(why) = why {
            out.push(Refusal {
                gate: Gate::SourceGreen,
                message: format!(
                    "the source environment's probes are not green ({why}); fix it and retry, or override with a reason"
                ),
            });
        }
    }
    if policy.two_person_rule {
        let signers: BTreeSet<&str> = input
            .signoff
            .map(|grid| {
                grid.iter()
                    .filter_map(|(_, _, cell)| cell.signature.as_ref())
                    .filter(|s| s.decision == Decision::Go)
                    .map(|s| s.account.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if !signers.iter().any(|s| *s != input.actor) {
            out.push(Refusal {
                gate: Gate::TwoPerson,
                message: format!(
                    "two-person rule: {} must not be the only GO signer for `{env}`; ask someone else to sign GO, or override with a reason",
                    input.actor
                ),
            });
        }
    }
    out
}
