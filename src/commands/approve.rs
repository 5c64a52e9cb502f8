//! GitHub environment approvals driven by the sign-off grid: `flightdeck approve ENV [--reject]`
//! and the cockpit's approve key review the deployment a workflow run waits for
//! (`POST …/runs/{id}/pending_deployments`). Approving needs the grid's GO for ENV and the run's
//! release (the same gates and overrides as a promotion into ENV); rejecting is always allowed.
//! The review carries a comment composed from the grid (see [`super::approve_comment`]). Here the
//! reads and the plan; the review itself is `approve_send`'s.

use super::approve_comment;
use super::clouddeploy_gate::GateAction;
use super::outcome::{Outcome, Status};
use super::plan::{Halt, Known};
use super::prepared::{Prepared, planned};
use crate::config::profile::{Environment, Provider};
use crate::model::command_plan::{CommandPlan, Outgoing, ProviderCall};
use crate::model::command_read::Read;
use crate::policy::{CommandKind, SourceHealth};
use crate::providers::github::wire::{PendingDeployment, WorkflowRun};

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The flightdeck environment (lane) whose GitHub environment gates the run.
    pub env: String,
    pub reject: bool,
    /// The reviewer's own words, appended to the composed comment.
    pub comment: Option<String>,
    /// The run; default the newest run of the workflow waiting on the environment.
    pub run_id: Option<u64>,
}

impl Review {
    pub(super) fn verb(&self) -> &'static str {
        if self.reject { "reject" } else { "approve" }
    }

    /// Approving moves a release forward (the promotion gates); rejecting stops one.
    fn kind(&self) -> CommandKind {
        if self.reject {
            CommandKind::Rollback
        } else {
            CommandKind::Promote
        }
    }
}

/// A platform's gate on `env` from the cockpit or the `:` line: Cloud Deploy lanes answer every
/// action; elsewhere approve / reject review the GitHub environment's waiting deployment.
pub fn gate(
    known: &Known<'_>,
    env: &str,
    action: GateAction,
    comment: Option<String>,
) -> Result<Prepared, Halt> {
    let provider = known.profile().environment(env).and_then(|e| e.provider());
    if let Some(Provider::CloudDeploy(_)) = provider {
        return super::clouddeploy_gate::plan(known, env, action);
    }
    let reject = match action {
        GateAction::Approve => false,
        GateAction::Reject => true,
        other => {
            let mut outcome = Outcome::new(
                CommandKind::Promote,
                env,
                Status::Usage,
                format!(
                    "`{env}` is not a Cloud Deploy lane: {} is for Cloud Deploy rollouts (a canary here: a advances, x aborts)",
                    other.name()
                ),
            );
            outcome.verb = Some(other.name().into());
            return Err(outcome.into());
        }
    };
    let review = Review {
        env: env.into(),
        reject,
        comment,
        run_id: None,
    };
    plan(known, &review)
}

/// Finds the deployment waiting on the review's environment and plans the review.
pub(super) fn plan(known: &Known<'_>, review: &Review) -> Result<Prepared, Halt> {
    plan_review(known, review).map_err(|halt| match halt {
        Halt::End(mut outcome) => {
            outcome.verb = Some(review.verb().into());
            Halt::End(outcome)
        }
        need => need,
    })
}

