//! What stands around every command: the gates (with the typed confirmation) and the ledger
//! records written before anything is sent and after it is done.

use std::io::{BufRead, IsTerminal, Write};

use chrono::Utc;

use super::outcome::{Outcome, Status};
use super::run::Context;
use crate::config::profile::Environment;
use crate::ledger::{Ledger, Payload, Setup};
use crate::policy::{CommandKind, GateInput, GateVerdict, SourceHealth, evaluate};

/// The facts gates need, then the verdict; confirmation is asked only if nothing else refuses.
pub(super) async fn check_gates(
    ctx: &Context,
    kind: CommandKind,
    env: &Environment,
    release: &str,
    source: SourceHealth,
) -> Result<Vec<String>, Box<Outcome>> {
    let failed = |e: String| Box::new(Outcome::new(kind, &env.name, Status::Failed, e));
    // Only the verified prefix counts, and a ledger that does not verify is a NO-GO.
    let setup = Setup::at(&ctx.profile, ctx.ledger_path.clone(), ctx.read_only).map_err(failed)?;
    let grid = setup
        .grid(&ctx.profile.signoff, &env.name, release)
        .map_err(|e| failed(e.to_string()))?;
    let mut input = GateInput {
        kind,
        target_env: &env.name,
        policy: &env.policy,
        read_only: ctx.read_only,
        now: Utc::now(),
        actor: &ctx.actor.account,
        signoff: Some(&grid),
        source_health: source,
        confirmed: true,
        override_reason: ctx.override_reason.as_deref(),
    };
    if let GateVerdict::Refused(refusals) = evaluate(&input) {
        return Err(Box::new(Outcome::refused(kind, &env.name, refusals)));
    }
    input.confirmed =
        ctx.yes || !env.policy.confirm_by_name || (ctx.prompt && typed_name(&env.name));
    match evaluate(&input) {
        GateVerdict::Refused(refusals) => {
            Err(Box::new(Outcome::refused(kind, &env.name, refusals)))
        }
        GateVerdict::Allowed { overridden } => Ok(overridden
            .iter()
            .map(|r| r.gate.name().to_string())
            .collect()),
    }
}

/// The ledger to record in, signing when the profile says so.
fn writer(ctx: &Context) -> Result<Ledger, crate::ledger::LedgerError> {
    Setup::at(&ctx.profile, ctx.ledger_path.clone(), false)
        .map_err(|message| crate::ledger::LedgerError::Sign {
            path: ctx.ledger_path.clone(),
            message,
        })?
        .writer(&ctx.actor.account)
}

fn typed_name(env: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("type `{env}` to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == env
}

/// Records overrides and the command before anything is sent; returns the request id.
pub(super) fn record_command(
    ctx: &Context,
    outcome: &Outcome,
    overridden: &[String],
    detail: serde_json::Value,
) -> Result<String, Box<Outcome>> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let failed = |e: crate::ledger::LedgerError| {
        let mut o = outcome.clone();
        o.status = Status::Failed;
        o.message = format!("not sent: the ledger could not record the command: {e}");
        o
    };
    let ledger = writer(ctx).map_err(failed)?;
    let reason = ctx.override_reason.clone().unwrap_or_default();
    for gate in overridden {
        let payload = Payload::Override {
            gate: gate.clone(),
            reason: reason.trim().to_string(),
            request_id: request_id.clone(),
        };
        ledger.append(&ctx.actor, payload).map_err(failed)?;
    }
    let payload = Payload::Command {
        request_id: request_id.clone(),
        action: format!("{:?}", outcome.action).to_lowercase(),
        env: outcome.env.clone(),
        release: outcome.release.clone().unwrap_or_default(),
        detail,
    };
    ledger.append(&ctx.actor, payload).map_err(failed)?;
    Ok(request_id)
}

pub(super) fn record_outcome(ctx: &Context, outcome: &mut Outcome) {
    let Some(request_id) = outcome.request_id.clone() else {
        return;
    };
    let payload = Payload::CommandOutcome {
        request_id,
        ok: outcome.ok(),
        detail: outcome.ledger_detail(),
    };
    if let Err(e) = writer(ctx).and_then(|l| l.append(&ctx.actor, payload)) {
        outcome.message.push_str(&format!(
            " (the outcome was not recorded in the ledger: {e})"
        ));
        if outcome.status == Status::Done {
            outcome.status = Status::Failed;
        }
    }
}
