//! A real terminal for end-to-end tests: the release binary runs in a detached tmux session on a
//! socket of its own (so tests run in parallel), keys go in with `send-keys`, the screen comes
//! back with `capture-pane`. Every wait is a bounded poll of the screen, never a fixed sleep.
//! The tmux server (and every process in it) is killed when the [`Tmux`] is dropped, also when
//! the test panics; so is a [`Sandbox`] process.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary under test: built by cargo for this test target (`cargo test`).
pub const BIN: &str = env!("CARGO_BIN_EXE_flightdeck");

/// How long any one wait may take before the test fails with the screen it saw.
pub const WAIT: Duration = Duration::from_secs(30);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `true` when tmux can be used. Without tmux the test is skipped with a message, except under
/// `CI` (set and not `false`/`0`), where a missing tmux is a failure: CI must install it.
pub fn available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "tmux is not installed but CI is set: the end-to-end tests need it (apt-get install tmux)"
    );
    // Straight to the process's stderr: the test harness would swallow `eprintln!` of a passing test.
    let _ = std::io::stderr().write_all(
        b"SKIPPED: tmux is not installed; the end-to-end tests need it (apt-get install tmux)\n",
    );
    false
}

/// Single-quotes `s` for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A private set of XDG directories (config, data = ledger, state) and a scratch directory.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("flightdeck-e2e-")
            .tempdir()
            .expect("temp dir");
        for sub in ["config", "data", "state"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("xdg dir");
        }
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment every cockpit of a test gets: its XDG dirs, a UTF-8 locale, a 256-colour
    /// TERM, and nothing else inherited (no NO_COLOR, no FLIGHTDECK_* from the developer's shell).
    pub fn env(&self) -> Vec<(String, String)> {
        let p = |sub: &str| self.path().join(sub).display().to_string();
        vec![
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            ("HOME".into(), self.path().display().to_string()),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("LANG".into(), "C.UTF-8".into()),
            ("TERM".into(), "xterm-256color".into()),
        ]
    }

    /// The sandbox profile's ledger under this home.
    pub fn ledger(&self) -> PathBuf {
        self.path().join("data/flightdeck/ledger/sandbox.jsonl")
    }
}

/// `env` with `key` set to `value` (replacing it if present).
pub fn with_env(mut env: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != key);
    env.push((key.into(), value.into()));
    env
}

/// One detached tmux session running one command, on a tmux server of its own.
pub struct Tmux {
    socket: String,
    config: PathBuf,
    _config_dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `shell_command` (run by `sh -c`, under exactly `env`) in a `width`×`height` pane.
    pub fn start(
        name: &str,
        width: u16,
        height: u16,
        env: &[(String, String)],
        shell_command: &str,
    ) -> Tmux {
        let socket = format!(
            "fd-e2e-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let config_dir = tempfile::tempdir().expect("temp dir");
        let config = config_dir.path().join("tmux.conf");
        // No status line (the pane is the whole window), keep a dead pane on screen so a crash is
        // visible in the failure message, and never wait on Esc.
        std::fs::write(
            &config,
            "set -g status off\nset -g remain-on-exit on\nset -sg escape-time 0\n\
             set -g default-terminal xterm-256color\nset -g history-limit 100\n",
        )
        .expect("tmux config");
        let tmux = Tmux {
            socket,
            config,
            _config_dir: config_dir,
        };
        let mut line = String::from("exec env -i");
        for (key, value) in env {
            line.push(' ');
            line.push_str(&sh_quote(&format!("{key}={value}")));
        }
        line.push_str(" sh -c ");
        line.push_str(&sh_quote(shell_command));
        let size = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &size.0,
            "-y",
            &size.1,
            &line,
        ]);
        tmux
    }

    /// Starts the cockpit (`flightdeck ARGS…`) under `env`.
    pub fn cockpit(
        name: &str,
        width: u16,
        height: u16,
        env: &[(String, String)],
        args: &[&str],
    ) -> Tmux {
        let mut command = sh_quote(BIN);
        for arg in args {
            command.push(' ');
            command.push_str(&sh_quote(arg));
        }
        Tmux::start(name, width, height, env, &format!("exec {command}"))
    }

    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        // -u: the server handles UTF-8 whatever the test process's locale (CI may have none).
        command
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg(&self.config)
            .env("LANG", "C.UTF-8")
            .env_remove("TMUX");
        command
    }

    fn try_run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// Runs a tmux command on this server; panics (with tmux's words) when it fails.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.try_run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Tab`, `Escape`, `C-s`, `]`, `Enter`…), one after the other.
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "e2e", key]);
        }
    }

    /// Text typed as is (`send-keys -l`).
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
    }

    /// The screen as plain text, one line per row.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    pub fn screen_with_escapes(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "e2e"])
    }

    /// A tmux format evaluated for the pane, e.g. `#{alternate_on} #{cursor_flag}`.
    pub fn display(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", format])
            .trim()
            .to_string()
    }

    pub fn resize(&self, width: u16, height: u16) {
        self.run(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Polls the screen every 50 ms until `ok` holds; panics with the last screen after `WAIT`.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!(
                    "waited {WAIT:?} for {what}; the screen was:\n{screen}\n(pane dead: {})",
                    self.display("#{pane_dead} #{pane_dead_status}")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until every one of `needles` is on the screen.
    pub fn wait_for(&self, needles: &[&str]) -> String {
        self.wait_until(&format!("{needles:?}"), |screen| {
            needles.iter().all(|n| screen.contains(n))
        })
    }

    /// Waits until none of `needles` is on the screen.
    pub fn wait_gone(&self, needles: &[&str]) -> String {
        self.wait_until(&format!("{needles:?} to go"), |screen| {
            needles.iter().all(|n| !screen.contains(n))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Kills the session's processes (SIGHUP) and the server; the socket file goes with it.
        let _ = self.try_run(&["kill-server"]);
    }
}

/// A `flightdeck sandbox` process on a free loopback port, shared by the cockpits of one test.
pub struct Sandbox {
    pub addr: SocketAddr,
    child: Child,
}

impl Sandbox {
    pub fn start(speed: f64) -> Sandbox {
        Sandbox::start_with(speed, &[])
    }

    /// A sandbox with more `flightdeck sandbox` options, e.g. `--require-auth`.
    pub fn start_with(speed: f64, options: &[&str]) -> Sandbox {
        // Ask the kernel for a free port, then hand it over (a short race, retried below).
        for _ in 0..5 {
            let addr = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port");
            let child = Command::new(BIN)
                .args(["sandbox", "--addr", &addr.to_string(), "--speed"])
                .arg(speed.to_string())
                .args(options)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn flightdeck sandbox");
            let mut sandbox = Sandbox { addr, child };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if sandbox.child.try_wait().ok().flatten().is_some() {
                    break; // lost the port race: try another
                }
                if http(addr, "GET", "/_sandbox", None).is_ok_and(|(status, _)| status == 200) {
                    return sandbox;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            let _ = sandbox.child.kill();
        }
        panic!("flightdeck sandbox did not start on loopback");
    }

    pub fn arg(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request over loopback: `(status, body)`.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json_body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let body = json_body.unwrap_or("");
    // GitHub (and so the sandbox) refuses a mutation without a token.
    let auth = if path.starts_with("/repos/") {
        "Authorization: Bearer flightdeck-e2e\r\n"
    } else {
        ""
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: flightdeck-e2e\r\n\
         Accept: application/json\r\nContent-Type: application/json\r\n{auth}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

/// The operating-system account the tests run as (what the ledger records as the signer).
pub fn account() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
