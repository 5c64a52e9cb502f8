//! `trigger --via github`: a `workflow_dispatch` of the profile's release workflow, behind the same
//! gates and ledger as every command. The inputs are checked against the workflow file first.
//! Dispatch has no idempotency key, so it is never re-sent: after an answer that leaves it unclear
//! (no run details, a timeout, a 5xx), the run it created is looked for before anything is said.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::context::Context;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use crate::config::Environment;
use crate::config::targets::PipelineConfig;
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::model::command_read::Read;
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::github::{DeclaredInputs, GithubClient, dispatch_inputs};

/// How long a dispatched run may take to show in run lists (GitHub: a few seconds).
const FIND_DEADLINE: Duration = Duration::from_secs(20);
const FIND_EVERY: Duration = Duration::from_secs(1);

/// The workflow's client, with the sandbox's token on loopback.
async fn client<'a>(
    ctx: &'a Context,
    kind: CommandKind,
    env: &str,
) -> Result<(GithubClient, &'a PipelineConfig), Box<Outcome>> {
    let fail = |status, message: String| Box::new(Outcome::new(kind, env, status, message));
    let Some(config) = &ctx.profile.pipeline else {
        return Err(fail(
            Status::Usage,
            "the profile has no [pipeline]: trigger through Cloud Run instead".into(),
        ));
    };
    let client = ctx
        .github_client(config)
        .await
        .map_err(|e| fail(Status::ApiError, e))?;
    Ok((client, config))
}

/// Plans the dispatch: the inputs checked against the workflow file, the gates' question.
pub fn trigger(known: &Known<'_>, env: &Environment, version: &str) -> Result<CommandPlan, Halt> {
    let kind = CommandKind::Trigger;
    let Some(config) = &known.profile().pipeline else {
        return Err(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            "the profile has no [pipeline]: trigger through Cloud Run instead",
        )
        .into());
    };
    // A workflow file we cannot read (no contents permission) is not a reason to refuse: GitHub
    // still checks the inputs.
    let declared: Option<DeclaredInputs> = known.wire(Read::WorkflowInputs, kind, &env.name)?.ok();
    let inputs = dispatch_inputs(config, version, declared.as_ref())
        .map_err(|message| Outcome::new(kind, &env.name, Status::Usage, message))?;
    let question = known.question(kind, env, version, SourceHealth::Unknown)?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(version.to_string());
    let detail =
        serde_json::json!({"via": "github", "workflow": config.workflow, "ref": config.git_ref});
    Ok(CommandPlan {
        question: Some(question),
        action: "trigger".into(),
        outcome,
        detail,
        send: Outgoing::Call(ProviderCall::Dispatch {
            version: version.to_string(),
            inputs,
        }),
    })
}

/// Sends the recorded dispatch once; an unclear answer is followed by looking for its run.
pub(super) async fn send(ctx: &Context, call: &ProviderCall, mut outcome: Outcome) -> Outcome {
    let ProviderCall::Dispatch { version, inputs } = call else {
        return outcome;
    };
    let (client, config) = match client(ctx, outcome.action, &outcome.env).await {
        Ok(found) => found,
        Err(failed) => {
            let mut failed = *failed;
            failed.request_id = outcome.request_id;
            return failed;
        }
    };
    let since = Utc::now() - chrono::Duration::seconds(2);
    let before = client.dispatch_runs_since(since).await.unwrap_or_default();
    let what = format!("{} for {version}", config.workflow);
    (outcome.status, outcome.message) = match client.dispatch_with(inputs.clone()).await {
        Ok(dispatched) if dispatched.html_url.is_some() => (
            Status::Done,
            format!(
                "dispatched {what}: {}",
                dispatched.html_url.unwrap_or_default()
            ),
        ),
        Ok(_) => match find_run(&client, since, &before, version).await {
            Some(url) => (Status::Done, format!("dispatched {what}: {url}")),
            None => (
                Status::Done,
                format!("dispatched {what} (its run is not listed yet)"),
            ),
        },
        Err(e) if e.may_have_acted() => match find_run(&client, since, &before, version).await {
            Some(url) => (
                Status::Done,
                format!(
                    "dispatched {what}: {url} (the answer was lost: {e}; the run was found, not sent again)"
                ),
            ),
            None => (
                Status::ApiError,
                format!(
                    "{e}; no run appeared within {}s, so the dispatch probably did not happen: check {}/runs before triggering again",
                    FIND_DEADLINE.as_secs(),
                    config.workflow
                ),
            ),
        },
        Err(e) => (Status::ApiError, e.to_string()),
    };
    outcome
}

/// Waits (bounded) for the dispatched run to be listed; its page URL when found.
async fn find_run(
    client: &GithubClient,
    since: DateTime<Utc>,
    before: &BTreeSet<u64>,
    version: &str,
) -> Option<String> {
    let deadline = tokio::time::Instant::now() + FIND_DEADLINE;
    loop {
        if let Ok(Some(run)) = client.find_dispatched_run(since, before, version).await {
            return Some(run.html_url);
        }
        if tokio::time::Instant::now() + FIND_EVERY > deadline {
            return None;
        }
        tokio::time::sleep(FIND_EVERY).await;
    }
}
