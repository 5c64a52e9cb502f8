//! `trigger --via github`: a `workflow_dispatch` of the profile's release workflow, behind the same
//! gates and ledger as every command. Dispatch has no idempotency key, so it is never re-sent: after
//! an unclear answer the newest run created since the command is looked up instead.

use chrono::Utc;

use super::guard::{check_gates, record_command, record_outcome};
use super::outcome::{Outcome, Status};
use super::run::Context;
use crate::config::Environment;
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::github::{GithubClient, Token};

pub async fn trigger(
    ctx: &Context,
    env: &Environment,
    version: &str,
) -> Result<Outcome, Box<Outcome>> {
    let kind = CommandKind::Trigger;
    let usage = |message: String| Box::new(Outcome::new(kind, &env.name, Status::Usage, message));
    let Some(config) = &ctx.profile.pipeline else {
        return Err(usage(
            "the profile has no [pipeline]: trigger through Cloud Run instead".into(),
        ));
    };
    let overridden = check_gates(ctx, kind, env, version, SourceHealth::Unknown).await?;
    // A sandbox profile sends no token (as the cockpit's session); elsewhere it is resolved.
    let token = if ctx.profile.sandbox.is_some() {
        None
    } else {
        Token::resolve(config)
            .await
            .map_err(|e| Outcome::new(kind, &env.name, Status::ApiError, e.to_string()))?
    };
    let client = GithubClient::new(config, token)
        .map_err(|e| Outcome::new(kind, &env.name, Status::ApiError, e.to_string()))?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.release = Some(version.to_string());
    outcome.overridden = overridden.clone();
    let detail =
        serde_json::json!({"via": "github", "workflow": config.workflow, "ref": config.git_ref});
    let request_id = record_command(ctx, &outcome, &overridden, detail)?;
    outcome.request_id = Some(request_id);
    let since = Utc::now() - chrono::Duration::seconds(5);
    (outcome.status, outcome.message) = match client.dispatch(version).await {
        Ok(dispatched) => {
            let url = match dispatched.html_url {
                Some(url) => Some(url),
                None => client
                    .find_dispatched_run(since)
                    .await
                    .ok()
                    .flatten()
                    .map(|run| run.html_url),
            };
            let message = match url {
                Some(url) => format!("dispatched {} for {version}: {url}", config.workflow),
                None => format!("dispatched {} for {version}", config.workflow),
            };
            (Status::Done, message)
        }
        Err(e) => (Status::ApiError, e.to_string()),
    };
    record_outcome(ctx, &mut outcome);
    Ok(outcome)
}
