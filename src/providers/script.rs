//! The script provider: a team's own commands for status, trigger, promote and rollback.
//!
//! Each command is an argv array run without a shell. Values reach it as environment variables
//! (`FLIGHTDECK_ENV`, `FLIGHTDECK_VERSION`, …) or through placeholders (`{version}`) that fill one
//! argv element each; nothing is ever re-parsed by a shell. A run has a timeout, after which its
//! whole process group is killed; its exit code decides the outcome. `status` prints JSON on
//! stdout ([`ScriptStatus`], documented in the README); other output lines are progress.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::model::lane::{Readiness, RevisionInfo, ServiceCondition, ServiceState, TrafficSlice};

/// The profile's `[environments.script]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptTarget {
    /// Prints the lane's state as JSON on stdout.
    pub status: Vec<String>,
    pub trigger: Option<Vec<String>>,
    pub promote: Option<Vec<String>>,
    pub rollback: Option<Vec<String>>,
    /// Limit of one trigger, promote or rollback run.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Limit of one status run.
    #[serde(default = "default_status_timeout")]
    pub status_timeout_secs: u64,
    /// Working directory (relative to the profile's directory); default the profile's directory.
    pub workdir: Option<PathBuf>,
    /// Extra environment variables for every run.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

fn default_timeout() -> u64 {
    900
}

fn default_status_timeout() -> u64 {
    30
}

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

    fn vars(&self, action: &str) -> Vec<(String, String)> {
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

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Killed by a signal (not ours).
    Signal,
    /// Past its timeout; the process group was killed.
    TimedOut(u64),
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub exit: Exit,
    /// Stdout when it is captured (status), else empty.
    pub stdout: String,
    /// The last lines of output, for the message when it fails.
    pub tail: Vec<String>,
}

impl RunResult {
    pub fn ok(&self) -> bool {
        self.exit == Exit::Code(0)
    }

    pub fn describe(&self) -> String {
        let how = match &self.exit {
            Exit::Code(0) => "succeeded".to_string(),
            Exit::Code(code) => format!("exited with code {code}"),
            Exit::Signal => "was killed by a signal".to_string(),
            Exit::TimedOut(secs) => {
                format!("timed out after {secs}s (its process group was killed)")
            }
        };
        match self.tail.last() {
            Some(last) if !self.ok() => format!("{how}: {last}"),
            _ => how,
        }
    }
}

/// Runs one command. Output lines go to `on_line` (stdout too, unless `capture_stdout`).
pub async fn run(
    target: &ScriptTarget,
    action: &str,
    argv: &[String],
    values: &Values,
    timeout: Duration,
    capture_stdout: bool,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Result<RunResult, String> {
    let argv = expand(argv, values)?;
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .envs(target.env.iter())
        .envs(values.vars(action))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(dir) = &target.workdir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let pid = child.id();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(bool, String)>();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(out).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send((true, line));
            }
        });
    }
    if let Some(err) = child.stderr.take() {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(err).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send((false, line));
            }
        });
    }
    drop(tx);
    let mut stdout = String::new();
    let mut tail: Vec<String> = Vec::new();
    let mut take = |from_stdout: bool, line: String| {
        if from_stdout && capture_stdout {
            stdout.push_str(&line);
            stdout.push('\n');
            return;
        }
        on_line(&line);
        if !line.trim().is_empty() {
            tail.push(line);
            if tail.len() > 5 {
                tail.remove(0);
            }
        }
    };
    let deadline = tokio::time::Instant::now() + timeout;
    let mut timed_out = false;
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some((from_stdout, line)) => take(from_stdout, line),
                None => break,
            },
            () = tokio::time::sleep_until(deadline) => {
                timed_out = true;
                break;
            }
        }
    }
    if timed_out {
        kill_group(pid);
        let _ = child.wait().await;
        return Ok(RunResult {
            exit: Exit::TimedOut(timeout.as_secs()),
            stdout,
            tail,
        });
    }
    // Output closed: the process (and whatever held its pipes) is done or about to be.
    let status = match tokio::time::timeout_at(deadline, child.wait()).await {
        Ok(status) => status.map_err(|e| format!("waiting for `{program}`: {e}"))?,
        Err(_) => {
            kill_group(pid);
            let _ = child.wait().await;
            return Ok(RunResult {
                exit: Exit::TimedOut(timeout.as_secs()),
                stdout,
                tail,
            });
        }
    };
    let exit = status.code().map_or(Exit::Signal, Exit::Code);
    Ok(RunResult { exit, stdout, tail })
}

