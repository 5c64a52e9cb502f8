//! End to end (issue #7): the release binary in a real terminal (a detached tmux session of its
//! own per test), typed keys, the screen read back. Every wait is bounded (`support::WAIT`); no
//! network but loopback. Skipped with a message when tmux is missing, unless `CI` is set.
//!
//! Run: `cargo test --test e2e_tmux`.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/tmux.rs"]
mod support;

use support::{Home, Sandbox, Tmux, account, http, with_env};

const LANES: [&str; 3] = ["dev", "staging", "prod"];

/// All three lane cards have data: three `Ready`s (`✓ Ready`, or `v Ready` in ASCII).
fn lanes_ready(screen: &str) -> bool {
    screen.matches("Ready").count() >= 3 && LANES.iter().all(|lane| screen.contains(lane))
}

/// The status bar's first keys (the last row of the screen), unless a notice replaced it.
fn status_bar_shows(screen: &str) -> bool {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|last| last.contains("q quit") && last.contains("? help"))
}

/// Presses Tab until the status bar names `pane` as focused (`[Sign-off]`, …); at most a round.
fn focus(tmux: &Tmux, pane: &str) -> String {
    let tag = format!("[{pane}]");
    for _ in 0..8 {
        let screen = tmux.screen();
        if screen
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.contains(&tag))
        {
            return screen;
        }
        let before = screen
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        tmux.keys(&["Tab"]);
        tmux.wait_until("the focus to move", |s| {
            s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("") != before
        });
    }
    tmux.wait_for(&[&tag])
}

#[test]
fn three_lanes_appear_and_help_opens_and_closes() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("lanes", 100, 30, &home.env(), &[]);
    let screen = tmux.wait_until("three ready lanes", lanes_ready);
    assert!(screen.contains("clarity-backend"), "header:\n{screen}");
    assert!(screen.contains("UTC"), "header clock:\n{screen}");
    assert!(status_bar_shows(&screen), "status bar:\n{screen}");

    tmux.keys(&["?"]);
    // The overlay and the status bar are one frame, but tmux may be captured between the two.
    let help = tmux.wait_for(&["Help", "quit (the terminal is restored)", "Esc/q close"]);
    assert!(help.contains("Esc/q close"), "help status bar:\n{help}");
    tmux.keys(&["Escape"]);
    tmux.wait_gone(&["quit (the terminal is restored)"]);
    tmux.wait_until("lanes after help", lanes_ready);
}

#[test]
fn build_phases_show_the_seeded_run_and_a_dispatched_run_moves() {
    if !support::available() {
        return;
    }
    // Fast simulated time: the first phase (5 simulated minutes) lasts 7.5 s.
    let sandbox = Sandbox::start(40.0);
    let home = Home::new();
    let tmux = Tmux::cockpit(
        "phases",
        100,
        30,
        &home.env(),
        &["--sandbox", &sandbox.arg()],
    );
    tmux.wait_until("three ready lanes", lanes_ready);
    focus(&tmux, "Phases");
    let screen = tmux.wait_for(&["Build #1", "succeeded", "Environment Setup"]);
    assert!(screen.contains("[Phases]"), "Phases focused:\n{screen}");

    let (status, body) = http(
        sandbox.addr,
        "POST",
        "/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches",
        Some(r#"{"ref":"main","inputs":{"version":"1.5.0"}}"#),
    )
    .expect("dispatch");
    assert!(status == 204 || status == 200, "dispatch: {status} {body}");
    let screen = tmux.wait_for(&["Build #2", "▶ running"]);
    let running = screen
        .lines()
        .find(|l| l.contains("▶ running"))
        .expect("a running row");
    // The phase name is what follows the state word on the row.
    let name = running
        .split("running")
        .nth(1)
        .and_then(|rest| rest.split("  ").map(str::trim).find(|s| !s.is_empty()))
        .expect("phase name")
        .to_string();
    tmux.wait_until(&format!("{name} to succeed"), |screen| {
        screen.contains("Build #2")
            && screen
                .lines()
                .any(|l| l.contains(&name) && l.contains("succeeded"))
    });
}

#[test]
fn prod_grid_is_signed_no_go_with_a_typed_multi_line_comment() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("signoff", 100, 30, &home.env(), &[]);
    tmux.wait_until("three ready lanes", lanes_ready);
    focus(&tmux, "Sign-off");
    tmux.keys(&["]", "]"]);
    tmux.wait_until("the prod grid", |s| {
        s.contains("prod") && s.contains("open") && !s.contains("no release to sign yet")
    });
    tmux.keys(&["n"]);
    tmux.wait_for(&["Ctrl-S submit"]);
    tmux.type_text("canary error rate 2%");
    tmux.keys(&["Enter"]);
    tmux.type_text("roll back first");
    tmux.keys(&["C-s"]);
    let who = account();
    let screen = tmux.wait_for(&[&format!("NO-GO {who}"), "recorded seq"]);
    assert!(screen.contains("recorded seq 1"), "first entry:\n{screen}");

    // What the screen said is on disk: one sign-off entry with both lines of the comment.
    let ledger = std::fs::read_to_string(home.ledger()).expect("ledger file");
    let entry: serde_json::Value =
        serde_json::from_str(ledger.lines().next().expect("one line")).expect("entry JSON");
    assert_eq!(entry["kind"], "signoff");
    assert_eq!(entry["payload"]["env"], "prod");
    assert_eq!(entry["payload"]["decision"], "no_go");
    assert_eq!(
        entry["payload"]["comment"],
        "canary error rate 2%\nroll back first"
    );
    assert_eq!(entry["actor"]["account"], who.as_str());
}

