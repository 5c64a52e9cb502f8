//! Reading a profile: from a file, a name or the built-in copy, parsed and checked, so every
//! `Profile` the cockpit holds has passed [`validate`].

use std::collections::BTreeSet;
use std::path::Path;

use super::profile::Profile;
use super::{ConfigError, Paths, validate};

impl Profile {
    pub fn parse(source: &Path, text: &str) -> Result<Profile, ConfigError> {
        let mut profile: Profile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(source, text, &e))?;
        profile.source = source.to_path_buf();
        profile.name = source
            .file_stem()
            .map_or_else(|| "profile".into(), |s| s.to_string_lossy().into_owned());
        profile.validate(source, text)?;
        let default_auth = match &profile.sandbox {
            Some(sandbox) if !sandbox.require_auth => super::targets::AuthMode::None,
            _ => super::targets::AuthMode::Google,
        };
        let base = source.parent().unwrap_or(Path::new("."));
        for env in &mut profile.environments {
            if let Some(target) = env.cloudrun.as_mut() {
                target.auth.get_or_insert(default_auth);
            }
            if let Some(target) = env.clouddeploy.as_mut() {
                target.auth.get_or_insert(default_auth);
            }
            if let Some(script) = &mut env.script {
                script.resolve_paths(base);
            }
        }
        Ok(profile)
    }

    pub fn load_file(path: &Path) -> Result<Profile, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| {
            ConfigError::new(path, format!("cannot read profile: {e}"))
                .with_hint("check the path and that you may read the file")
        })?;
        let text = String::from_utf8(bytes).map_err(|e| ConfigError::not_utf8(path, &e))?;
        Profile::parse(path, &text)
    }

    /// Resolves `name_or_path`: an existing file path, else a profile name searched in
    /// `./profiles`, the config dir, and (for `sandbox`) the built-in copy.
    pub fn resolve(paths: &Paths, name_or_path: &str) -> Result<Profile, ConfigError> {
        let as_path = Path::new(name_or_path);
        if as_path.extension().is_some_and(|e| e == "toml") || as_path.components().count() > 1 {
            return Profile::load_file(as_path);
        }
        if let Some(found) = paths.find("profiles", name_or_path) {
            return Profile::load_file(&found);
        }
        if name_or_path == "sandbox" {
            return Profile::parse(
                Path::new("<built-in>/profiles/sandbox.toml"),
                super::profile::SANDBOX_PROFILE,
            );
        }
        let tried: Vec<String> = paths
            .candidates("profiles", name_or_path)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        Err(
            ConfigError::new(as_path, format!("no profile named `{name_or_path}`"))
                .with_hint(format!("looked in {}", tried.join(", "))),
        )
    }

    fn validate(&self, source: &Path, text: &str) -> Result<(), ConfigError> {
        if self.environments.is_empty() {
            return Err(ConfigError::new(
                source,
                "no [[environments]]: a profile needs at least one lane",
            )
            .with_hint("add an [[environments]] table with a name and a provider"));
        }
        let mut seen = BTreeSet::new();
        for env in &self.environments {
            let at = format!("name = \"{}\"", env.name);
            if !seen.insert(env.name.as_str()) {
                return Err(ConfigError::at_nth_text(
                    source,
                    text,
                    &at,
                    1,
                    format!("environments: `{}` is listed twice", env.name),
                )
                .with_hint("environment names must be unique: they name the lanes"));
            }
            let providers = [
                env.cloudrun.is_some(),
                env.clouddeploy.is_some(),
                env.script.is_some(),
            ];
            match providers.iter().filter(|p| **p).count() {
                0 => {
                    return Err(ConfigError::at_text(
                        source,
                        text,
                        &at,
                        format!("environments.{}: no provider", env.name),
                    )
                    .with_hint("add one of [environments.cloudrun] (project, region, service), [environments.clouddeploy] (project, region, pipeline, target) or [environments.script] (status, trigger, promote, rollback)"));
                }
                1 => {}
                _ => {
                    return Err(ConfigError::at_text(
                        source,
                        text,
                        &at,
                        format!("environments.{}: more than one provider", env.name),
                    )
                    .with_hint("keep one of cloudrun, clouddeploy and script per environment"));
                }
            }
            if let Some(script) = &env.script
                && let Err(message) = script.validate()
            {
                return Err(ConfigError::at_text(
                    source,
                    text,
                    &at,
                    format!("environments.{}.{message}", env.name),
                ));
            }
            if let Some(canary) = &env.canary {
                let ascending = canary.steps.windows(2).all(|w| w[0] < w[1]);
                if canary.steps.is_empty()
                    || !ascending
                    || canary.steps.iter().any(|s| *s == 0 || *s > 100)
                    || canary.steps.last() != Some(&100)
                {
                    return Err(ConfigError::at_text(
                        source,
                        text,
                        "steps",
                        format!(
                            "environments.{}.canary.steps: {:?} must rise from 1 to 100 and end at 100",
                            env.name, canary.steps
                        ),
                    ));
                }
            }
        }
        if let Some(url) = &self.ledger.url
            && let Err(e) = super::ledger_url::LedgerUrl::parse(url)
        {
            return Err(ConfigError::at_text(
                source,
                text,
                url,
                format!("ledger.url: {e}"),
            ));
        }
        if self.poll.interval_secs == 0 {
            return Err(ConfigError::at_text(
                source,
                text,
                "interval_secs",
                "poll.interval_secs must be at least 1",
            ));
        }
        validate::check(self, source, text)
    }
}