/// Kills the process group the command leads (it and everything it started).
fn kill_group(pid: Option<u32>) {
    let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) else {
        return;
    };
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// What `status` prints on stdout (one JSON object).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptStatus {
    /// The version serving most traffic.
    pub version: String,
    pub revision: Option<String>,
    pub image: Option<String>,
    #[serde(default = "ready_default")]
    pub ready: bool,
    pub message: Option<String>,
    /// The service's URL (probes of the lane use it).
    pub url: Option<String>,
    #[serde(default)]
    pub traffic: Vec<StatusSlice>,
    #[serde(default)]
    pub revisions: Vec<StatusRevision>,
}

fn ready_default() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSlice {
    pub revision: String,
    pub version: Option<String>,
    pub percent: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRevision {
    pub name: String,
    pub version: Option<String>,
    pub image: Option<String>,
    #[serde(default = "ready_default")]
    pub ready: bool,
}

/// Runs `status` and reads its JSON; errors name the command and what is wrong.
pub async fn status(
    target: &ScriptTarget,
    env: &str,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Result<ServiceState, String> {
    let values = Values {
        env: env.into(),
        ..Values::default()
    };
    let timeout = Duration::from_secs(target.status_timeout_secs);
    let result = run(
        target,
        "status",
        &target.status,
        &values,
        timeout,
        true,
        on_line,
    )
    .await?;
    let program = target.status.first().map_or("", String::as_str);
    if !result.ok() {
        return Err(format!("status command `{program}` {}", result.describe()));
    }
    let parsed: ScriptStatus = serde_json::from_str(result.stdout.trim()).map_err(|e| {
        format!("status command `{program}` printed no valid status JSON ({e}); see the README's script provider schema")
    })?;
    Ok(service_state(env, &parsed))
}

pub fn service_state(env: &str, s: &ScriptStatus) -> ServiceState {
    let revision = s.revision.clone().unwrap_or_else(|| s.version.clone());
    let mut traffic: Vec<TrafficSlice> = s
        .traffic
        .iter()
        .map(|t| TrafficSlice {
            revision: t.revision.clone(),
            short: t.revision.clone(),
            version: t.version.clone().unwrap_or_else(|| t.revision.clone()),
            percent: t.percent.min(100),
            tag: None,
        })
        .collect();
    if traffic.is_empty() {
        traffic.push(TrafficSlice {
            revision: revision.clone(),
            short: revision.clone(),
            version: s.version.clone(),
            percent: 100,
            tag: None,
        });
    }
    traffic.sort_by_key(|t| std::cmp::Reverse(t.percent));
    let revisions = s
        .revisions
        .iter()
        .map(|r| RevisionInfo {
            name: r.name.clone(),
            short: r.name.clone(),
            version: r.version.clone().unwrap_or_default(),
            image: r.image.clone().unwrap_or_default(),
            created: None,
            ready: r.ready,
        })
        .collect();
    ServiceState {
        name: env.to_string(),
        uri: s.url.clone(),
        image: s.image.clone().unwrap_or_default(),
        generation: 0,
        observed_generation: 0,
        reconciling: false,
        condition: ServiceCondition {
            readiness: if s.ready {
                Readiness::Ready
            } else {
                Readiness::Failed
            },
            message: s.message.clone(),
            reason: None,
            warning: false,
        },
        traffic,
        latest_ready: Some(revision.clone()),
        latest_created: Some(revision),
        revisions,
    }
}
