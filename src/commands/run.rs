//! The headless commands `trigger`, `promote` and `rollback` (and a platform's gates) as library
//! calls: [`prepare`] routes a request to its flow, which reads the lanes and plans it; the CLI's
//! host (`carry_out`) decides, records, sends and records the outcome. Tests call [`execute`]
//! with a [`Context`] of their own (short timeouts, a temp ledger, a chosen actor).

pub use super::approve::Review;
pub use super::cloudrun::image_repo;
pub use super::context::{ConfirmByName, Context, ControlSlot, DEFAULT_LEASE, ReleaseSlot};
use super::outcome::Outcome;
use super::plan::{Halt, Known, Step};
pub use super::prepared::{Prepared, planned};
pub use crate::model::command::{GateAction, Request};
use crate::model::command_read::Reads;

/// Runs one request to the end; never panics, always an outcome. When entries arrived between
/// the gates and the record ([`Status::Stale`]: nothing was recorded or sent), the gates are
/// checked again on what the ledger says now.
pub async fn execute(ctx: &Context, request: Request) -> Outcome {
    super::carry_out::execute_with(ctx, || prepare(ctx, &request)).await
}

/// Reviews the GitHub deployment waiting on the review's environment; always an outcome.
pub async fn review(ctx: &Context, review: &Review) -> Outcome {
    let mut outcome = super::carry_out::execute_with(ctx, || {
        prepare_with(ctx, |known| super::approve::plan(known, review))
    })
    .await;
    outcome.verb = Some(review.verb().into());
    outcome
}

/// Runs `action` on the newest Cloud Deploy rollout of `env`; always an outcome.
pub async fn rollout_action(ctx: &Context, env: &str, action: GateAction) -> Outcome {
    let verb = action.name();
    let mut outcome = super::carry_out::execute_with(ctx, || {
        prepare_with(ctx, |known| {
            super::clouddeploy_gate::plan(known, env, action.clone())
        })
    })
    .await;
    outcome.verb = Some(verb.into());
    outcome
}

/// Plans the request: asks its planner what it needs next and makes that read, one at a time,
/// until the planner has what the gates are asked, what is recorded and what is sent.
pub async fn prepare(ctx: &Context, request: &Request) -> Prepared {
    prepare_with(ctx, |known| super::route::route(known, request)).await
}

/// [`prepare`] with the planner `plan`.
pub async fn prepare_with(
    ctx: &Context,
    plan: impl Fn(&Known<'_>) -> Result<Prepared, Halt>,
) -> Prepared {
    let mut reads = Reads::default();
    loop {
        let planning = ctx.planning(chrono::Utc::now());
        match super::plan::next(&planning, &reads, &plan) {
            Step::Planned(prepared) => return prepared,
            Step::Read(batch) => {
                let answers = futures::future::join_all(
                    batch.iter().map(|read| super::read::perform(ctx, read)),
                )
                .await;
                for (read, answer) in batch.into_iter().zip(answers) {
                    reads.insert(read, answer);
                }
            }
        }
    }
}
