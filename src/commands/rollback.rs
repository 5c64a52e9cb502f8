//! `rollback ENV [--to REV]`: 100 % of traffic to the previous good revision (or the one named),
//! and the time from the command to healthy. After the gates and the record, the change runs as
//! a [`ChangeRun`]: in the cockpit's loop, or here in a short loop for the CLI.

use std::time::Duration;

use chrono::Utc;

use super::context::Context;
use super::driver::change_for;
use super::guard::record_outcome;
use super::health;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use super::wire::{self, Target};
use crate::model::change_run::{ChangeEffect, ChangeEvent, ChangeRun};
use crate::model::command_plan::{CommandPlan, Outgoing};
use crate::model::rollout::NextAction;
use crate::policy::{CommandKind, SourceHealth};

pub(super) fn rollback(
    known: &Known<'_>,
    env_name: &str,
    to: Option<&str>,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Rollback;
    let env = super::request_checks::env_named(known.profile(), kind, env_name)?;
    super::request_checks::cloud_run_target(kind, env)?;
    let state = known.cloud_run(kind, env_name)??;
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
        return Err(Outcome::new(kind, env_name, Status::Usage, what).into());
    };
    let release = chosen.version.clone();
    let question = known.question(kind, env, &release, SourceHealth::Unknown)?;
    let mut outcome = Outcome::new(kind, env_name, Status::Done, "");
    outcome.release = Some(release);
    outcome.image = Some(chosen.image.clone());
    outcome.from_revision = Some(serving.clone());
    outcome.to_revision = Some(chosen.name.clone());
    let detail = serde_json::json!({"from_revision": serving, "to_revision": chosen.name});
    Ok(planned(CommandPlan {
        question: Some(question),
        action: "rollback".into(),
        outcome,
        detail,
        send: Outgoing::Change {
            action: NextAction::RollBack {
                to: chosen.name.clone(),
            },
            probes: health::probes(env, state.uri.as_deref()),
        },
    }))
}

/// Hosts the change machine ([`ChangeRun`]) in a short loop: one change, then a probe at a time
/// (every half second while a round fails), then the outcome recorded.
pub(super) async fn drive_change(ctx: &Context, target: &Target, mut run: ChangeRun) -> Outcome {
    let mut event = ChangeEvent::Start;
    loop {
        let effects = run.handle(Utc::now(), event);
        event = ChangeEvent::Tick;
        for effect in effects {
            match effect {
                ChangeEffect::Apply(action) => {
                    event =
                        match wire::apply(target, &change_for(&action), &ctx.wire, &ctx.progress)
                            .await
                        {
                            Ok(applied) => {
                                run.outcome.traffic = Some(applied.state.traffic.clone());
                                ChangeEvent::Applied {
                                    patches: applied.patches_sent,
                                }
                            }
                            Err(e) => {
                                let failed = Outcome::from_error(run.outcome.action, &run.env, &e);
                                ChangeEvent::ApplyFailed {
                                    status: failed.status,
                                    message: failed.message,
                                }
                            }
                        }
                }
                ChangeEffect::Probe(i) => {
                    let hit = health::probe_once(&ctx.http, &run.probes[i]).await;
                    event = ChangeEvent::Probed {
                        pass: hit.pass,
                        detail: hit.detail,
                    };
                }
                ChangeEffect::Finish => {
                    record_outcome(ctx, &mut run.outcome, run.started);
                    return run.outcome;
                }
            }
        }
        if event == ChangeEvent::Tick {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
