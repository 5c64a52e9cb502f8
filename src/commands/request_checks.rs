//! A request's arguments checked against the profile before anything is read: the environment
//! named exists, it runs on the provider asked, a version is an image tag.

use super::outcome::{Outcome, Status};
use crate::config::Profile;
use crate::config::profile::{CloudRunTarget, Environment};
use crate::policy::CommandKind;

/// The environment named, or the command's end naming those there are.
pub(super) fn env_named<'a>(
    profile: &'a Profile,
    kind: CommandKind,
    name: &str,
) -> Result<&'a Environment, Box<Outcome>> {
    profile.environment(name).ok_or_else(|| {
        let known: Vec<&str> = profile
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        Box::new(Outcome::new(
            kind,
            name,
            Status::Usage,
            format!(
                "no environment named `{name}` (environments: {})",
                known.join(", ")
            ),
        ))
    })
}

/// `env`'s Cloud Run service, or the command's end saying it has none.
pub(super) fn cloud_run_target(
    kind: CommandKind,
    env: &Environment,
) -> Result<&CloudRunTarget, Box<Outcome>> {
    env.cloudrun.as_ref().ok_or_else(|| {
        Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{}` has no Cloud Run service", env.name),
        ))
    })
}

/// `version` as an image tag: not empty, none of `forbidden` in it.
pub(super) fn image_tag(
    kind: CommandKind,
    env: &Environment,
    version: &str,
    forbidden: &[char],
) -> Result<(), Box<Outcome>> {
    if version.trim().is_empty() || version.contains(forbidden) {
        return Err(Box::new(Outcome::new(
            kind,
            &env.name,
            Status::Usage,
            format!("`{version}` is not an image tag"),
        )));
    }
    Ok(())
}
