//! Running one command of the script provider: no shell, output lines streamed, a timeout that
//! kills the whole process group, the exit code kept.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::script_values::{ScriptTarget, Values, expand};

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