#[test]
fn resize_to_80x24_and_back_keeps_lanes_and_status_bar() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("resize", 100, 30, &home.env(), &[]);
    tmux.wait_until("three ready lanes", lanes_ready);
    for (width, height) in [(80u16, 24u16), (100, 30)] {
        tmux.resize(width, height);
        // The pane changes size at once; the cockpit's frame follows: lanes, status bar on the
        // last row, and the body's border as wide as the pane.
        tmux.wait_until(&format!("a {width}x{height} frame"), |s| {
            let rows: Vec<&str> = s.lines().collect();
            lanes_ready(s)
                && rows.len() == usize::from(height)
                && status_bar_shows(s)
                && rows.iter().map(|l| l.chars().count()).max() == Some(usize::from(width))
                && rows[rows.len() - 2].chars().count() == usize::from(width)
        });
    }
}

#[test]
fn q_gives_the_terminal_back() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let stty = home.path().join("stty.txt");
    let script = format!(
        "{bin}; code=$?; stty -a > {stty}; echo \"after-quit exit=$code\"; exec sleep 60",
        bin = support::sh_quote(support::BIN),
        stty = support::sh_quote(&stty.display().to_string()),
    );
    let tmux = Tmux::start("quit", 100, 30, &home.env(), &script);
    tmux.wait_until("three ready lanes", lanes_ready);
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "cockpit on the alternate screen"
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["after-quit exit=0"]);
    assert!(
        !screen.contains("Ready"),
        "primary screen is back:\n{screen}"
    );
    assert_eq!(
        tmux.display("#{alternate_on} #{cursor_flag}"),
        "0 1",
        "primary screen, cursor visible"
    );
    let modes = std::fs::read_to_string(&stty).expect("stty -a output");
    let flags: Vec<&str> = modes.split_whitespace().collect();
    for flag in ["echo", "icanon", "isig", "icrnl", "opost"] {
        assert!(
            flags.contains(&flag),
            "`{flag}` is off after quitting:\n{modes}"
        );
    }
}

/// The parameter lists of the SGR sequences (`ESC [ … m`) in a `capture-pane -e` screen.
fn sgr_params(screen: &str) -> Vec<Vec<u16>> {
    screen
        .split('\x1b')
        .filter_map(|seq| seq.strip_prefix('['))
        .filter_map(|seq| {
            let end = seq.find(|c: char| !c.is_ascii_digit() && c != ';')?;
            (seq[end..].starts_with('m')).then(|| {
                seq[..end]
                    .split(';')
                    .map(|p| p.parse().unwrap_or(0))
                    .collect()
            })
        })
        .collect()
}

/// The colours an SGR list sets: `(kind, value)` with kind `16` (a 30–37/40–47/90–97/100–107
/// code or a `38;5;N` index below 16), `256` (an index of 16 and up) or `rgb` (truecolor).
fn colours(params: &[u16]) -> Vec<(&'static str, u16)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < params.len() {
        match params[i] {
            38 | 48 | 58 => match params.get(i + 1) {
                Some(5) => {
                    let n = params.get(i + 2).copied().unwrap_or(0);
                    found.push((if n < 16 { "16" } else { "256" }, n));
                    i += 2;
                }
                Some(2) => {
                    found.push(("rgb", 0));
                    i += 4;
                }
                _ => {}
            },
            n @ (30..=37 | 40..=47 | 90..=97 | 100..=107) => found.push(("16", n)),
            _ => {}
        }
        i += 1;
    }
    found
}

