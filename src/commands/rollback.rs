//! `rollback ENV [--to REV]`: 100 % of traffic to the previous good revision (or the one named),
//! and the time from the command to healthy.

use std::time::{Duration, Instant};

use super::context::Context;
use super::guard::{check_gates, record_command, record_outcome};
use super::health;
use super::outcome::{Outcome, Status};
use super::wire::{self, Change};
use crate::policy::{CommandKind, SourceHealth};

pub(super) async fn rollback(
    ctx: &Context,
    env_name: &str,
    to: Option<&str>,
    started: Instant,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Rollback;
    let env = ctx.env(kind, env_name)?;
    if ctx.read_only {
        check_gates(ctx, kind, env, "", SourceHealth::Unknown).await?;
    }
    let target = ctx.target(kind, env)?;
    let state = ctx.state(&target, kind).await?;
    let serving = state
        .primary()
        .map(|p| p.revision.clone())
        .unwrap_or_default();
    let chosen = match to {
        Some(want) => state.revisions.iter().find(|r| {
            let want = crate::providers::cloudrun_wire::last_segment(want);
            r.name == want || r.short == want
        }),
        // "Previous" means older than what serves now: a newer revision (say, a canary just
        // aborted) is never a rollback target. Revisions are listed newest first.
        None => {
            let older = state
                .revisions
                .iter()
                .position(|r| r.name == serving)
                .map_or(0, |i| i + 1);
            state.revisions[older..]
                .iter()
                .find(|r| r.ready && r.name != serving)
        }
    };
    let Some(chosen) = chosen else {
        let what = to.map_or_else(
            || "no earlier ready revision to roll back to".to_string(),
            |w| format!("no revision `{w}` in `{env_name}`"),
        );
        return Err(Box::new(Outcome::new(kind, env_name, Status::Usage, what)));
    };
    let release = chosen.version.clone();
    let passed = check_gates(ctx, kind, env, &release, SourceHealth::Unknown).await?;
    let mut outcome = Outcome::new(kind, env_name, Status::Done, "");
    outcome.release = Some(release);
    outcome.image = Some(chosen.image.clone());
    outcome.from_revision = Some(serving.clone());
    outcome.to_revision = Some(chosen.name.clone());
    let detail = serde_json::json!({"from_revision": serving, "to_revision": chosen.name});
    outcome.request_id = Some(record_command(ctx, &outcome, &passed, detail)?);
    match wire::apply(
        &target,
        &Change::Traffic(vec![(chosen.name.clone(), 100)]),
        &ctx.wire,
        &ctx.progress,
    )
    .await
    {
        Ok(applied) => {
            outcome.patches_sent = applied.patches_sent;
            outcome.traffic = Some(applied.state.traffic.clone());
            let probes = health::probes(env, applied.state.uri.as_deref());
            let failing =
                health::wait_healthy(&ctx.http, &probes, 30, Duration::from_millis(500)).await;
            if failing.is_empty() {
                outcome.healthy_after_secs = Some(started.elapsed().as_secs_f64());
                outcome.message = format!("100% on {} ({})", chosen.name, chosen.version);
            } else {
                let why: Vec<String> = failing
                    .iter()
                    .map(|h| format!("{} {}", h.url, h.detail))
                    .collect();
                outcome.status = Status::Failed;
                outcome.message = format!(
                    "traffic is on {} but probes still fail: {}",
                    chosen.name,
                    why.join("; ")
                );
            }
        }
        Err(e) => {
            let failed = Outcome::from_error(kind, env_name, &e);
            (outcome.status, outcome.message) = (failed.status, failed.message);
        }
    }
    record_outcome(ctx, &mut outcome);
    Ok(outcome)
}
