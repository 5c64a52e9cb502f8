//! The one call of a recorded GitHub review: `POST …/runs/{id}/pending_deployments`. GitHub has no
//! idempotency key for reviews: after a timeout or a 5xx the pending deployments are read again,
//! and the review is sent again only if the environment still waits.

use super::Progress;
use super::context::Context;
use super::outcome::{Outcome, Status};
use crate::model::command_plan::ProviderCall;
use crate::providers::github::{GithubClient, GithubError};

/// Sends the recorded review once (again only while the environment still waits).
pub(super) async fn send(ctx: &Context, call: &ProviderCall, mut outcome: Outcome) -> Outcome {
    let ProviderCall::Review {
        run_id,
        run_number,
        run_url,
        environment: gh_env,
        environment_id,
        reject,
        comment,
    } = call
    else {
        return outcome;
    };
    let Some(config) = &ctx.profile.pipeline else {
        outcome.status = Status::Usage;
        outcome.message = "the profile has no [pipeline]".into();
        return outcome;
    };
    let client = match ctx.github_client(config).await {
        Ok(client) => client,
        Err(e) => {
            outcome.status = Status::ApiError;
            outcome.message = e;
            return outcome;
        }
    };
    let release = outcome.release.clone().unwrap_or_default();
    let verb = if *reject { "reject" } else { "approve" };
    let what = format!("{verb} {gh_env} for run #{run_number}");
    let run = RunRef {
        id: *run_id,
        number: *run_number,
        url: run_url,
    };
    let sent = send_once(
        ctx,
        &client,
        (&outcome.env, gh_env),
        &run,
        &[*environment_id],
        *reject,
        comment,
    )
    .await;
    (outcome.status, outcome.message) = match sent {
        Ok(Sent::Now) => (Status::Done, landed(*reject, &what, &release)),
        Ok(Sent::Already) => (
            Status::Done,
            format!(
                "{}: {gh_env} no longer waits (the review landed before its answer was lost); not sent again",
                landed(*reject, &what, &release)
            ),
        ),
        Err(e) => (Status::ApiError, format!("{what}: {e} ({})", e.hint())),
    };
    outcome
}

/// The run a review is for.
struct RunRef<'a> {
    id: u64,
    number: u64,
    url: &'a str,
}

fn landed(reject: bool, what: &str, release: &str) -> String {
    if reject {
        format!("{what} (release {release}): rejected; the run stops at this environment")
    } else {
        format!("{what} (release {release}): approved; the run goes on")
    }
}

enum Sent {
    Now,
    /// The environment no longer waited when read again after an unclear answer.
    Already,
}

/// Sends the review; after an unclear answer reads the pending deployments again and re-sends
/// only while the environment still waits (bounded by the context's attempts).
async fn send_once(
    ctx: &Context,
    client: &GithubClient,
    (env, gh_env): (&str, &str),
    run: &RunRef<'_>,
    ids: &[u64],
    reject: bool,
    comment: &str,
) -> Result<Sent, GithubError> {
    let attempts = ctx.wire.max_attempts.max(1);
    let mut wait = ctx.wire.backoff_base;
    let mut reads = 0;
    for attempt in 1..=attempts {
        ctx.progress.as_ref()(&Progress::Sending {
            env: env.into(),
            what: format!("review {gh_env} of run #{}", run.number),
        });
        let sent = tokio::time::timeout(
            ctx.wire.call_timeout,
            client.review_pending(run.id, ids, !reject, comment),
        )
        .await
        .unwrap_or_else(|_| {
            Err(GithubError::Transport {
                url: format!("{}/pending_deployments", run.url),
                detail: format!("no answer within {:?}", ctx.wire.call_timeout),
            })
        });
        let error = match sent {
            Ok(()) => return Ok(Sent::Now),
            Err(e) if !e.may_have_acted() || attempt == attempts => return Err(e),
            Err(e) => e,
        };
        ctx.progress.as_ref()(&Progress::Uncertain {
            env: env.into(),
            error: error.to_string(),
        });
        // Read again before anything is sent again; a read that fails is retried after a wait.
        loop {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(ctx.wire.backoff_base * 32);
            reads += 1;
            match client.pending_now(run.id).await {
                Ok(pending) if pending.iter().all(|p| p.environment.name != gh_env) => {
                    ctx.progress.as_ref()(&Progress::AlreadyApplied { env: env.into() });
                    return Ok(Sent::Already);
                }
                Ok(_) => break,
                Err(e) if e.may_have_acted() && reads < attempts * 2 => {}
                Err(e) => return Err(e),
            }
        }
    }
    Err(GithubError::Transport {
        url: format!("{}/pending_deployments", run.url),
        detail: "no attempts left".into(),
    })
}
