//! End to end in a real terminal: promote to prod from the cockpit, through the refusal, the
//! override reason and the typed confirmation, watching the canary steps advance; then a bad
//! revision rolled back by the auto-rollback guard. Bounded waits; loopback only.
//!
//! Run: `cargo test --test e2e_promote`.

#[path = "support/tmux.rs"]
mod support;

use support::{Home, Sandbox, Tmux};

fn lanes_ready(screen: &str) -> bool {
    screen.matches("Ready").count() >= 3
}

/// The third lane card (prod) of a 100-column screen.
fn prod_card(screen: &str) -> String {
    screen
        .lines()
        .skip(1)
        .take_while(|r| !r.contains("Activity") && !r.contains("Build #"))
        .map(|r| r.chars().skip(66).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `flightdeck ARGS… COMMON…` headless; panics unless it exits 0.
fn headless(home: &Home, args: &[&str], common: &[&str]) {
    let out = std::process::Command::new(support::BIN)
        .args(args)
        .args(common)
        .env_clear()
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run flightdeck");
    assert!(
        out.status.success(),
        "flightdeck {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Promotes staging into prod from the cockpit, overriding the sign-off gates with a reason.
fn promote_prod_in_the_cockpit(tmux: &Tmux, reason: &str) {
    tmux.keys(&["]", "]", "p"]);
    tmux.wait_for(&[
        "Refused: promote staging → prod",
        "Type a reason to override",
    ]);
    tmux.type_text(reason);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&[
        "Confirm: promote staging → prod",
        "Type `prod` to go ahead.",
    ]);
    tmux.type_text("prod");
    tmux.keys(&["Enter"]);
}

#[test]
fn promote_to_prod_through_the_canary_then_a_bad_revision_is_rolled_back_by_the_guard() {
    if !support::available() {
        return;
    }
    let sandbox = Sandbox::start(200.0);
    let home = Home::new();
    let addr = sandbox.arg();
    // The sandbox profile with a short bake, so the three canary steps take seconds.
    let profile = home.path().join("fast-canary.toml");
    let text =
        flightdeck::config::profile::SANDBOX_PROFILE.replace("bake_secs = 30", "bake_secs = 3");
    std::fs::write(&profile, text).expect("write profile");
    let profile = profile.to_string_lossy().into_owned();
    let common = ["--profile", profile.as_str(), "--sandbox", addr.as_str()];
    headless(&home, &["trigger", "1.5.0", "--yes"], &common);
    headless(&home, &["promote", "dev", "staging", "--yes"], &common);

    let tmux = Tmux::cockpit("promote", 100, 30, &home.env(), &common);
    tmux.wait_until("three ready lanes", lanes_ready);
    promote_prod_in_the_cockpit(&tmux, "e2e: signed off on paper");
    tmux.wait_until("prod at the 10 % step", |s| {
        prod_card(s).contains("[10] → 50 → 100")
    });
    tmux.wait_until("prod at the 50 % step", |s| {
        prod_card(s).contains("10 → [50] → 100")
    });
    tmux.wait_until("prod done on 1.5.0", |s| {
        let prod = prod_card(s);
        prod.contains("1.5.0") && prod.contains("100%") && !prod.contains("→")
    });

    // A bad revision through dev and staging (its probes fail: the source gate is overridden).
    headless(&home, &["trigger", "9.9.9-bad", "--yes"], &common);
    let bad_on_purpose = [
        "promote",
        "dev",
        "staging",
        "--yes",
        "--override-reason",
        "e2e: bad on purpose",
    ];
    headless(&home, &bad_on_purpose, &common);
    tmux.wait_until("staging on the bad revision", |s| s.contains("9.9.9-bad"));
    promote_prod_in_the_cockpit(&tmux, "e2e: testing the guard");
    let screen = tmux.wait_until("the guard rolled prod back", |s| {
        s.contains("auto-rollback")
    });
    tmux.wait_until("prod back on 1.5.0 only", |s| {
        let prod = prod_card(s);
        prod.contains("1.5.0") && prod.contains("100%") && !prod.contains("9.9.9-bad")
    });
    // The outcome is recorded once the rollback has settled: wait for it, bounded.
    let path = home.path().join("data/flightdeck/ledger/fast-canary.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let ledger = loop {
        let text = std::fs::read_to_string(&path).expect("ledger");
        if text.contains("auto-rollback") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(
        ledger.contains("e2e: testing the guard"),
        "the override reason is in the ledger"
    );
    assert!(
        ledger.contains("auto-rollback"),
        "the guard's reason is in the ledger:\n{screen}"
    );
}
