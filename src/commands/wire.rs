//! One change to one Cloud Run service, applied at most once.
//!
//! `services.patch` has no `requestId`, so idempotency comes from reading: GET → decide → PATCH the
//! full Service → follow the LRO → re-read. After a timeout, a transport error, 429 or 503 the
//! PATCH may or may not have landed: we wait (Retry-After when given), re-read, and re-send only
//! if the service does not show the change. A 409 (another operation in flight) waits and re-reads
//! too. Other errors (400, 403, 404…) are returned unchanged, never retried.

use std::future::Future;
use std::time::{Duration, Instant};

use super::{CommandError, Progress, ProgressSink, WireOptions};
use crate::model::lane::ServiceState;
use crate::providers::cloudrun::{ApiError, CloudRunClient, service_state};
use crate::providers::cloudrun_wire::{self as wire, TrafficTarget};

/// The change a command wants to see on the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New image. `pin_to` keeps 100 % of traffic on that revision; `None` = 100 % to the latest.
    Image {
        image: String,
        pin_to: Option<String>,
    },
    /// Traffic split `(revision, percent)`.
    Traffic(Vec<(String, u8)>),
}

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
}

fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Whether `svc` (as read) already asks for `change`.
pub fn is_applied(svc: &wire::Service, change: &Change) -> bool {
    let mut spec: Vec<(String, i32, bool)> = svc
        .traffic
        .iter()
        .filter(|t| t.percent.unwrap_or(0) > 0)
        .map(|t| {
            let latest = t.kind.as_deref() == Some(wire::TRAFFIC_LATEST);
            let rev = t
                .revision
                .as_deref()
                .map(last_segment)
                .unwrap_or("")
                .to_string();
            (rev, t.percent.unwrap_or(0), latest)
        })
        .collect();
    spec.sort();
    match change {
        Change::Image { image, pin_to } => {
            let current = svc
                .template
                .as_ref()
                .and_then(|t| t.containers.first())
                .map(|c| &c.image);
            let traffic_ok = match pin_to {
                Some(pin) => spec == vec![(pin.clone(), 100, false)],
                None => spec.is_empty() || spec == vec![(String::new(), 100, true)],
            };
            current == Some(image) && traffic_ok
        }
        Change::Traffic(split) => {
            let mut want: Vec<(String, i32, bool)> = split
                .iter()
                .filter(|(_, p)| *p > 0)
                .map(|(r, p)| (last_segment(r).to_string(), i32::from(*p), false))
                .collect();
            want.sort();
            spec == want
        }
    }
}

/// The full Service from GET with `change` applied, and the update mask to send.
pub fn modify(
    svc: &wire::Service,
    change: &Change,
) -> Result<(wire::Service, Option<&'static str>), CommandError> {
    let mut body = svc.clone();
    match change {
        Change::Image { image, pin_to } => {
            let Some(container) = body
                .template
                .as_mut()
                .and_then(|t| t.containers.first_mut())
            else {
                return Err(CommandError::Failed(format!(
                    "{} has no container in its template; cannot set the image",
                    svc.name
                )));
            };
            container.image = image.clone();
            if let Some(template) = body.template.as_mut() {
                // Let Cloud Run name the new revision; a reused name would be refused.
                template.revision = None;
            }
            body.traffic = match pin_to {
                Some(pin) => vec![TrafficTarget::to_revision(pin, 100)],
                None => vec![TrafficTarget {
                    kind: Some(wire::TRAFFIC_LATEST.into()),
                    percent: Some(100),
                    ..TrafficTarget::default()
                }],
            };
            Ok((body, None))
        }
        Change::Traffic(split) => {
            body.traffic = split
                .iter()
                .map(|(r, p)| TrafficTarget::to_revision(last_segment(r), i32::from(*p)))
                .collect();
            Ok((body, Some("traffic")))
        }
    }
}

fn describe(change: &Change) -> String {
    match change {
        Change::Image {
            image,
            pin_to: Some(pin),
        } => format!("image {image}, traffic pinned 100% to {pin}"),
        Change::Image {
            image,
            pin_to: None,
        } => format!("image {image}, traffic 100% to latest"),
        Change::Traffic(split) => {
            let parts: Vec<String> = split.iter().map(|(r, p)| format!("{r} {p}%")).collect();
            format!("traffic {}", parts.join(" · "))
        }
    }
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
        Err(_) => Err(ApiError {
            method,
            url: url.to_string(),
            http: None,
            status: None,
            message: format!("timed out after {:.1}s", opts.call_timeout.as_secs_f64()),
            retry_after: None,
        }),
    }
}

/// How long to wait before retry number `attempt` (1-based): Retry-After, else doubling with jitter.
pub fn retry_delay(opts: &WireOptions, error: &ApiError, attempt: u32) -> Duration {
    if let Some(secs) = error.retry_after {
        return Duration::from_secs(secs.min(120));
    }
    let factor = 1u32 << attempt.saturating_sub(1).min(5);
    let base = opts.backoff_base * factor;
    let jitter_pct = (uuid::Uuid::new_v4().as_u128() % 25) as u32;
    base + base * jitter_pct / 100
}

/// GET the service, retrying 429/500/503/504 and transport errors.
pub async fn read(
    target: &Target,
    opts: &WireOptions,
    progress: &ProgressSink,
) -> Result<wire::Service, CommandError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match timed(
            opts,
            "GET",
            &target.service,
            target.client.get_service(&target.service),
        )
        .await
        {
            Ok(svc) => return Ok(svc),
            Err(e) if (e.retryable() || e.http == Some(500)) && attempt < opts.max_attempts => {
                let wait = retry_delay(opts, &e, attempt);
                progress(&Progress::Retrying {
                    env: target.env.clone(),
                    wait_secs: wait.as_secs_f64(),
                    error: e.to_string(),
                });
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
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
    let state = wait_settled(target, opts, progress, started).await?;
    let new_revision = match change {
        Change::Image { image, .. } => state
            .revisions
            .iter()
            .find(|r| &r.image == image)
            .map(|r| r.name.clone()),
        Change::Traffic(_) => None,
    };
    progress(&Progress::Settled {
        env,
        split: state.split_text(),
    });
    Ok(Applied {
        state,
        new_revision,
        patches_sent,
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
        match timed(opts, "GET", &op.name, target.client.get_operation(&op.name)).await {
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
    let mut wait = opts.poll_initial;
    loop {
        let svc = read(target, opts, progress).await?;
        let state = service_state(&svc, &[]);
        if state.settled() {
            let revisions = timed(
                opts,
                "GET",
                &target.service,
                target.client.list_revisions(&target.service),
            )
            .await?;
            return Ok(service_state(&svc, &revisions));
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
