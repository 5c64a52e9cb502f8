//! One change to one Cloud Run service, applied at most once.
//!
//! `services.patch` has no `requestId`, so idempotency comes from reading: GET → decide → PATCH the
//! full Service → follow the LRO → re-read. After a timeout, a transport error, 429 or 503 the
//! PATCH may or may not have landed: we wait (Retry-After when given), re-read, and re-send only
//! if the service does not show the change. A 409 (another operation in flight) waits and re-reads
//! too. Other errors (400, 403, 404…) are returned unchanged, never retried.

use std::future::Future;
use std::time::{Duration, Instant};

pub use super::wire_change::{CANARY_TAG, Change, describe, is_applied, modify, tag_canary};
use super::{CommandError, Progress, ProgressSink, WireOptions};
use crate::model::lane::ServiceState;
use crate::providers::cloudrun::{ApiError, CloudRunClient, service_state};
use crate::providers::cloudrun_state::tag_uri;
use crate::providers::cloudrun_wire as wire;
use crate::providers::retry::RetryPolicy;

/// One environment's service and the client that reaches it.
#[derive(Debug, Clone)]
pub struct Target {
    pub env: String,
    pub client: CloudRunClient,
    /// `projects/P/locations/L/services/S`.
    pub service: String,
}

/// What `apply` left behind.
#[derive(Debug, Clone)]
pub struct Applied {
    pub state: ServiceState,
    /// After an image change: the revision running that image.
    pub new_revision: Option<String>,
    /// PATCH requests actually sent (0 when the change was already there).
    pub patches_sent: u32,
    /// After a canary split: the URL of the canary's traffic tag (`trafficStatuses[].uri`).
    pub canary_uri: Option<String>,
}

/// Whether every bit of traffic already goes to revisions running `image`.
pub fn serves_only(state: &ServiceState, image: &str) -> bool {
    !state.traffic.is_empty()
        && state.traffic.iter().all(|slice| {
            state
                .revisions
                .iter()
                .any(|r| r.name == slice.revision && r.image == image)
        })
}

/// Runs `call` with the per-call timeout; a timeout is a transport error (outcome unknown).
pub async fn timed<T>(
    opts: &WireOptions,
    method: &'static str,
    url: &str,
    call: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(opts.call_timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::new(
            method,
            url,
            None,
            format!("timed out after {:.1}s", opts.call_timeout.as_secs_f64()),
        )),
    }
}

/// How long to wait before retry number `attempt` (1-based) of a PATCH or a 409: Retry-After,
/// else the shared policy's doubling with jitter.
pub fn retry_delay(opts: &WireOptions, error: &ApiError, attempt: u32) -> Duration {
    match error.retry_after {
        Some(secs) => Duration::from_secs(secs.min(120)),
        None => opts.read_retry().backoff(attempt),
    }
}

/// The target's client for reads: the command's call timeout, and the shared retry policy with
/// the command's attempts, each retry told as progress.
pub fn reader(target: &Target, opts: &WireOptions, progress: &ProgressSink) -> CloudRunClient {
    let observer = super::retry_observer(&target.env, progress);
    target
        .client
        .clone()
        .with_call_timeout(opts.call_timeout)
        .with_retry(opts.read_retry(), Some(observer))
}

/// GET the service under the shared retry policy (429, 5xx, transport errors, timeouts).
pub async fn read(
    target: &Target,
    opts: &WireOptions,
    progress: &ProgressSink,
) -> Result<wire::Service, CommandError> {
    Ok(reader(target, opts, progress)
        .get_service(&target.service)
        .await?)
}

/// The service's revisions, under the shared retry policy.
pub async fn list_revisions(
    target: &Target,
    opts: &WireOptions,
    progress: &ProgressSink,
) -> Result<Vec<wire::Revision>, CommandError> {
    Ok(reader(target, opts, progress)
        .list_revisions(&target.service)
        .await?)
}

