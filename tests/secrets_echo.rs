//! A server that echoes the request's token in its 401 body (as some proxies and APIs do): the
//! token never reaches the screen, stdout, stderr, the log file or the ledger.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use flightdeck::model::fixtures::three_lanes;
use flightdeck::msg::Msg;
use flightdeck::providers::auth::{Secret, TokenSource};
use flightdeck::providers::cloudrun::CloudRunClient;
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const GOOGLE_TOKEN: &str = "ya29.echoed-google-token-0123456789";
const GITHUB_TOKEN: &str = "ghp_echoedGithubToken0123456789abcdef";
const PROBE_SECRET: &str = "probe-header-secret-0123456789";

/// Every request: 401 with the `Authorization` header in the body, in Google's and GitHub's shapes.
async fn echo(headers: HeaderMap) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = serde_json::json!({
        "message": format!("Bad credentials: {auth}"),
        "error": {"code": 401, "status": "UNAUTHENTICATED", "message": format!("invalid credentials: {auth}")},
    });
    (
        StatusCode::UNAUTHORIZED,
        [("content-type", "application/json")],
        body.to_string(),
    )
}

async fn start_echo() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(any(echo));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn profile(dir: &Path, addr: SocketAddr) -> std::path::PathBuf {
    let base = format!("http://{addr}");
    let text = format!(
        r#"[service]
name = "echo"
[ledger]
path = "{ledger}"
[pipeline]
base_url = "{base}"
owner = "o"
repo = "r"
workflow = "release.yml"
[[environments]]
name = "dev"
[environments.cloudrun]
base_url = "{base}"
auth = "google"
project = "p"
region = "r"
service = "s"
[[environments.probes]]
name = "health"
url = "{base}/health"
[environments.probes.headers]
Authorization = "Bearer {PROBE_SECRET}"
"#,
        ledger = dir.join("ledger.jsonl").display()
    );
    let path = dir.join("echo.toml");
    std::fs::write(&path, text).unwrap();
    path
}

struct Run {
    stdout: String,
    stderr: String,
}

async fn flightdeck(dir: &Path, profile: &Path, args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env("GOOGLE_OAUTH_ACCESS_TOKEN", GOOGLE_TOKEN)
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("FLIGHTDECK_LOG", dir.join("flightdeck.log"))
        .env("FLIGHTDECK_LOG_LEVEL", "trace")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("flightdeck answered within a minute")
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_clean(place: &str, text: &str) {
    for secret in [GOOGLE_TOKEN, GITHUB_TOKEN, PROBE_SECRET, "echoed"] {
        assert!(!text.contains(secret), "{place} shows `{secret}`:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_token_never_reaches_stdout_stderr_log_or_ledger() {
    let addr = start_echo().await;
    let dir = tempfile::tempdir().unwrap();
    let profile = profile(dir.path(), addr);
    let mut said = String::new();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["trigger", "1.2.0", "--via", "github", "--yes"],
        &["trigger", "1.2.0", "--via", "github", "--yes", "--json"],
        &["rollback", "dev", "--yes"],
    ] {
        let run = flightdeck(dir.path(), &profile, args).await;
        assert_clean(&format!("stdout of {args:?}"), &run.stdout);
        assert_clean(&format!("stderr of {args:?}"), &run.stderr);
        said.push_str(&run.stdout);
        said.push_str(&run.stderr);
    }
    // The 401s were answered and reported: the test is not passing because nothing was sent.
    assert!(
        said.contains("401"),
        "the 401 answers were reported:\n{said}"
    );
    assert!(
        said.contains("<redacted>"),
        "echoed tokens were masked:\n{said}"
    );
    let ledger = std::fs::read_to_string(dir.path().join("ledger.jsonl")).unwrap_or_default();
    assert!(
        ledger.contains("401"),
        "the failed trigger is in the ledger:\n{ledger}"
    );
    assert_clean("the ledger", &ledger);
    let log = std::fs::read_to_string(dir.path().join("flightdeck.log")).unwrap_or_default();
    assert_clean("the log", &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_token_never_reaches_the_screen() {
    let addr = start_echo().await;
    let token = TokenSource::Static(Secret::new(GOOGLE_TOKEN));
    let client = CloudRunClient::new(reqwest::Client::new(), &format!("http://{addr}"), token);
    let error = client
        .fetch_state("projects/p/locations/r/services/s")
        .await
        .expect_err("the echo server refuses")
        .to_string();
    assert!(error.contains("401"), "{error}");
    let mut model = three_lanes(1);
    let at = model.now;
    flightdeck::update::update(
        &mut model,
        Msg::LaneFetched {
            lane: 0,
            at,
            result: Err(error),
        },
    );
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).unwrap();
    terminal.draw(|frame| ui::view(&model, &ui, frame)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("401"), "the error is on screen:\n{screen}");
    assert_clean("the screen", &screen);
}
