//! A planned command's one provider call, once it is recorded: the script run, the workflow
//! dispatch, the Cloud Deploy create or verb. It never touches the ledger; its host records the
//! outcome.

use super::context::Context;
use super::outcome::Outcome;
use crate::model::command_plan::ProviderCall;

pub async fn call(ctx: &Context, call: &ProviderCall, outcome: Outcome) -> Outcome {
    match call {
        ProviderCall::Script { .. } => super::script::run(ctx, call, outcome).await,
        ProviderCall::Dispatch { .. } => super::dispatch::send(ctx, call, outcome).await,
        ProviderCall::Review { .. } => super::approve_send::send(ctx, call, outcome).await,
        ProviderCall::CreateRelease { .. }
        | ProviderCall::CreateRollout { .. }
        | ProviderCall::RollbackTarget { .. }
        | ProviderCall::RolloutAction { .. } => {
            super::clouddeploy_send::send(ctx, call, outcome).await
        }
    }
}
