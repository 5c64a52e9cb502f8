//! Profiles and themes, valid and broken, with the exact messages a user reads.

use std::path::Path;
use std::process::Command;

use flightdeck::config::{Profile, ThemeSpec};

fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

fn profile_error(name: &str) -> String {
    Profile::load_file(Path::new(&fixture(name)))
        .unwrap_err()
        .to_string()
}

#[test]
fn a_valid_profile_loads_with_its_lanes_in_order() {
    let profile = Profile::load_file(Path::new(&fixture("profiles/valid.toml"))).unwrap();
    assert_eq!(profile.name, "valid");
    let names: Vec<&str> = profile
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "prod"]);
    assert_eq!(
        profile.environments[1].canary.as_ref().unwrap().steps,
        [5, 25, 100]
    );
    assert_eq!(profile.poll.interval_secs, 2, "the default poll interval");
}

#[test]
fn broken_profiles_name_file_line_and_field() {
    let table = [
        (
            "profiles/unknown_field.toml",
            "tests/fixtures/profiles/unknown_field.toml:8:1: unknown field `regoin`, expected one of `base_url`, `project`, `region`, `service`, `auth`",
        ),
        (
            "profiles/wrong_type.toml",
            "tests/fixtures/profiles/wrong_type.toml:5:17: `interval_secs`: invalid type: string \"five\", expected u64",
        ),
        (
            "profiles/duplicate_env.toml",
            "tests/fixtures/profiles/duplicate_env.toml:12:1: environments: `dev` is listed twice\n  hint: environment names must be unique: they name the lanes",
        ),
        (
            "profiles/no_provider.toml",
            "tests/fixtures/profiles/no_provider.toml:5:1: environments.dev: no provider\n  hint: add one of [environments.cloudrun] (project, region, service), [environments.clouddeploy] (project, region, pipeline, target) or [environments.script] (status, trigger, promote, rollback)",
        ),
        (
            "profiles/bad_canary.toml",
            "tests/fixtures/profiles/bad_canary.toml:11:1: environments.prod.canary.steps: [50, 10] must rise from 1 to 100 and end at 100",
        ),
        (
            "profiles/not_toml.toml",
            "tests/fixtures/profiles/not_toml.toml:1:9: unclosed table, expected `]`",
        ),
    ];
    for (name, expected) in table {
        assert_eq!(profile_error(name), expected, "{name}");
    }
}

#[test]
fn a_missing_profile_says_where_it_looked() {
    let paths = flightdeck::config::Paths::discover();
    let error = Profile::resolve(&paths, "no-such-profile")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("no-such-profile: no profile named `no-such-profile`"),
        "{error}"
    );
    assert!(error.contains("hint: looked in"), "{error}");
}

#[test]
fn the_sandbox_profile_is_built_in_and_valid() {
    let profile = Profile::parse(
        Path::new("sandbox.toml"),
        flightdeck::config::profile::SANDBOX_PROFILE,
    )
    .unwrap();
    assert!(profile.sandbox.is_some());
    assert_eq!(profile.environments.len(), 3);
    let example = Profile::load_file(Path::new("profiles/cloudrun.example.toml")).unwrap();
    assert!(
        example.sandbox.is_none(),
        "the example points at a real project"
    );
}

#[test]
fn broken_themes_name_file_line_and_role() {
    let read = |name: &str| {
        let path = fixture(name);
        let text = std::fs::read_to_string(&path).unwrap();
        ThemeSpec::parse(Path::new(&path), &text)
            .unwrap_err()
            .to_string()
    };
    let bad_role = read("themes/bad_role.toml");
    assert!(
        bad_role.starts_with("tests/fixtures/themes/bad_role.toml:5:1: roles.passs: unknown role"),
        "{bad_role}"
    );
    assert!(
        bad_role.contains("hint: known roles: text, dim"),
        "{bad_role}"
    );
    let bad_color = read("themes/bad_color.toml");
    assert!(
        bad_color.starts_with("tests/fixtures/themes/bad_color.toml:4:"),
        "{bad_color}"
    );
    assert!(
        bad_color.contains("`greenish` is not a colour"),
        "{bad_color}"
    );
    assert!(bad_color.contains("hint: use a name (green"), "{bad_color}");
}

#[test]
fn a_broken_profile_stops_the_cockpit_before_the_terminal_is_touched() {
    let output = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["--profile", &fixture("profiles/unknown_field.toml")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output.stdout.is_empty(),
        "nothing (no escape sequence) went to the terminal"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("unknown_field.toml:8:1: unknown field `regoin`"),
        "{stderr}"
    );
}

