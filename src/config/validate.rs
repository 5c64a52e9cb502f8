//! Checks of a parsed profile that serde cannot make: values that are strings or numbers in TOML
//! but must name something real (a time zone, a weekday, a time, an HTTP method, a URL). Each error
//! names the file and the line of the offending value, so `profile check` finds it at once.

use std::path::Path;

use super::freeze;
use super::{ConfigError, Profile};

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Every value check of `profile`, whose TOML source is `text`.
pub fn check(profile: &Profile, source: &Path, text: &str) -> Result<(), ConfigError> {
    let at = |needle: &str, message: String| ConfigError::at_text(source, text, needle, message);
    if let Some(sandbox) = &profile.sandbox
        && !(sandbox.speed.is_finite() && sandbox.speed > 0.0)
    {
        return Err(at(
            "speed",
            format!("sandbox.speed {} must be a positive number", sandbox.speed),
        ));
    }
    if let Some(pipeline) = &profile.pipeline
        && let Some(base) = &pipeline.base_url
    {
        base_url(base).map_err(|e| at(base, format!("pipeline.base_url: {e}")))?;
    }
    for env in &profile.environments {
        let name = &env.name;
        if let Some(base) = env.cloudrun.as_ref().and_then(|c| c.base_url.as_ref()) {
            base_url(base)
                .map_err(|e| at(base, format!("environments.{name}.cloudrun.base_url: {e}")))?;
        }
        if let Some(base) = env.clouddeploy.as_ref().and_then(|c| c.base_url.as_ref()) {
            base_url(base).map_err(|e| {
                at(
                    base,
                    format!("environments.{name}.clouddeploy.base_url: {e}"),
                )
            })?;
        }
        for window in &env.policy.freeze {
            freeze::validate(window).map_err(|problem| {
                let anchor = format!("\"{}\"", window.name);
                let message = format!(
                    "environments.{name}.policy.freeze `{}`: {}",
                    window.name, problem.message
                );
                match &problem.value {
                    // The value's first use after the window's name: its own line.
                    Some(value) => {
                        let needle = format!("\"{value}\"");
                        let start = text.find(&anchor).unwrap_or(0);
                        let nth = text[..start].matches(&needle).count();
                        if text[start..].contains(&needle) {
                            ConfigError::at_nth_text(source, text, &needle, nth, message)
                        } else {
                            at(&anchor, message)
                        }
                    }
                    None => at(&anchor, message),
                }
            })?;
        }
        for probe in &env.probes {
            let what = format!("environments.{name}.probes `{}`", probe.name);
            let here = format!("\"{}\"", probe.name);
            let method = probe.method.to_ascii_uppercase();
            if !METHODS.contains(&method.as_str()) {
                return Err(at(
                    &here,
                    format!(
                        "{what}: method `{}` is not one of {}",
                        probe.method,
                        METHODS.join(", ")
                    ),
                ));
            }
            if !(probe.interval_secs.is_finite() && probe.interval_secs > 0.0) {
                return Err(at(
                    &here,
                    format!("{what}: interval_secs must be a positive number"),
                ));
            }
            if probe.timeout_ms == 0 {
                return Err(at(&here, format!("{what}: timeout_ms must be at least 1")));
            }
            if let Some(code) = probe.expect_status
                && !(100..=599).contains(&code)
            {
                return Err(at(
                    &here,
                    format!("{what}: expect_status {code} is not an HTTP status (100–599)"),
                ));
            }
            if probe.failure_threshold == 0 || probe.success_threshold == 0 {
                return Err(at(
                    &here,
                    format!("{what}: failure_threshold and success_threshold must be at least 1"),
                ));
            }
            match (&probe.url, &probe.path) {
                (Some(url), _) => {
                    base_url(url).map_err(|e| at(url, format!("{what}: url: {e}")))?
                }
                (None, Some(path)) if !path.starts_with('/') => {
                    return Err(at(path, format!("{what}: path `{path}` must start with /")));
                }
                (None, Some(_)) => {}
                (None, None) => return Err(at(&here, format!("{what}: needs `path` or `url`"))),
            }
        }
    }
    Ok(())
}

/// An absolute `http` or `https` URL with a host.
fn base_url(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "`{text}` must be an http:// or https:// URL with a host"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[service]\nname = \"s\"\n[[environments]]\nname = \"dev\"\n[environments.cloudrun]\nproject = \"p\"\nregion = \"r\"\nservice = \"s\"\n";

    fn load(extra: &str) -> Result<Profile, ConfigError> {
        Profile::parse(Path::new("p.toml"), &format!("{HEAD}{extra}"))
    }

    fn freeze(body: &str) -> String {
        format!("[[environments.policy.freeze]]\nname = \"w\"\n{body}\n")
    }

    #[test]
    fn bad_values_are_named_with_their_line() {
        let cases = [
            (
                freeze("timezone = \"Mars/Olympus_Mons\"\ndays = [\"Fri\"]"),
                "unknown timezone `Mars/Olympus_Mons`",
            ),
            (
                freeze("days = [\"Fry\"]"),
                "day `Fry` is not a weekday: use Mon, Tue",
            ),
            (
                freeze("days = [\"Fri\"]\nend = \"25:00\""),
                "end `25:00` is not a time of day",
            ),
            (
                freeze("days = [\"Fri\"]\nfrom = \"2026-01-01 00:00\""),
                "not both",
            ),
            (
                freeze("from = \"2026-01-02 00:00\"\nuntil = \"2026-01-01 00:00\""),
                "`from` must come before `until`",
            ),
            (freeze(""), "needs `days`"),
            (
                "[[environments.probes]]\nname = \"h\"\npath = \"/h\"\nmethod = \"FETCH\"\n".into(),
                "method `FETCH`",
            ),
            (
                "[[environments.probes]]\nname = \"h\"\npath = \"h\"\n".into(),
                "must start with /",
            ),
            (
                "[[environments.probes]]\nname = \"h\"\nurl = \"localhost:8080/h\"\n".into(),
                "http:// or https://",
            ),
            (
                "[[environments.probes]]\nname = \"h\"\npath = \"/h\"\nexpect_status = 42\n".into(),
                "expect_status 42",
            ),
        ];
        for (extra, want) in cases {
            let err = load(&extra).expect_err(&extra).to_string();
            assert!(err.contains(want), "{extra}\n→ {err}");
            assert!(err.starts_with("p.toml:"), "names the file and line: {err}");
        }
    }

    #[test]
    fn good_values_pass() {
        let ok = [
            freeze("timezone = \"Europe/Berlin\"\ndays = [\"Fri\", \"saturday\"]\nstart = \"16:00\"\nend = \"23:59\""),
            freeze("from = \"2026-12-24 00:00\"\nuntil = \"2026-12-27T00:00:00Z\""),
            "[[environments.probes]]\nname = \"h\"\nurl = \"https://x.example/h\"\nmethod = \"head\"\n".into(),
        ];
        for extra in ok {
            load(&extra).unwrap_or_else(|e| panic!("{extra}\n→ {e}"));
        }
    }
}
