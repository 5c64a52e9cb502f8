//! Which provider runs a request: the target environment's (the first one for a trigger).
//! Cloud Run requests go on through [`super::run`]; the others are answered here.

use super::context::Context;
use super::outcome::Outcome;
use super::prepared::Prepared;
use super::{TriggerVia, clouddeploy, clouddeploy_rollback, script};
use crate::config::profile::Provider;
use crate::model::command::Request;
use crate::policy::CommandKind;

/// `None` when the request is Cloud Run's (or names an unknown environment, which it reports).
pub(super) async fn route(
    ctx: &Context,
    request: &Request,
) -> Option<Result<Prepared, Box<Outcome>>> {
    let env_name = match request {
        Request::Gate {
            env,
            action,
            comment,
        } => {
            let prepared = super::approve::gate(ctx, env, action.clone(), comment.clone()).await;
            return Some(Ok(prepared));
        }
        Request::Trigger {
            via: TriggerVia::GithubDispatch,
            ..
        } => return None,
        Request::Trigger { .. } => ctx.profile.environments.first()?.name.as_str(),
        Request::Promote { to, .. } => to.as_str(),
        Request::Rollback { env, .. } => env.as_str(),
    };
    let env = ctx.profile.environment(env_name)?;
    let script = match env.provider()? {
        Provider::CloudRun(_) => return None,
        Provider::CloudDeploy(_) => false,
        Provider::Script(_) => true,
    };
    Some(match request {
        Request::Trigger { version, .. } if script => script::trigger(ctx, env, version).await,
        Request::Trigger { version, .. } => clouddeploy::trigger(ctx, env, version).await,
        Request::Promote { from, .. } => match ctx.env(CommandKind::Promote, from) {
            Err(refused) => Err(refused),
            Ok(from_env) if script => script::promote(ctx, from_env, env).await,
            Ok(from_env) => clouddeploy::promote(ctx, from_env, env).await,
        },
        Request::Rollback { to, .. } if script => script::rollback(ctx, env, to.as_deref()).await,
        Request::Rollback { to, .. } => {
            clouddeploy_rollback::rollback(ctx, env, to.as_deref()).await
        }
        // Answered above.
        Request::Gate { .. } => return None,
    })
}