#[test]
fn no_color_and_16_colour_xterm_use_no_rich_colours() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let xterm = with_env(home.env(), "TERM", "xterm");
    // Dark theme on a 16-colour terminal: colours, but only the 16 named ones. (crossterm writes
    // those as `38;5;N` with N < 16, which tmux keeps; a 256-colour index would be N >= 16.)
    let tmux = Tmux::cockpit("xterm16", 100, 30, &xterm, &[]);
    tmux.wait_until("three ready lanes", lanes_ready);
    let found: Vec<_> = sgr_params(&tmux.screen_with_escapes())
        .iter()
        .flat_map(|p| colours(p))
        .collect();
    assert!(!found.is_empty(), "the dark theme has colour");
    let rich: Vec<_> = found.iter().filter(|(kind, _)| *kind != "16").collect();
    assert!(rich.is_empty(), "beyond 16 colours: {rich:?}");
    drop(tmux);

    // NO_COLOR: monochrome, still legible (symbols and words), no colour at all.
    let mono = with_env(xterm, "NO_COLOR", "1");
    let tmux = Tmux::cockpit("nocolor", 100, 30, &mono, &[]);
    let screen = tmux.wait_until("three ready lanes", lanes_ready);
    assert!(screen.contains("✓ Ready"), "symbols stay:\n{screen}");
    let found: Vec<_> = sgr_params(&tmux.screen_with_escapes())
        .iter()
        .flat_map(|p| colours(p))
        .collect();
    assert!(found.is_empty(), "colour under NO_COLOR: {found:?}");
}

#[test]
fn lang_c_draws_ascii_only() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let env = with_env(with_env(home.env(), "LANG", "C"), "LC_ALL", "C");
    let tmux = Tmux::cockpit("ascii", 100, 30, &env, &[]);
    let screen = tmux.wait_until("three ready lanes", lanes_ready);
    let foreign: Vec<char> = screen.chars().filter(|c| !c.is_ascii()).collect();
    assert!(foreign.is_empty(), "non-ASCII {foreign:?} in:\n{screen}");
    assert!(screen.contains("+-"), "ASCII corners:\n{screen}");
    assert!(screen.contains('|'), "ASCII sides:\n{screen}");
    assert!(
        screen.contains("v Ready"),
        "ASCII pass symbol, unlike the corners:\n{screen}"
    );
    // The Phases pane (bars, phase symbols) and the help overlay are ASCII too; the default
    // sandbox breathes, so the build shown is the one in progress.
    focus(&tmux, "Phases");
    let phases = tmux.wait_for(&["Build #2", "> running"]);
    assert!(phases.is_ascii(), "non-ASCII in phases:\n{phases}");
    tmux.keys(&["?"]);
    let help = tmux.wait_for(&["quit (the terminal is restored)"]);
    assert!(help.is_ascii(), "non-ASCII in help:\n{help}");
}

#[test]
fn two_cockpits_on_one_ledger_see_each_others_sign_offs() {
    if !support::available() {
        return;
    }
    let sandbox = Sandbox::start(20.0);
    let home = Home::new(); // one XDG_DATA_HOME: one ledger, as on a shared bastion
    let addr = sandbox.arg();
    let args = ["--sandbox", addr.as_str()];
    let alice = Tmux::cockpit("alice", 100, 30, &home.env(), &args);
    let bob = Tmux::cockpit("bob", 100, 30, &home.env(), &args);
    for cockpit in [&alice, &bob] {
        cockpit.wait_until("three ready lanes", lanes_ready);
        focus(cockpit, "Sign-off");
        cockpit.keys(&["]", "]"]);
        cockpit.wait_until("the prod grid", |s| {
            s.contains("[Sign-off]") && s.contains("open") && !s.contains("no release to sign yet")
        });
    }
    let who = account();
    let go = format!("GO {who}");
    assert!(!bob.screen().contains(&go), "nothing signed yet");
    alice.keys(&["g"]);
    alice.wait_for(&[&go, "recorded seq 1"]);
    // Bob typed nothing: the entry reaches his screen through the shared ledger file.
    bob.wait_for(&[&go]);
}

