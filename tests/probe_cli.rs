//! `flightdeck probe`: output and monitoring-plugin exit codes (0 pass, 1 warn, 2 fail, 3 unknown).

mod probe_support;

use std::time::Duration;

use flightdeck::cli::probe::{ProbeArgs, run_probe_cli_to};
use flightdeck::probes::ProbeFormat;
use probe_support::{Behaviour, fixture, serve};

fn args(url: String) -> ProbeArgs {
    ProbeArgs {
        url,
        format: ProbeFormat::Auto,
        timeout: Duration::from_millis(2000),
        json: false,
        headers: Vec::new(),
        method: "GET".into(),
        expect_status: None,
    }
}

async fn run(a: ProbeArgs) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_probe_cli_to(a, &mut out, &mut err).await;
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[tokio::test]
async fn exit_codes_follow_the_plugin_convention() {
    let server = serve(vec![
        (
            "/pass",
            Behaviour::Respond {
                status: 200,
                content_type: "application/health+json",
                body: fixture("ietf_pass.json"),
            },
        ),
        (
            "/warn",
            Behaviour::Respond {
                status: 200,
                content_type: "application/health+json",
                body: fixture("ietf_warn.json"),
            },
        ),
        (
            "/fail",
            Behaviour::Respond {
                status: 500,
                content_type: "text/plain",
                body: fixture("k8s_readyz_fail.txt"),
            },
        ),
        ("/hang", Behaviour::Hang),
    ])
    .await;
    let (code, out, _) = run(args(server.url("/pass"))).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("PASS http://127.0.0.1:"), "{out}");
    assert!(
        out.contains("HTTP 200") && out.contains("format=ietf"),
        "{out}"
    );
    assert!(
        out.contains("  PASS cassandra:responseTime: datastore, 25 ms"),
        "{out}"
    );

    let (code, out, _) = run(args(server.url("/warn"))).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("  WARN cpu:utilization [6fd416e0]: system, 85 percent"),
        "{out}"
    );

    let (code, out, _) = run(args(server.url("/fail"))).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("  FAIL etcd: reason withheld"), "{out}");

    let mut hang = args(server.url("/hang"));
    hang.timeout = Duration::from_millis(200);
    let (code, out, _) = run(hang).await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("no response") && out.contains("timeout after 200 ms"),
        "{out}"
    );
}

#[tokio::test]
async fn json_output_is_one_object() {
    let server = serve(vec![(
        "/health",
        Behaviour::Respond {
            status: 503,
            content_type: "application/json",
            body: fixture("fastapi_503.json"),
        },
    )])
    .await;
    let mut a = args(server.url("/health?token=abc"));
    a.json = true;
    a.headers = vec!["Authorization: Bearer s3cret".into()];
    let (code, out, _) = run(a).await;
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["exit_code"], 2);
    assert_eq!(v["http_status"], 503);
    assert_eq!(v["format"], "json");
    assert_eq!(v["checks"][0]["name"], "database");
    assert!(v["latency_ms"].is_number());
    assert!(
        !out.contains("s3cret") && !out.contains("token=abc"),
        "{out}"
    );
}

#[tokio::test]
async fn usage_errors_exit_3() {
    let (code, _, err) = run(args("not a url".into())).await;
    assert_eq!(code, 3);
    assert!(err.contains("invalid URL"), "{err}");
    let (code, _, err) = run(args("ftp://127.0.0.1/health".into())).await;
    assert_eq!(code, 3, "{err}");
    let mut a = args("http://127.0.0.1:9/health".into());
    a.headers = vec!["NoColonHere".into()];
    let (code, _, err) = run(a).await;
    assert_eq!(code, 3);
    assert!(err.contains("Name: value"), "{err}");
}

/// A stdout whose reader went away (`flightdeck probe URL | head -c 0`).
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[tokio::test]
async fn a_closed_pipe_keeps_the_verdict_as_the_exit_code() {
    let server = serve(vec![(
        "/fail",
        Behaviour::Respond {
            status: 503,
            content_type: "text/plain",
            body: "down".into(),
        },
    )])
    .await;
    let mut err = Vec::new();
    let code = run_probe_cli_to(args(server.url("/fail")), &mut ClosedPipe, &mut err).await;
    assert_eq!(
        code, 2,
        "a failing probe read by `head -c 0` is still a failure, not unknown"
    );
}
