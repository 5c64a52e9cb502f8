//! The inputs a `workflow_dispatch` may carry: read from the workflow file itself (the workflow
//! endpoint names its path, the contents API gives the file), so that an input the workflow
//! does not declare is refused here, with the profile's line to fix, before GitHub's 422.

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{GithubClient, GithubError, PipelineConfig};

/// The `workflow_dispatch` inputs of a workflow file: name → required (without a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredInputs {
    /// The file, e.g. `.github/workflows/release.yml`.
    pub path: String,
    pub inputs: BTreeMap<String, bool>,
}

#[derive(Deserialize)]
struct Workflow {
    path: String,
}

#[derive(Deserialize)]
struct ContentFile {
    content: String,
}

impl GithubClient {
    /// Reads the workflow file at the profile's ref and the inputs its `workflow_dispatch` declares.
    pub async fn declared_inputs(&self) -> Result<DeclaredInputs, GithubError> {
        let workflow: Workflow = self
            .get_json(&self.workflow_url())
            .await?
            .changed()
            .ok_or_else(|| GithubError::Decode {
                url: self.workflow_url(),
                detail: "304 on a first read".into(),
            })?;
        let url = format!(
            "{}/contents/{}?ref={}",
            self.repo_url(),
            workflow
                .path
                .split('/')
                .map(super::client::seg)
                .collect::<Vec<_>>()
                .join("/"),
            super::client::seg(&self.cfg().git_ref)
        );
        let bad = |detail: String| GithubError::Decode {
            url: url.clone(),
            detail,
        };
        let file: ContentFile = match self.get_json(&url).await? {
            super::Fetched::Changed(file) => file,
            super::Fetched::Unchanged => self.cached(&url)?,
        };
        let packed: String = file.content.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(packed)
            .map_err(|e| bad(format!("content is not base64: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| bad(format!("not UTF-8: {e}")))?;
        let inputs =
            parse_dispatch_inputs(&text).map_err(|e| bad(format!("{}: {e}", workflow.path)))?;
        Ok(DeclaredInputs {
            path: workflow.path,
            inputs,
        })
    }
}

/// The `on.workflow_dispatch.inputs` of a workflow file (empty when it declares none).
/// An error when the file is not YAML or the workflow cannot be dispatched at all.
pub fn parse_dispatch_inputs(yaml: &str) -> Result<BTreeMap<String, bool>, String> {
    let doc: serde_norway::Value = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    // `on` is a plain string in YAML 1.2; a YAML 1.1 reading would make it `true`.
    let on = doc
        .get("on")
        .or_else(|| doc.get(serde_norway::Value::Bool(true)))
        .ok_or("no `on:` section")?;
    let dispatchable = match on {
        serde_norway::Value::String(s) => s == "workflow_dispatch",
        serde_norway::Value::Sequence(events) => events
            .iter()
            .any(|e| e.as_str() == Some("workflow_dispatch")),
        serde_norway::Value::Mapping(m) => m.contains_key("workflow_dispatch"),
        _ => false,
    };
    if !dispatchable {
        return Err("the workflow has no `workflow_dispatch` trigger".into());
    }
    let inputs = on
        .get("workflow_dispatch")
        .and_then(|d| d.get("inputs"))
        .and_then(serde_norway::Value::as_mapping);
    Ok(inputs
        .into_iter()
        .flatten()
        .filter_map(|(name, spec)| {
            let required = spec.get("required").and_then(serde_norway::Value::as_bool)
                == Some(true)
                && spec.get("default").is_none();
            Some((name.as_str()?.to_string(), required))
        })
        .collect())
}

/// The inputs to dispatch for `version`: the profile's `inputs`, and the version under
/// `version_input` (default `version` when the workflow declares it; none otherwise). Checked
/// against `declared` when the workflow file could be read.
pub fn dispatch_inputs(
    cfg: &PipelineConfig,
    version: &str,
    declared: Option<&DeclaredInputs>,
) -> Result<Map<String, Value>, String> {
    let version_input = match (&cfg.version_input, declared) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(d)) => d
            .inputs
            .contains_key("version")
            .then(|| "version".to_string()),
        (None, None) => Some("version".to_string()),
    };
    let mut inputs = Map::new();
    for (k, v) in &cfg.inputs {
        inputs.insert(k.clone(), Value::String(v.clone()));
    }
    if let Some(name) = &version_input {
        inputs.insert(name.clone(), Value::String(version.into()));
    }
    let Some(d) = declared else {
        return Ok(inputs);
    };
    let known = || {
        if d.inputs.is_empty() {
            "it declares no inputs".to_string()
        } else {
            let names: Vec<&str> = d.inputs.keys().map(String::as_str).collect();
            format!("it declares {}", names.join(", "))
        }
    };
    for name in inputs.keys() {
        if !d.inputs.contains_key(name) {
            let line = if Some(name) == version_input.as_ref() {
                format!("version_input = \"{name}\"")
            } else {
                format!("inputs.{name}")
            };
            return Err(format!(
                "the profile's [pipeline] {line} is not an input of {} ({}): fix the profile or add the input to the workflow's workflow_dispatch",
                d.path,
                known()
            ));
        }
    }
    if let Some((name, _)) = d
        .inputs
        .iter()
        .find(|(n, req)| **req && !inputs.contains_key(*n))
    {
        return Err(format!(
            "{} requires the input `{name}`: set it in the profile's [pipeline.inputs] (or version_input = \"{name}\")",
            d.path
        ));
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = "name: R\non:\n  push:\n  workflow_dispatch:\n    inputs:\n      version:\n        required: true\n      env:\n        required: true\n        default: dev\n      dry_run:\n        type: boolean\njobs: {}\n";

    #[test]
    fn github_inputs_parsed_with_required_flags() {
        let inputs = parse_dispatch_inputs(WF).unwrap();
        let expected: BTreeMap<String, bool> =
            [("dry_run", false), ("env", false), ("version", true)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(inputs, expected);
        assert!(
            parse_dispatch_inputs("on: [workflow_dispatch]\n")
                .unwrap()
                .is_empty()
        );
        assert!(
            parse_dispatch_inputs("on: push\n")
                .unwrap_err()
                .contains("workflow_dispatch")
        );
        assert!(parse_dispatch_inputs("on: [").is_err());
    }

    fn cfg(extra: &str) -> PipelineConfig {
        toml::from_str(&format!(
            "owner = \"o\"\nrepo = \"r\"\nworkflow = \"release.yml\"\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn github_inputs_checked_against_the_workflow() {
        let d = DeclaredInputs {
            path: ".github/workflows/release.yml".into(),
            inputs: parse_dispatch_inputs(WF).unwrap(),
        };
        let ok = dispatch_inputs(&cfg(""), "1.2.0", Some(&d)).unwrap();
        assert_eq!(ok["version"], "1.2.0");
        let err = dispatch_inputs(&cfg("version_input = \"tag\""), "1", Some(&d)).unwrap_err();
        assert!(
            err.contains("version_input = \"tag\"") && err.contains("dry_run, env, version"),
            "{err}"
        );
        let err = dispatch_inputs(&cfg("[inputs]\nregion = \"eu\""), "1", Some(&d)).unwrap_err();
        assert!(err.contains("inputs.region"), "{err}");
        let none = DeclaredInputs {
            path: "w.yml".into(),
            inputs: BTreeMap::new(),
        };
        assert!(
            dispatch_inputs(&cfg(""), "1", Some(&none))
                .unwrap()
                .is_empty(),
            "no version input"
        );
        let need = DeclaredInputs {
            path: "w.yml".into(),
            inputs: [("tag".to_string(), true)].into_iter().collect(),
        };
        assert!(
            dispatch_inputs(&cfg(""), "1", Some(&need))
                .unwrap_err()
                .contains("requires the input `tag`")
        );
        assert_eq!(
            dispatch_inputs(&cfg(""), "9", None).unwrap()["version"],
            "9"
        );
    }
}