#[test]
fn two_hosts_on_one_database_see_each_others_sign_offs_live() {
    if !support::available() {
        return;
    }
    let server = postgres::TempPostgres::start();
    server.create_db("hosts");
    let url = server.url("hosts");
    let sandbox = Sandbox::start(20.0);
    let addr = sandbox.arg();
    let args = ["--sandbox", addr.as_str()];
    // Two hosts: separate data and state directories, one ledger database.
    let homes = [Home::new(), Home::new()];
    let env = |home: &Home| with_env(home.env(), "FLIGHTDECK_LEDGER_URL", &url);
    let alice = Tmux::cockpit("pg-alice", 100, 30, &env(&homes[0]), &args);
    let bob = Tmux::cockpit("pg-bob", 100, 30, &env(&homes[1]), &args);
    for cockpit in [&alice, &bob] {
        cockpit.wait_until("three ready lanes", lanes_ready);
        focus(cockpit, "Sign-off");
        cockpit.keys(&["]", "]"]);
        cockpit.wait_until("the prod grid", |s| {
            s.contains("[Sign-off]") && s.contains("open") && !s.contains("no release to sign yet")
        });
    }
    let go = format!("GO {}", account());
    assert!(!bob.screen().contains(&go), "nothing signed yet");
    alice.keys(&["g"]);
    alice.wait_for(&[&go, "recorded seq 1"]);
    // Bob typed nothing and shares no file with alice: the row reaches him through the database.
    bob.wait_for(&[&go]);
    for home in &homes {
        assert!(!home.ledger().exists(), "no ledger file on either host");
    }
    let rows = server.psql("hosts", "SELECT count(*) FROM flightdeck_ledger");
    assert_eq!(rows.trim(), "1", "one sign-off, one row");
}

/// The `index`-th lane card (0 dev, 1 staging, 2 prod) of a 3-lane screen: its rows, cut to its columns.
fn card(screen: &str, index: usize) -> String {
    let rows: Vec<&str> = screen.lines().collect();
    let width = rows.first().map_or(0, |r| r.chars().count());
    let (from, to) = (width * index / 3, width * (index + 1) / 3);
    rows.iter()
        .skip(1)
        .take_while(|r| !r.contains("Activity") && !r.contains("Build #"))
        .map(|r| r.chars().skip(from).take(to - from).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `flightdeck ARGS…` headless, under `home`'s environment; panics unless it exits 0.
fn headless(home: &Home, args: &[&str]) -> String {
    let out = std::process::Command::new(support::BIN)
        .args(args)
        .env_clear()
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run flightdeck");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "flightdeck {args:?}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn trigger_and_rollback_from_the_cli_show_in_a_watching_cockpit() {
    if !support::available() {
        return;
    }
    // Fast simulated time: a Cloud Run deploy (60 simulated seconds) takes 1.5 s.
    let sandbox = Sandbox::start(40.0);
    let home = Home::new();
    let addr = sandbox.arg();
    let tmux = Tmux::cockpit("commands", 100, 30, &home.env(), &["--sandbox", &addr]);
    let screen = tmux.wait_until("three ready lanes", lanes_ready);
    let before = card(&screen, 0);
    assert!(!before.contains("1.9.0"), "dev before:\n{before}");

    headless(&home, &["trigger", "1.9.0", "--yes", "--sandbox", &addr]);
    tmux.wait_until("dev serving 1.9.0", |s| {
        let dev = card(s, 0);
        dev.contains("1.9.0") && dev.contains("100%") && dev.contains("Ready")
    });

    headless(&home, &["rollback", "dev", "--yes", "--sandbox", &addr]);
    tmux.wait_until("dev rolled back off 1.9.0", |s| {
        let dev = card(s, 0);
        !dev.contains("1.9.0") && dev.contains("100%") && dev.contains("Ready")
    });
    // Both commands are in the shared ledger, before and after; the trigger is a rollout (its
    // plan and its end are recorded between the command and its outcome), the rollback is not.
    let ledger = std::fs::read_to_string(home.ledger()).expect("ledger file");
    let kinds: Vec<String> = ledger
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("entry")["kind"].to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "\"command\"",
            "\"rollout\"",
            "\"rollout\"",
            "\"command_outcome\"",
            "\"command\"",
            "\"command_outcome\""
        ],
        "ledger:\n{ledger}"
    );
}
