//! `trigger`, `promote` and `rollback` of environments run by the team's own commands: the same
//! gates and ledger records as any provider; the command runs once, as the plan's one call (its
//! exit code decides, its output lines are progress, its timeout kills its process group); the
//! request id reaches it as `FLIGHTDECK_REQUEST_ID` so it can refuse to apply one change twice.

use std::time::Duration;

use super::Progress;
use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use crate::config::profile::{Environment, Provider};
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::model::lane::ServiceState;
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::script::{self, ScriptTarget, Values};

fn target(kind: CommandKind, env: &Environment) -> Result<&ScriptTarget, Box<Outcome>> {
    match env.provider() {
        Some(Provider::Script(s)) => Ok(s),
        _ => Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{}` is not run by scripts", env.name),
        ))),
    }
}

/// The lane as `env`'s status script reports it, its output lines as progress.
pub(super) async fn status(
    ctx: &Context,
    kind: CommandKind,
    env: &Environment,
    target: &ScriptTarget,
) -> Result<ServiceState, Box<Outcome>> {
    ctx.progress.as_ref()(&Progress::Reading {
        env: env.name.clone(),
    });
    let sink = ctx.progress.clone();
    let name = env.name.clone();
    let log = move |line: &str| {
        sink(&Progress::Note {
            env: name.clone(),
            text: line.to_string(),
        })
    };
    script::status(target, &env.name, &log)
        .await
        .map_err(|m| Box::new(Outcome::new(kind, &env.name, Status::Failed, m)))
}

/// Plans the command for `kind` with `values`: the gates' question, the record, the run.
fn act(
    known: &Known<'_>,
    kind: CommandKind,
    env: &Environment,
    release: &str,
    source: SourceHealth,
    values: Values,
) -> Result<Prepared, Halt> {
    let target = target(kind, env)?;
    let key = key_of(kind);
    let argv = command_of(target, kind).ok_or_else(|| {
        Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{}` has no script.{key} command in the profile", env.name),
        )
    })?;
    let before = known.script_status(kind, &env.name)?;
    let question = known.question(kind, env, release, source)?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(release.to_string()).filter(|r| !r.is_empty());
    outcome.from_revision = before.primary().map(|p| p.revision.clone());
    let detail = serde_json::json!({"command": argv, "version": values.version, "revision": values.revision});
    Ok(planned(CommandPlan {
        question: Some(question),
        action: key.to_string(),
        outcome,
        detail,
        send: Outgoing::Call(ProviderCall::Script {
            key: key.to_string(),
            argv: argv.clone(),
            version: values.version,
            from: values.from,
            to: values.to,
            revision: values.revision,
        }),
    }))
}

fn key_of(kind: CommandKind) -> &'static str {
    match kind {
        CommandKind::Trigger => "trigger",
        CommandKind::Promote => "promote",
        CommandKind::Rollback => "rollback",
    }
}

fn command_of(target: &ScriptTarget, kind: CommandKind) -> Option<&Vec<String>> {
    match kind {
        CommandKind::Trigger => target.trigger.as_ref(),
        CommandKind::Promote => target.promote.as_ref(),
        CommandKind::Rollback => target.rollback.as_ref(),
    }
}

/// Runs the recorded command once (its exit code decides), then reads the lane after it.
pub(super) async fn run(ctx: &Context, call: &ProviderCall, mut outcome: Outcome) -> Outcome {
    let ProviderCall::Script {
        key,
        argv,
        version,
        from,
        to,
        revision,
    } = call
    else {
        return outcome;
    };
    let kind = outcome.action;
    let env = match ctx.env(kind, &outcome.env) {
        Ok(env) => env,
        Err(usage) => return *usage,
    };
    let target = match target(kind, env) {
        Ok(target) => target,
        Err(usage) => return *usage,
    };
    let values = Values {
        env: env.name.clone(),
        version: version.clone(),
        from: from.clone(),
        to: to.clone(),
        revision: revision.clone(),
        request_id: outcome.request_id.clone().unwrap_or_default(),
    };
    ctx.progress.as_ref()(&Progress::Sending {
        env: env.name.clone(),
        what: format!("run {}", argv.join(" ")),
    });
    let sink = ctx.progress.clone();
    let name = env.name.clone();
    let log = move |line: &str| {
        sink(&Progress::Note {
            env: name.clone(),
            text: line.to_string(),
        })
    };
    let timeout = Duration::from_secs(target.timeout_secs);
    match script::run(target, key, argv, &values, timeout, false, &log).await {
        Err(message) => {
            outcome.status = Status::Failed;
            outcome.message = message;
        }
        Ok(run) => {
            outcome.status = if run.ok() {
                Status::Done
            } else {
                Status::Failed
            };
            outcome.message = format!("script.{key} {}", run.describe());
        }
    }
    if let Ok(after) = status(ctx, kind, env, target).await {
        outcome.traffic = Some(after.traffic.clone());
        outcome.to_revision = after.primary().map(|p| p.revision.clone());
    }
    outcome
}

pub(super) fn trigger(
    known: &Known<'_>,
    env: &Environment,
    version: &str,
) -> Result<Prepared, Halt> {
    let values = Values {
        version: version.to_string(),
        ..Values::default()
    };
    act(
        known,
        CommandKind::Trigger,
        env,
        version,
        SourceHealth::Unknown,
        values,
    )
}

pub(super) fn promote(
    known: &Known<'_>,
    from_env: &Environment,
    to_env: &Environment,
) -> Result<Prepared, Halt> {
    let kind = CommandKind::Promote;
    let source = match from_env.provider() {
        Some(Provider::Script(_)) => known.script_status(kind, &from_env.name)?,
        _ => {
            return Err(Outcome::new(
                kind,
                &to_env.name,
                Status::Usage,
                format!(
                    "`{}` and `{}` must both be run by scripts",
                    from_env.name, to_env.name
                ),
            )
            .into());
        }
    };
    let version = source.version().unwrap_or_default().to_string();
    target(kind, to_env)?;
    let destination = known.script_status(kind, &to_env.name)?;
    if !version.is_empty() && destination.version() == Some(version.as_str()) {
        return Err(Outcome::new(
            kind,
            &to_env.name,
            Status::Failed,
            format!(
                "nothing to promote: `{}` already runs {version}",
                to_env.name
            ),
        )
        .into());
    }
    let health = if to_env.policy.require_source_green {
        known.source_health(from_env, source.uri.as_deref())?
    } else {
        SourceHealth::Unknown
    };
    let values = Values {
        version: version.clone(),
        from: from_env.name.clone(),
        to: to_env.name.clone(),
        revision: source
            .primary()
            .map(|p| p.revision.clone())
            .unwrap_or_default(),
        ..Values::default()
    };
    act(known, kind, to_env, &version, health, values)
}

pub(super) fn rollback(
    known: &Known<'_>,
    env: &Environment,
    to: Option<&str>,
) -> Result<Prepared, Halt> {
    let values = Values {
        revision: to.unwrap_or_default().to_string(),
        ..Values::default()
    };
    act(
        known,
        CommandKind::Rollback,
        env,
        "",
        SourceHealth::Unknown,
        values,
    )
}