fn plan_review(known: &Known<'_>, review: &Review) -> Result<Prepared, Halt> {
    let kind = review.kind();
    let env = super::request_checks::env_named(known.profile(), kind, &review.env)?;
    let fail = |status, message: String| Box::new(Outcome::new(kind, &env.name, status, message));
    let Some(config) = &known.profile().pipeline else {
        return Err(Halt::End(fail(
            Status::Usage,
            "the profile has no [pipeline]: there is no GitHub workflow to approve".into(),
        )));
    };
    let gh_env = config.github_environment(&env.name).to_string();
    let (run, pending) =
        waiting(known, kind, &env.name, review.run_id, &gh_env)?.ok_or_else(|| {
            fail(
                Status::Usage,
                format!(
                    "nothing waits for approval on GitHub environment `{gh_env}`{}",
                    review
                        .run_id
                        .map_or_else(String::new, |id| format!(" in run {id}"))
                ),
            )
        })?;
    if !pending.current_user_can_approve {
        return Err(Halt::End(fail(
            Status::Usage,
            not_a_reviewer(&gh_env, &pending),
        )));
    }
    let release = release_of(&run);
    let question = if review.reject && !known.planning.read_only {
        None
    } else {
        let source = source_health(known, env)?;
        Some(known.question(kind, &signoff_required(env), &release, source)?)
    };
    let comment = approve_comment::compose(known, &env.name, &release, review.comment.as_deref())?;
    let mut outcome = Outcome::new(kind, &env.name, Status::Done, "");
    outcome.verb = Some(review.verb().into());
    outcome.release = Some(release.clone());
    let ids = [pending.environment.id];
    let detail = serde_json::json!({
        "via": "github", "run_id": run.id, "environment": gh_env, "environment_ids": ids,
        "state": if review.reject { "rejected" } else { "approved" }, "comment": comment,
    });
    Ok(planned(CommandPlan {
        question,
        outcome,
        action: review.verb().into(),
        detail,
        send: Outgoing::Call(ProviderCall::Review {
            run_id: run.id,
            run_number: run.run_number,
            run_url: run.url.clone(),
            environment: gh_env,
            environment_id: pending.environment.id,
            reject: review.reject,
            comment,
        }),
    }))
}

/// The run (given, or the newest waiting one) and its pending deployment for `gh_env`.
fn waiting(
    known: &Known<'_>,
    kind: CommandKind,
    env: &str,
    run_id: Option<u64>,
    gh_env: &str,
) -> Result<Option<(WorkflowRun, PendingDeployment)>, Halt> {
    let runs: Vec<WorkflowRun> = match run_id {
        Some(id) => vec![known.wire(Read::WorkflowRun { id }, kind, env)??],
        None => known.wire(Read::WaitingRuns, kind, env)??,
    };
    for run in runs {
        let read = Read::PendingDeployments { run_id: run.id };
        let pending: Vec<PendingDeployment> = known.wire(read, kind, env)??;
        if let Some(p) = pending.into_iter().find(|p| p.environment.name == gh_env) {
            return Ok(Some((run, p)));
        }
    }
    Ok(None)
}

/// "you are not a required reviewer of production (reviewers: …)".
pub fn not_a_reviewer(gh_env: &str, pending: &PendingDeployment) -> String {
    let who: Vec<String> = pending
        .reviewers
        .iter()
        .map(|r| {
            let name = r.reviewer.login.clone().or_else(|| r.reviewer.slug.clone());
            let name = name.or_else(|| r.reviewer.name.clone()).unwrap_or_default();
            if r.kind == "Team" {
                format!("team {name}")
            } else {
                name
            }
        })
        .collect();
    format!(
        "you are not a required reviewer of {gh_env} (GitHub says current_user_can_approve is false); ask {} to review, with the token of a reviewer",
        if who.is_empty() {
            "a reviewer".to_string()
        } else {
            who.join(" or ")
        }
    )
}

/// The release a run deploys: the last word of its title (`Release 1.5.0` → `1.5.0`).
pub fn release_of(run: &WorkflowRun) -> String {
    run.display_title
        .split_whitespace()
        .last()
        .map_or_else(|| format!("run-{}", run.run_number), str::to_string)
}

/// Approving a deployment is what the grid is for: its GO is required even where the
/// environment's policy does not ask for it on promotions.
fn signoff_required(env: &Environment) -> Environment {
    let mut env = env.clone();
    env.policy.require_signoff = true;
    env
}

/// The lane before `env` green (when its policy asks), probed at its service's own URI.
fn source_health(known: &Known<'_>, env: &Environment) -> Result<SourceHealth, Halt> {
    let envs = &known.profile().environments;
    let source = match envs.iter().position(|e| e.name == env.name) {
        Some(i) if i > 0 && env.policy.require_source_green => &envs[i - 1],
        _ => return Ok(SourceHealth::Unknown),
    };
    let kind = CommandKind::Promote;
    let uri = match source.cloudrun {
        Some(_) => known
            .cloud_run(kind, &source.name)?
            .ok()
            .and_then(|s| s.uri),
        None => None,
    };
    known.source_health(source, uri.as_deref())
}
