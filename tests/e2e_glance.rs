//! End to end (issue #13, the cockpit at a glance): the binary in a real terminal (tmux). At
//! 160×48 the first screen shows phases, probes and prod's grid with no key pressed; a failed
//! build rings the bell (a BEL byte in what the cockpit wrote) and leaves a banner until `A`;
//! Enter on the failed phase shows its steps and the check run's annotations.
//! Every wait is bounded; skipped with a message when tmux is missing, unless `CI` is set.

#[path = "support/tmux.rs"]
mod support;

use support::{Home, Sandbox, Tmux, http};

#[test]
fn the_first_screen_at_160x48_shows_phases_probes_and_prods_grid() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("glance", 160, 48, &home.env(), &[]);
    let screen = tmux.wait_until("every pane with data", |s| {
        s.contains("Build #")
            && s.contains("prod/health")
            && s.contains("Sign-off prod")
            && s.contains("Activity")
            && s.matches("Ready").count() >= 3
    });
    assert!(
        screen.contains("dev needs no sign-off; showing prod"),
        "{screen}"
    );
    assert!(screen.contains("no sign-off needed"), "{screen}");
    assert!(screen.contains("NO-GO 0/32"), "prod's card:\n{screen}");
    // The default sandbox breathes: a release build is in progress from the first screen.
    let building = tmux.wait_for(&["Build #2", "▶ running"]);
    assert!(
        building.contains("1.4.3"),
        "the build's version:\n{building}"
    );
    assert!(
        !screen.contains("[Phases]"),
        "no tab bar at 160×48:\n{screen}"
    );
}

#[test]
fn a_failed_build_rings_the_bell_and_leaves_a_banner_until_acknowledged() {
    if !support::available() {
        return;
    }
    let sandbox = Sandbox::start(40.0);
    let home = Home::new();
    let tmux = Tmux::cockpit("bell", 160, 48, &home.env(), &["--sandbox", &sandbox.arg()]);
    tmux.wait_for(&["Build #1"]);
    // Everything the cockpit writes from now on, byte for byte.
    let raw = home.path().join("pane-output.bin");
    tmux.run(&[
        "pipe-pane",
        "-o",
        "-t",
        "e2e",
        &format!("cat >> {}", support::sh_quote(&raw.display().to_string())),
    ]);
    let (status, body) = http(
        sandbox.addr,
        "POST",
        "/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches",
        Some(r#"{"ref":"main","inputs":{"version":"1.6.0-fail-at-1"}}"#),
    )
    .expect("dispatch");
    assert!(status == 204 || status == 200, "dispatch: {status} {body}");
    let screen = tmux.wait_for(&["build #2 failed", "A: acknowledge"]);
    assert!(screen.contains("A acknowledge"), "footer:\n{screen}");
    wait_for_bytes(&raw, b"\x07", "a BEL byte");
    tmux.keys(&["A"]);
    tmux.wait_gone(&["A: acknowledge"]);
    // The failure in full: Tab to the phases (the failed one is selected), Enter.
    tmux.keys(&["Tab"]);
    tmux.wait_for(&["[Phases]"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(&[
        "Phase 1/10 · Environment Setup & Validation · failed",
        "Annotations (2)",
        "Process completed with exit code 1.",
    ]);
    assert!(screen.contains("fail_at_phase=1"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_gone(&["Annotations (2)"]);
}

#[test]
fn enter_on_a_signed_cell_shows_its_history() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("history", 160, 48, &home.env(), &[]);
    tmux.wait_for(&["Sign-off prod", "open"]);
    // Tab until the status bar names the Sign-off pane as focused.
    for _ in 0..5 {
        let last = tmux
            .screen()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        if last.contains("[Sign-off]") {
            break;
        }
        tmux.keys(&["Tab"]);
        tmux.wait_until("the focus to move", |s| {
            s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("") != last
        });
    }
    tmux.keys(&["n"]);
    tmux.wait_for(&["NO-GO on Components × Technical Lead: reason"]);
    tmux.type_text("smoke tests red");
    tmux.keys(&["Enter"]);
    tmux.type_text("see run 17");
    tmux.keys(&["C-s"]);
    tmux.wait_for(&["recorded seq"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(&["History: Components × Technical Lead (1 entries)"]);
    assert!(screen.contains("NO-GO by "), "{screen}");
    assert!(
        screen.contains("    smoke tests red"),
        "line breaks kept:\n{screen}"
    );
    assert!(
        screen.contains("    see run 17"),
        "line breaks kept:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_gone(&["History: Components"]);
}

#[test]
fn enter_on_prod_shows_its_history_and_links_as_text_and_osc_8() {
    if !support::available() {
        return;
    }
    let home = Home::new();
    let tmux = Tmux::cockpit("depth", 120, 36, &home.env(), &[]);
    tmux.wait_until("three lanes ready", |s| s.matches("Ready").count() >= 3);
    let raw = home.path().join("pane-output.bin");
    tmux.run(&[
        "pipe-pane",
        "-o",
        "-t",
        "e2e",
        &format!("cat >> {}", support::sh_quote(&raw.display().to_string())),
    ]);
    // The lanes pane has the focus at start: select prod, open it.
    tmux.keys(&["]", "]", "Enter"]);
    let screen = tmux.wait_for(&["prod in depth", "Revisions, newest first"]);
    assert!(
        screen.contains("not deployed by flightdeck"),
        "the sandbox's seeded revisions:\n{screen}"
    );
    assert!(
        screen.contains("prod is the last lane"),
        "nothing after prod:\n{screen}"
    );
    // The console URL is on screen as text (tmux 3.3 drops OSC 8), and was sent as a hyperlink.
    let screen = tmux.wait_for(&["https://console.cloud.google.com/run/detail/"]);
    assert!(screen.contains("clarity-backend-prod"), "{screen}");
    wait_for_bytes(&raw, b"\x1b]8;id=flightdeck-2-", "an OSC 8 hyperlink");
    tmux.keys(&["Escape"]);
    tmux.wait_gone(&["prod in depth"]);
}

/// Waits until the cockpit's raw output (tmux `pipe-pane` into `raw`) holds `needle`.
fn wait_for_bytes(raw: &std::path::Path, needle: &[u8], what: &str) {
    let deadline = std::time::Instant::now() + support::WAIT;
    while !std::fs::read(raw).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle)) {
        assert!(
            std::time::Instant::now() < deadline,
            "no {what} in the cockpit's output"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
