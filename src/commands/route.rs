//! Which provider's planner a request goes to: the target environment's (the first one for a
//! trigger); platform gates to [`super::approve::gate`].

use super::outcome::Outcome;
use super::plan::{Halt, Known, Planning, Step};
use super::prepared::Prepared;
use super::{TriggerVia, clouddeploy, clouddeploy_rollback, script};
use crate::config::profile::Provider;
use crate::model::command::Request;
use crate::model::command_read::Reads;
use crate::policy::CommandKind;

/// The next step of `request` after `reads`.
pub fn next(planning: &Planning<'_>, request: &Request, reads: &Reads) -> Step {
    super::plan::next(planning, reads, |known| route(known, request))
}

pub(super) fn route(known: &Known<'_>, request: &Request) -> Result<Prepared, Halt> {
    if known.planning.read_only && !matches!(request, Request::Gate { .. }) {
        // The gates refuse whatever the lanes say: nothing is read from the cloud.
        let profile = known.profile();
        let first = profile.environments.first().map_or("", |e| e.name.as_str());
        let env = super::request_checks::env_named(profile, request.kind(), request.target(first))?;
        return super::plan::read_only_refusal(known, request.kind(), env);
    }
    let env_name = match request {
        Request::Gate {
            env,
            action,
            comment,
        } => return super::approve::gate(known, env, action.clone(), comment.clone()),
        Request::Trigger {
            via: TriggerVia::GithubDispatch,
            ..
        } => None,
        Request::Trigger { .. } => known
            .profile()
            .environments
            .first()
            .map(|e| e.name.as_str()),
        Request::Promote { to, .. } => Some(to.as_str()),
        Request::Rollback { env, .. } => Some(env.as_str()),
    };
    let env = env_name.and_then(|name| known.profile().environment(name));
    let script = match env.and_then(|env| env.provider()) {
        None | Some(Provider::CloudRun(_)) => {
            return super::cloudrun::plan(known, request);
        }
        Some(Provider::CloudDeploy(_)) => false,
        Some(Provider::Script(_)) => true,
    };
    let Some(env) = env else {
        return super::cloudrun::plan(known, request);
    };
    let from_env = |from: &str| -> Result<_, Box<Outcome>> {
        super::request_checks::env_named(known.profile(), CommandKind::Promote, from)
    };
    match request {
        Request::Trigger { version, .. } if script => script::trigger(known, env, version),
        Request::Trigger { version, .. } => clouddeploy::trigger(known, env, version),
        Request::Promote { from, .. } if script => script::promote(known, from_env(from)?, env),
        Request::Promote { from, .. } => clouddeploy::promote(known, from_env(from)?, env),
        Request::Rollback { to, .. } if script => script::rollback(known, env, to.as_deref()),
        Request::Rollback { to, .. } => clouddeploy_rollback::rollback(known, env, to.as_deref()),
        Request::Gate { .. } => super::cloudrun::plan(known, request),
    }
}
