//! `flightdeck status` for scripts (issue #13 item 8): text shows probe verdicts and sign-off
//! decisions; `--json` has a schema version, RFC 3339 timestamps to the second, traffic arrays.
//! Runs the real binary against a sandbox on loopback; needs no terminal.

#[path = "support/tmux.rs"]
mod support;

use support::{Home, Sandbox};

fn status(home: &Home, sandbox: &Sandbox, json: bool) -> String {
    let mut args = vec!["--sandbox".to_string(), sandbox.arg(), "status".into()];
    if json {
        args.push("--json".into());
    }
    let out = std::process::Command::new(support::BIN)
        .args(&args)
        .env_clear()
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run flightdeck");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "status: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn timestamps<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) if s.len() >= 19 && s.as_bytes()[10] == b'T' => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| timestamps(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| timestamps(v, out)),
        _ => {}
    }
}

#[test]
fn status_names_probe_verdicts_and_sign_off_decisions() {
    let sandbox = Sandbox::start(1.0);
    let home = Home::new();
    let text = status(&home, &sandbox, false);
    let line = |env: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(env))
            .unwrap_or_else(|| panic!("no {env} line:\n{text}"))
            .to_string()
    };
    assert!(line("dev").contains("probes pass"), "{text}");
    assert!(line("dev").contains("no sign-off needed"), "{text}");
    assert!(line("prod").contains("NO-GO 0/32 for "), "{text}");
    assert!(!home.ledger().exists(), "status writes no ledger");

    let json: serde_json::Value = serde_json::from_str(&status(&home, &sandbox, true)).unwrap();
    assert_eq!(json["schema_version"], 1);
    let lanes = json["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 3);
    for lane in lanes {
        assert!(lane["traffic"].is_array(), "{lane}");
        assert_eq!(lane["traffic"][0]["percent"], 100, "{lane}");
        assert_eq!(lane["probes"]["verdict"], "pass", "{lane}");
    }
    assert_eq!(lanes[0]["signoff"]["required"], false);
    assert_eq!(lanes[2]["signoff"]["decision"], "NO-GO");
    assert_eq!(lanes[2]["signoff"]["cells"], 32);
    let mut times = Vec::new();
    timestamps(&json, &mut times);
    assert!(times.len() >= 4, "{times:?}");
    for t in times {
        assert!(
            t.len() == 20 && t.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(t).is_ok(),
            "one precision, UTC: {t}"
        );
    }
}

/// The sandbox's APIs require a bearer token, as Google's do: a profile that sends none gets a
/// clear 401 (no token in sight); one with `require_auth` fetches tokens from the sandbox's
/// metadata server through Google's credential code and reads every lane.
#[test]
fn status_authenticates_through_the_metadata_server_when_the_api_requires_it() {
    let sandbox = Sandbox::start_with(1.0, &["--require-auth"]);
    let home = Home::new();
    let run = |args: &[&str]| {
        std::process::Command::new(support::BIN)
            .args(["--sandbox", &sandbox.arg()])
            .args(args)
            .env_clear()
            .envs(home.env())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run flightdeck")
    };
    let anonymous = run(&["status", "--json"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&anonymous.stdout),
        String::from_utf8_lossy(&anonymous.stderr)
    );
    assert!(
        said.contains("401") && said.contains("gcloud auth login"),
        "a missing token is named, with what to do:\n{said}"
    );
    let profile_dir = tempfile::tempdir().unwrap();
    let profile = profile_dir.path().join("authed.toml");
    let text = flightdeck::config::profile::SANDBOX_PROFILE.replacen(
        "[sandbox]\n",
        "[sandbox]\nrequire_auth = true\n",
        1,
    );
    std::fs::write(&profile, text).unwrap();
    let authed = run(&["--profile", profile.to_str().unwrap(), "status", "--json"]);
    let stdout = String::from_utf8_lossy(&authed.stdout);
    assert!(
        authed.status.success(),
        "{}\n{stdout}\n{}",
        authed.status,
        String::from_utf8_lossy(&authed.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let lanes = json["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 3);
    for lane in lanes {
        assert!(lane["version"].is_string(), "{lane}");
    }
    assert!(!stdout.contains("ya29"), "the token never shows");
}

/// A command's `--json` speaks the shapes `status --json` does: a schema version, traffic as an
/// array of the same slices, timestamps to the second.
#[test]
fn a_command_answers_in_the_same_json_shapes_as_status() {
    let sandbox = Sandbox::start(50.0);
    let home = Home::new();
    let out = std::process::Command::new(support::BIN)
        .args([
            "--sandbox",
            &sandbox.arg(),
            "rollback",
            "prod",
            "--yes",
            "--json",
        ])
        .env_clear()
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run flightdeck");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(outcome["schema_version"], 1, "{outcome}");
    let traffic = outcome["traffic"].as_array().expect("traffic is an array");
    let lane: serde_json::Value = serde_json::from_str(&status(&home, &sandbox, true)).unwrap();
    let prod = &lane["lanes"][2]["traffic"];
    assert_eq!(&outcome["traffic"], prod, "the same slices as status shows");
    let total: u64 = traffic.iter().filter_map(|s| s["percent"].as_u64()).sum();
    assert_eq!(total, 100, "{outcome}");
    assert!(traffic[0]["revision"].is_string() && traffic[0]["version"].is_string());
    let mut times = Vec::new();
    timestamps(&outcome, &mut times);
    for t in times {
        assert!(t.len() == 20 && t.ends_with('Z'), "one precision, UTC: {t}");
    }
}
