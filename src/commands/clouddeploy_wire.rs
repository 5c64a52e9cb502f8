//! Cloud Deploy calls made safely: creates re-sent only with the same `requestId`, operations
//! followed to the end, verbs without a request id re-read before any retry, rollouts followed
//! until they rest (succeeded, waiting for approval or an advance, failed, or over).

use std::future::Future;
use std::time::Duration;

use super::{CommandError, Progress, WireOptions};
use crate::providers::clouddeploy::state::RolloutView;
use crate::providers::clouddeploy::{CloudDeployClient, wire};
use crate::providers::cloudrun::ApiError;

/// The wait before re-sending after try `attempt` (0-based): Retry-After, else the shared policy.
pub(super) fn backoff(opts: &WireOptions, attempt: u32, error: &ApiError) -> Duration {
    match error.retry_after {
        Some(secs) => Duration::from_secs(secs),
        None => opts.read_retry().backoff(attempt + 1),
    }
}

/// A create, sent again after an unknown outcome (transport error, 429, 503, 504) with the same
/// request id (the caller's closure keeps it), so the server applies it at most once.
pub(super) async fn create<F, Fut>(
    opts: &WireOptions,
    progress: &super::ProgressSink,
    env: &str,
    send: F,
) -> Result<wire::Operation, CommandError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<wire::Operation, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match send().await {
            Ok(op) => return Ok(op),
            Err(e) if e.retryable() && attempt + 1 < opts.max_attempts => {
                let wait = backoff(opts, attempt, &e);
                progress(&Progress::Retrying {
                    env: env.into(),
                    wait_secs: wait.as_secs_f64(),
                    error: format!("{e} (resending with the same requestId)"),
                });
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(CommandError::Api(e)),
        }
    }
}

/// Polls an operation until done: 1 s, then ×1.5 up to the cap, within the deadline.
pub(super) async fn operation(
    opts: &WireOptions,
    progress: &super::ProgressSink,
    client: &CloudDeployClient,
    env: &str,
    mut op: wire::Operation,
) -> Result<serde_json::Value, CommandError> {
    let started = tokio::time::Instant::now();
    let mut wait = opts.poll_initial;
    loop {
        progress(&Progress::Operation {
            env: env.into(),
            name: op.name.clone(),
            done: op.done,
            elapsed_secs: started.elapsed().as_secs_f64(),
        });
        if op.done {
            if let Some(error) = op.error {
                return Err(CommandError::Failed(format!(
                    "operation {} failed (code {}): {}",
                    wire::short(&op.name),
                    error.code,
                    error.message
                )));
            }
            return Ok(op.response.unwrap_or_default());
        }
        if started.elapsed() > opts.op_deadline {
            return Err(CommandError::Failed(format!(
                "operation {} not done after {}s",
                op.name,
                opts.op_deadline.as_secs()
            )));
        }
        tokio::time::sleep(wait).await;
        wait = wait.mul_f64(1.5).min(opts.poll_max);
        match client.get_operation(&op.name).await {
            Ok(next) => op = next,
            Err(e) if e.retryable() || e.http == Some(500) => {}
            Err(e) => return Err(CommandError::Api(e)),
        }
    }
}

/// Reads a rollout under the shared GET retry policy (the client's, set by the command).
pub(super) async fn read_rollout(
    client: &CloudDeployClient,
    name: &str,
) -> Result<wire::Rollout, CommandError> {
    client.get_rollout(name).await.map_err(CommandError::Api)
}

/// Follows a rollout until it rests, telling each phase and job as it changes.
pub(super) async fn follow(
    opts: &WireOptions,
    progress: &super::ProgressSink,
    client: &CloudDeployClient,
    env: &str,
    name: &str,
) -> Result<RolloutView, CommandError> {
    let started = tokio::time::Instant::now();
    let mut wait = opts.poll_initial;
    let mut told = String::new();
    let mut release: Vec<wire::Release> = Vec::new();
    loop {
        let rollout = read_rollout(client, name).await?;
        if release.is_empty()
            && let Ok(read) = client.get_release(rollout.release()).await
        {
            release.push(read);
        }
        let view = crate::providers::clouddeploy::state::view(&rollout, &release);
        let line = describe(&view);
        if line != told {
            progress(&Progress::Note {
                env: env.into(),
                text: line.clone(),
            });
            told = line;
        }
        if view.resting() {
            return Ok(view);
        }
        if started.elapsed() > opts.op_deadline {
            return Err(CommandError::Failed(format!(
                "rollout {} still {} after {}s",
                view.id(),
                view.state,
                opts.op_deadline.as_secs()
            )));
        }
        tokio::time::sleep(wait).await;
        wait = wait.mul_f64(1.5).min(opts.poll_max);
    }
}

/// `rollout r-1: IN_PROGRESS · canary-10 SUCCEEDED (deploy ✓ verify ✓) · stable PENDING`.
pub fn describe(view: &RolloutView) -> String {
    let phases: Vec<String> = view
        .phases
        .iter()
        .map(|p| {
            let jobs: Vec<String> = p
                .jobs
                .iter()
                .map(|(id, state)| format!("{id} {}", state.to_lowercase()))
                .collect();
            format!("{} {} [{}]", p.id, p.state.to_lowercase(), jobs.join(", "))
        })
        .collect();
    format!(
        "rollout {}: {} · {}",
        view.id(),
        view.state,
        phases.join(" · ")
    )
}

/// A verb without a request id: sent; after an unknown outcome the rollout is re-read and the
/// verb re-sent only if `applied` says it did not take effect.
pub(super) async fn verb<F, Fut>(
    opts: &WireOptions,
    progress: &super::ProgressSink,
    client: &CloudDeployClient,
    env: &str,
    rollout: &str,
    send: F,
    applied: impl Fn(&wire::Rollout) -> bool,
) -> Result<(), CommandError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), ApiError>>,
{
    let mut attempt = 0;
    loop {
        match send().await {
            Ok(()) => return Ok(()),
            Err(e) if e.retryable() && attempt + 1 < opts.max_attempts => {
                progress(&Progress::Uncertain {
                    env: env.into(),
                    error: e.to_string(),
                });
                tokio::time::sleep(backoff(opts, attempt, &e)).await;
                if applied(&read_rollout(client, rollout).await?) {
                    progress(&Progress::AlreadyApplied { env: env.into() });
                    return Ok(());
                }
                attempt += 1;
            }
            Err(e) => return Err(CommandError::Api(e)),
        }
    }
}
