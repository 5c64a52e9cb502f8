//! What stands around every command: the gates (with the typed confirmation) and the ledger
//! records written before anything is sent and after it is done. The gates are decided here on
//! a fresh read of the ledger (the CLI), or by the cockpit's `update` from its model
//! (`update::gate_decision`); either way the command is recorded only at the ledger seq the
//! decision rests on.

use chrono::{DateTime, Utc};

use super::context::Context;
use super::outcome::{Outcome, Status};
use super::record::append_record;
use crate::ledger::{Payload, Setup};
use crate::model::command_plan::{CommandRecord, NotRecorded};
use crate::model::signoff::SignoffGrid;
use crate::policy::{GateInput, GateQuestion, GateVerdict, evaluate};

/// What the gates allowed: the gates waived by the override reason, and the ledger seq their
/// facts were read at (`None`: no gate read the ledger). The command is recorded only if nothing
/// was appended after that seq, so a sign-off withdrawn meanwhile is never passed over.
#[derive(Debug, Clone, Default)]
pub struct Passed {
    pub overridden: Vec<String>,
    pub read_at: Option<u64>,
}

/// The gates' verdict on `question` on a fresh read of the ledger (the cockpit's `update` decides
/// from its model instead). When only the typed confirmation is missing, the refusal names just
/// that: the CLI asks it then (`run`), never while anything else refuses.
pub(super) async fn decide(ctx: &Context, question: &GateQuestion) -> Result<Passed, Box<Outcome>> {
    let (kind, env) = (question.kind, question.env.as_str());
    let failed = |e: String| Box::new(Outcome::new(kind, env, Status::Failed, e));
    let grid = if ctx.is_database() {
        // Only the verified prefix counts here too (a database read stops at the first bad row).
        let entries = ctx
            .ledger()
            .and_then(|l| l.read_blocking())
            .map_err(failed)?;
        SignoffGrid::from_entries(&ctx.profile.signoff, env, &question.release, &entries)
    } else {
        // Only the verified prefix counts, and a ledger that does not verify is a NO-GO.
        let setup =
            Setup::at(&ctx.profile, ctx.ledger_path.clone(), ctx.read_only).map_err(failed)?;
        SignoffGrid::from_ledger(&setup, &ctx.profile.signoff, env, &question.release)
            .map_err(|e| failed(e.to_string()))?
    };
    let mut input = GateInput {
        kind,
        target_env: env,
        policy: &question.policy,
        read_only: ctx.read_only,
        now: Utc::now(),
        actor: &ctx.actor.account,
        signoff: Some(&grid),
        source_health: question.source_health.clone(),
        confirmed: true,
        override_reason: question.override_reason.as_deref(),
    };
    if let GateVerdict::Refused(refusals) = evaluate(&input) {
        return Err(Box::new(Outcome::refused(kind, env, refusals)));
    }
    input.confirmed = question.confirmed;
    match evaluate(&input) {
        GateVerdict::Refused(refusals) => Err(Box::new(Outcome::refused(kind, env, refusals))),
        GateVerdict::Allowed { overridden } => Ok(Passed {
            overridden: overridden
                .iter()
                .map(|r| r.gate.name().to_string())
                .collect(),
            read_at: Some(question.read_at),
        }),
    }
}

/// Appends `record`; an outcome saying why when it was not (nothing is sent then).
pub(super) fn record(
    ctx: &Context,
    record: &CommandRecord,
    outcome: &Outcome,
) -> Result<String, Box<Outcome>> {
    let appended = ctx
        .ledger()
        .map_err(NotRecorded::Failed)
        .and_then(|ledger| append_record(&ledger, &ctx.actor, record));
    appended.map_err(|not| Box::new(not.outcome(outcome)))
}

/// Records the outcome, with the time from `since` (when the command started) to now.
pub(super) fn record_outcome(ctx: &Context, outcome: &mut Outcome, since: DateTime<Utc>) {
    let Some(request_id) = outcome.request_id.clone() else {
        return;
    };
    outcome.elapsed_secs = (Utc::now() - since).num_milliseconds().max(0) as f64 / 1000.0;
    let detail = outcome.ledger_detail();
    let payload = Payload::CommandOutcome {
        request_id,
        ok: outcome.ok(),
        detail,
    };
    let appended = ctx
        .ledger()
        .and_then(|l| l.append_blocking(&ctx.actor, payload));
    if let Err(e) = appended {
        outcome.message.push_str(&format!(
            " (the outcome was not recorded in the ledger: {e})"
        ));
        if outcome.status == Status::Done {
            outcome.status = Status::Failed;
        }
    }
}