/// Applies `change` at most once and waits until the service is settled with it.
pub async fn apply(
    target: &Target,
    change: &Change,
    opts: &WireOptions,
    progress: &ProgressSink,
) -> Result<Applied, CommandError> {
    let env = target.env.clone();
    let started = Instant::now();
    let mut patches_sent = 0;
    let mut attempt = 0;
    loop {
        attempt += 1;
        progress(&Progress::Reading { env: env.clone() });
        let svc = read(target, opts, progress).await?;
        if is_applied(&svc, change) {
            if patches_sent == 0 || attempt > 1 {
                progress(&Progress::AlreadyApplied { env: env.clone() });
            }
            break;
        }
        if svc.reconciling {
            // Someone else's operation is in flight: let it finish, then decide again.
            progress(&Progress::Note {
                env: env.clone(),
                text: "another operation is in flight; waiting".into(),
            });
            wait_settled(target, opts, progress, started).await?;
            if attempt >= opts.max_attempts {
                return Err(CommandError::Failed(format!(
                    "{env}: the service kept changing under us; try again"
                )));
            }
            continue;
        }
        let (body, mask) = modify(&svc, change)?;
        progress(&Progress::Sending {
            env: env.clone(),
            what: describe(change),
        });
        patches_sent += 1;
        let sent = timed(
            opts,
            "PATCH",
            &target.service,
            target.client.patch_service(&body, mask),
        )
        .await;
        match sent {
            Ok(op) => {
                follow_operation(target, op, opts, progress).await?;
                break;
            }
            Err(e) if attempt >= opts.max_attempts => return Err(e.into()),
            // The revision name exists already: sending it again can never succeed.
            Err(e) if e.status.as_deref() == Some("ALREADY_EXISTS") => return Err(e.into()),
            Err(e) if e.http == Some(409) => {
                let wait = retry_delay(opts, &e, attempt);
                progress(&Progress::Retrying {
                    env: env.clone(),
                    wait_secs: wait.as_secs_f64(),
                    error: e.to_string(),
                });
                tokio::time::sleep(wait).await;
            }
            Err(e) if e.retryable() => {
                progress(&Progress::Uncertain {
                    env: env.clone(),
                    error: e.to_string(),
                });
                tokio::time::sleep(retry_delay(opts, &e, attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (state, svc) = settle(target, opts, progress, started).await?;
    let new_revision = match change {
        // The newest ready revision running the image (revisions are listed newest first).
        Change::Image { image, .. } => state
            .revisions
            .iter()
            .find(|r| &r.image == image && r.ready)
            .map(|r| r.name.clone()),
        Change::Traffic(_) | Change::Canary { .. } => None,
    };
    let canary_uri = match change {
        Change::Canary { .. } => tag_uri(&svc, CANARY_TAG),
        _ => None,
    };
    progress(&Progress::Settled {
        env,
        split: state.split_text(),
    });
    Ok(Applied {
        state,
        new_revision,
        patches_sent,
        canary_uri,
    })
}

/// Polls the operation (1 s, ×1.5, up to 10 s) until done, within the deadline.
async fn follow_operation(
    target: &Target,
    mut op: wire::Operation,
    opts: &WireOptions,
    progress: &ProgressSink,
) -> Result<(), CommandError> {
    let started = Instant::now();
    let mut wait = opts.poll_initial;
    loop {
        progress(&Progress::Operation {
            env: target.env.clone(),
            name: op.name.clone(),
            done: op.done,
            elapsed_secs: started.elapsed().as_secs_f64(),
        });
        if op.done {
            return match op.error {
                Some(status) => Err(CommandError::Failed(format!(
                    "{}: operation failed (code {}): {}",
                    target.env, status.code, status.message
                ))),
                None => Ok(()),
            };
        }
        if started.elapsed() + wait > opts.op_deadline {
            return Err(CommandError::Failed(format!(
                "{}: operation {} not done after {:.0}s",
                target.env,
                op.name,
                opts.op_deadline.as_secs_f64()
            )));
        }
        tokio::time::sleep(wait).await;
        wait = (wait.mul_f64(1.5)).min(opts.poll_max);
        match reader(target, opts, progress)
            .with_retry(RetryPolicy::ONCE, None)
            .get_operation(&op.name)
            .await
        {
            Ok(next) => op = next,
            // A failed poll changes nothing; the next one may answer.
            Err(e) if e.retryable() || e.http == Some(500) => {
                progress(&Progress::Retrying {
                    env: target.env.clone(),
                    wait_secs: wait.as_secs_f64(),
                    error: e.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Re-reads until the service is settled (done as Cloud Run defines it), within the deadline.
pub async fn wait_settled(
    target: &Target,
    opts: &WireOptions,
    progress: &ProgressSink,
    since: Instant,
) -> Result<ServiceState, CommandError> {
    Ok(settle(target, opts, progress, since).await?.0)
}

/// [`wait_settled`], also giving the Service as last read.
async fn settle(
    target: &Target,
    opts: &WireOptions,
    progress: &ProgressSink,
    since: Instant,
) -> Result<(ServiceState, wire::Service), CommandError> {
    let mut wait = opts.poll_initial;
    loop {
        let svc = read(target, opts, progress).await?;
        let state = service_state(&svc, &[]);
        if state.settled() {
            let revisions = list_revisions(target, opts, progress).await?;
            return Ok((service_state(&svc, &revisions), svc));
        }
        if state.condition.readiness == crate::model::lane::Readiness::Failed {
            return Err(CommandError::Failed(format!(
                "{}: the service is not ready: {}",
                target.env,
                state
                    .condition
                    .message
                    .unwrap_or_else(|| "no message".into())
            )));
        }
        if since.elapsed() + wait > opts.op_deadline {
            return Err(CommandError::Failed(format!(
                "{}: the service did not settle in time",
                target.env
            )));
        }
        tokio::time::sleep(wait).await;
        wait = (wait.mul_f64(1.5)).min(opts.poll_max);
    }
}
