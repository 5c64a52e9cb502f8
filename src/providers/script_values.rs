//! The values a script command gets and the argv placeholders they fill.

use std::path::Path;

pub use crate::config::targets::ScriptTarget;

/// The placeholders an argv element may contain; each is filled with one value.
pub const PLACEHOLDERS: [&str; 6] = ["env", "version", "from", "to", "revision", "request_id"];

/// Which command of the provider, and the values it gets.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub env: String,
    pub version: String,
    pub from: String,
    pub to: String,
    pub revision: String,
    pub request_id: String,
}

impl Values {
    fn get(&self, key: &str) -> &str {
        match key {
            "env" => &self.env,
            "version" => &self.version,
            "from" => &self.from,
            "to" => &self.to,
            "revision" => &self.revision,
            "request_id" => &self.request_id,
            _ => "",
        }
    }

    pub(super) fn vars(&self, action: &str) -> Vec<(String, String)> {
        let mut vars = vec![("FLIGHTDECK_ACTION".to_string(), action.to_string())];
        for key in PLACEHOLDERS {
            vars.push((
                format!("FLIGHTDECK_{}", key.to_uppercase()),
                self.get(key).to_string(),
            ));
        }
        vars
    }
}

impl ScriptTarget {
    /// Checks the argv arrays (not empty, only known placeholders); the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        let commands = [
            ("status", Some(&self.status)),
            ("trigger", self.trigger.as_ref()),
            ("promote", self.promote.as_ref()),
            ("rollback", self.rollback.as_ref()),
        ];
        for (key, argv) in commands {
            let Some(argv) = argv else { continue };
            if argv.first().is_none_or(|p| p.trim().is_empty()) {
                return Err(format!(
                    "script.{key} is empty: give the program and its arguments as an array"
                ));
            }
            if argv.len() == 1 && argv[0].contains(' ') {
                return Err(format!(
                    "script.{key} = [{:?}] looks like a shell command line; split it into an argv array (no shell runs it)",
                    argv[0]
                ));
            }
            for element in argv {
                for name in placeholders_in(element) {
                    if !PLACEHOLDERS.contains(&name) {
                        return Err(format!(
                            "script.{key}: unknown placeholder {{{name}}} (known: {})",
                            PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                        ));
                    }
                }
            }
        }
        if self.timeout_secs == 0 || self.status_timeout_secs == 0 {
            return Err("script.timeout_secs and status_timeout_secs must be at least 1".into());
        }
        Ok(())
    }

    /// Makes `workdir` and relative program paths (`./deploy.sh`, `scripts/x`) absolute from `base`.
    pub fn resolve_paths(&mut self, base: &Path) {
        let workdir = match &self.workdir {
            Some(dir) => base.join(dir),
            None => base.to_path_buf(),
        };
        for argv in [
            Some(&mut self.status),
            self.trigger.as_mut(),
            self.promote.as_mut(),
            self.rollback.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(program) = argv.first_mut()
                && program.contains('/')
                && Path::new(program.as_str()).is_relative()
            {
                *program = workdir.join(program.as_str()).display().to_string();
            }
        }
        self.workdir = Some(workdir);
    }
}

fn placeholders_in(element: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = element;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.push(&after[..close]);
        rest = &after[close + 1..];
    }
    found
}

/// Fills placeholders; a value that would read as an option (`-…`) or is empty is refused.
pub fn expand(argv: &[String], values: &Values) -> Result<Vec<String>, String> {
    argv.iter()
        .map(|element| {
            let mut out = element.clone();
            for name in placeholders_in(element) {
                let value = values.get(name);
                if value.is_empty() {
                    return Err(format!("{{{name}}} has no value for this command"));
                }
                if value.starts_with('-') || value.contains('\0') {
                    return Err(format!(
                        "{{{name}}} = {value:?} is not allowed (starts with '-')"
                    ));
                }
                out = out.replace(&format!("{{{name}}}"), value);
            }
            Ok(out)
        })
        .collect()
}