#[test]
fn a_profile_that_is_not_utf8_is_located_at_its_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[service]\nname = \"caf\xe9\"\n").unwrap();
    let message = Profile::load_file(&path).unwrap_err().to_string();
    let expected = format!("{}:2:12: not UTF-8 text (byte 21)", path.display());
    assert!(message.starts_with(&expected), "{message}");
    assert!(message.contains("save the file as UTF-8"), "{message}");
    assert!(!message.contains("profile check"), "{message}");
}

#[test]
fn a_missing_profile_does_not_suggest_profile_check() {
    let message = Profile::load_file(Path::new("tests/fixtures/profiles/no-such.toml"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("cannot read profile"), "{message}");
    assert!(!message.contains("profile check"), "{message}");
}

/// `profile check`'s checks of values serde takes as plain strings or numbers, and of every enum:
/// each bad value is named with the line it is on and the values that are allowed.
#[test]
fn bad_values_are_refused_at_their_own_line_with_the_allowed_values() {
    let head = "[service]\nname = \"s\"\n[[environments]]\nname = \"dev\"\n[environments.cloudrun]\nproject = \"p\"\nregion = \"r\"\nservice = \"s\"\n";
    let window =
        |body: &str| format!("{head}[[environments.policy.freeze]]\nname = \"weekend\"\n{body}\n");
    let cases = [
        (
            window("timezone = \"Mars/Olympus_Mons\"\ndays = [\"Sat\"]"),
            "p.toml:11:12: environments.dev.policy.freeze `weekend`: unknown timezone `Mars/Olympus_Mons` (use an IANA name such as Europe/Berlin or UTC)",
        ),
        (
            window("days = [\"Sat\",\n  \"Sundy\"]"),
            "p.toml:12:3: environments.dev.policy.freeze `weekend`: day `Sundy` is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or Monday … Sunday)",
        ),
        (
            window("days = [\"Sat\"]\nstart = \"16:00\"\nend = \"25:00\""),
            "p.toml:13:7: environments.dev.policy.freeze `weekend`: end `25:00` is not a time of day (HH:MM, 00:00 to 23:59)",
        ),
        (
            window("from = \"2026-12-24 00:00\"\nuntil = \"Christmas\""),
            "p.toml:12:9: environments.dev.policy.freeze `weekend`: until `Christmas`",
        ),
        (
            head.replace("service = \"s\"\n", "service = \"s\"\nauth = \"gogle\"\n"),
            "p.toml:9:8: `auth`: unknown variant `gogle`, expected `google` or `none`",
        ),
        (
            format!("{head}[[environments.probes]]\nname = \"h\"\npath = \"/h\"\nformat = \"yml\"\n"),
            "p.toml:12:10: `format`: unknown variant `yml`, expected one of",
        ),
        (
            format!("{head}[[environments.probes]]\nname = \"h\"\npath = \"/h\"\nmethod = \"FETCH\"\n"),
            "method `FETCH` is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ),
        (
            format!("[poll]\ninterval_secs = 0\n{head}"),
            "p.toml:2:1: poll.interval_secs must be at least 1",
        ),
        (
            "[service]\nname = \"s\"\n[[environments]]\nname = \"dev\"\n[environments.clouddeploy]\nbase_url = \"ftp://deploy\"\nproject = \"p\"\nregion = \"r\"\npipeline = \"x\"\ntarget = \"dev\"\n".into(),
            "p.toml:6:13: environments.dev.clouddeploy.base_url: `ftp://deploy` must be an http:// or https:// URL with a host",
        ),
    ];
    for (text, expected) in cases {
        let error = Profile::parse(Path::new("p.toml"), &text)
            .expect_err(&text)
            .to_string();
        assert!(
            error.starts_with(expected)
                || (!expected.starts_with("p.toml")
                    && error.starts_with("p.toml:")
                    && error.contains(expected)),
            "{text}\n→ {error}\n≠ {expected}"
        );
    }
    // Full day names are documented synonyms (systemd's calendar habit), in any case.
    for days in ["[\"Monday\", \"fri\"]", "[\"SUNDAY\"]"] {
        let text = window(&format!("timezone = \"Europe/Berlin\"\ndays = {days}"));
        Profile::parse(Path::new("p.toml"), &text).unwrap_or_else(|e| panic!("{days}: {e}"));
    }
}
