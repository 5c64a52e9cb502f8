//! Makes one read a command's planner asked for ([`super::plan::next`]): one request to a
//! provider, one probe, one run of a status script, or one read of the ledger.

use serde::Serialize;

use super::context::Context;
use super::outcome::{Outcome, Status};
use super::{CommandError, Progress};
use crate::config::profile::Environment;
use crate::ledger::Ledger;
use crate::model::command_read::{LedgerRead, Read, ReadAnswer, ReadFailure, ReadValue};
use crate::policy::CommandKind;
use crate::probes::Health;
use crate::providers::github::GithubError;

/// One read; never panics, a failure is an answer too.
pub async fn perform(ctx: &Context, read: &Read) -> ReadAnswer {
    match read {
        Read::CloudRunService { env } => {
            let target = cloud_run(ctx, env)?;
            json(super::wire::read(&target, &ctx.wire, &ctx.progress).await)
        }
        Read::CloudRunRevisions { env } => {
            let target = cloud_run(ctx, env)?;
            json(super::wire::list_revisions(&target, &ctx.wire, &ctx.progress).await)
        }
        Read::Probe { env, index, uri } => {
            let env = environment(ctx, env)?;
            let probes = super::health::probes(env, uri.as_deref());
            let probe = probes.get(*index).ok_or_else(|| ReadFailure {
                status: Status::Usage,
                message: format!("`{}` has no probe {index}", env.name),
            })?;
            let hit = super::health::probe_once(&ctx.http, probe).await;
            Ok(ReadValue::Probe {
                url: hit.url,
                green: hit.health == Health::Pass,
                detail: hit.detail,
            })
        }
        Read::Ledger => ledger(ctx).await,
        Read::LedgerHead => {
            let store = ctx.ledger().map_err(failed)?;
            let head = store.head().await.map_err(failed)?;
            Ok(ReadValue::Head(head.map(|link| link.line_hash)))
        }
        Read::ScriptStatus { env } => script_status(ctx, environment(ctx, env)?).await,
        Read::CloudDeployPipeline { env }
        | Read::CloudDeployTarget { env }
        | Read::CloudDeployReleases { env }
        | Read::CloudDeployRollouts { env, .. }
        | Read::CloudDeployPolicies { env } => cloud_deploy(ctx, env, read).await,
        Read::WorkflowInputs
        | Read::WaitingRuns
        | Read::WorkflowRun { .. }
        | Read::PendingDeployments { .. } => github(ctx, read).await,
    }
}

fn environment<'a>(ctx: &'a Context, env: &str) -> Result<&'a Environment, ReadFailure> {
    ctx.env(CommandKind::Promote, env).map_err(usage)
}

fn usage(outcome: Box<Outcome>) -> ReadFailure {
    ReadFailure {
        status: outcome.status,
        message: outcome.message,
    }
}

fn cloud_run(ctx: &Context, env: &str) -> Result<super::wire::Target, ReadFailure> {
    let env = environment(ctx, env)?;
    ctx.target(CommandKind::Promote, env).map_err(usage)
}

fn json<T: Serialize>(answer: Result<T, CommandError>) -> ReadAnswer {
    let value = answer.map_err(|e| ReadFailure {
        status: match e {
            CommandError::Api(_) => Status::ApiError,
            CommandError::Failed(_) => Status::Failed,
        },
        message: e.to_string(),
    })?;
    serde_json::to_value(value)
        .map(ReadValue::Json)
        .map_err(|e| failed(format!("the answer could not be kept: {e}")))
}

fn failed(message: String) -> ReadFailure {
    ReadFailure {
        status: Status::Failed,
        message,
    }
}

async fn ledger(ctx: &Context) -> ReadAnswer {
    let store = ctx.ledger().map_err(failed)?;
    let entries = store.read_verified().await.map_err(failed)?;
    let tail_seq = if ctx.is_database() {
        store.tail_seq_blocking()
    } else {
        Ledger::existing(&ctx.ledger_path)
            .tail_seq()
            .map_err(|e| e.to_string())
    }
    .map_err(failed)?;
    Ok(ReadValue::Ledger(LedgerRead { entries, tail_seq }))
}

async fn script_status(ctx: &Context, env: &Environment) -> ReadAnswer {
    let Some(crate::config::profile::Provider::Script(target)) = env.provider() else {
        return Err(ReadFailure {
            status: Status::Usage,
            message: format!("`{}` is not run by scripts", env.name),
        });
    };
    super::script::status(ctx, CommandKind::Promote, env, target)
        .await
        .map(|state| ReadValue::Lane(Box::new(state)))
        .map_err(usage)
}

async fn cloud_deploy(ctx: &Context, env: &str, read: &Read) -> ReadAnswer {
    let environment = environment(ctx, env)?;
    let cfg = super::clouddeploy::target(CommandKind::Promote, environment).map_err(usage)?;
    let client = super::clouddeploy::client(ctx, cfg);
    (ctx.progress)(&Progress::Reading { env: env.into() });
    let api = |e| CommandError::Api(e);
    match read {
        Read::CloudDeployPipeline { .. } => {
            json(client.get_pipeline(&cfg.pipeline_name()).await.map_err(api))
        }
        Read::CloudDeployTarget { .. } => json(
            client
                .get_target(&cfg.location(), &cfg.target)
                .await
                .map_err(api),
        ),
        Read::CloudDeployReleases { .. } => {
            let scanned = crate::providers::clouddeploy::state::RELEASES_SCANNED;
            json(
                client
                    .list_releases(&cfg.pipeline_name(), scanned)
                    .await
                    .map_err(api),
            )
        }
        Read::CloudDeployRollouts { release, .. } => json(
            client
                .list_rollouts(release, Some(&cfg.target))
                .await
                .map_err(api),
        ),
        _ => json(
            client
                .list_deploy_policies(&cfg.location())
                .await
                .map_err(api),
        ),
    }
}

async fn github(ctx: &Context, read: &Read) -> ReadAnswer {
    let config = ctx.profile.pipeline.as_ref().ok_or_else(|| ReadFailure {
        status: Status::Usage,
        message: "the profile has no [pipeline]: there is no GitHub workflow".into(),
    })?;
    let client = ctx
        .github_client(config)
        .await
        .map_err(|message| ReadFailure {
            status: Status::ApiError,
            message,
        })?;
    let api = |e: GithubError| CommandError::Failed(format!("{e} ({})", e.hint()));
    let answer = match read {
        Read::WorkflowInputs => json(client.declared_inputs().await.map_err(api)),
        Read::WaitingRuns => json(client.waiting_runs().await.map_err(api)),
        Read::WorkflowRun { id } => json(client.run_now(*id).await.map_err(api)),
        Read::PendingDeployments { run_id } => json(client.pending_now(*run_id).await.map_err(api)),
        _ => Err(failed(format!("{} is not GitHub's", read.describe()))),
    };
    answer.map_err(|mut failure| {
        failure.status = Status::ApiError;
        failure
    })
}
