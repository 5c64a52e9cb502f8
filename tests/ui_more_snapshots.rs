//! Probes, their details, and the command prompts and canary countdown, as a user sees them.

use chrono::Duration;
use flightdeck::commands::outcome::{Outcome, Status};
use flightdeck::model::command_plan::{CommandPlan, Outgoing, RolloutPlan};
use flightdeck::model::fixtures::{clock, open_question, three_lanes};
use flightdeck::model::probes::Probes;
use flightdeck::model::{Model, Overlay, Pane};
use flightdeck::msg::{Action, Cmd, Msg};
use flightdeck::policy::{CommandKind, EnvPolicy, Gate, Refusal};
use flightdeck::probes::{
    CheckDetail, Health, ProbeFormat, ProbeId, ProbeOutcome, ProbeReport, ProbeSpec,
};
use flightdeck::ui::prompt::PromptEditor;
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model, width: u16, height: u16) -> String {
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            ui::view(model, &ui, frame);
            if let Overlay::Prompt(prompt) = &model.overlay {
                let mut editor = PromptEditor::new(prompt);
                editor.render(prompt, &ui, frame, ui::prompt::area(prompt, frame.area()));
            }
        })
        .unwrap();
    terminal.backend().to_string()
}

fn spec(name: &str, path: &str) -> ProbeSpec {
    toml::from_str(&format!(
        "name = \"{name}\"\npath = \"{path}\"\ninterval_secs = 2\nfailure_threshold = 3"
    ))
    .unwrap()
}

fn report(lane: &str, name: &str, secs: i64, ms: u64, pass: bool) -> Msg {
    let checks = vec![
        CheckDetail {
            name: "database".into(),
            status: if pass { Health::Pass } else { Health::Fail },
            message: (!pass).then(|| "connection pool exhausted".into()),
        },
        CheckDetail {
            name: "pubsub".into(),
            status: Health::Pass,
            message: None,
        },
    ];
    let outcome = ProbeOutcome {
        http_status: Some(if pass { 200 } else { 503 }),
        latency: std::time::Duration::from_millis(ms),
        status: if pass { Health::Pass } else { Health::Fail },
        format: Some(ProbeFormat::Json),
        checks,
        reason: (!pass).then(|| "HTTP 503; body says unhealthy".to_string()),
        body: if pass {
            r#"{"status":"healthy"}"#.into()
        } else {
            r#"{"detail":{"status":"unhealthy","checks":{"database":{"status":"unhealthy","error":"connection pool exhausted"}}}}"#.into()
        },
    };
    Msg::ProbeReport(Box::new(ProbeReport {
        id: ProbeId::new(lane, name),
        at: clock() + Duration::seconds(secs),
        outcome,
    }))
}

/// prod's canary revision fails 1 in 4: the health probe flaps (warn); staging is green.
fn probed() -> Model {
    let mut model = three_lanes(1);
    let specs = [spec("health", "/health"), spec("readiness", "/readiness")];
    model.probes = Probes::from_profile([
        ("dev", &specs[..0]),
        ("staging", &specs[..]),
        ("prod", &specs[..1]),
    ]);
    for (i, ms) in [12u64, 15, 11, 40, 13, 12].iter().enumerate() {
        update(
            &mut model,
            report("staging", "health", i as i64 - 6, *ms, true),
        );
        update(
            &mut model,
            report("staging", "readiness", i as i64 - 6, *ms / 2, true),
        );
        update(
            &mut model,
            report("prod", "health", i as i64 - 6, *ms + 5, i != 3),
        );
    }
    model.focus = Pane::Probes;
    model.detail = Pane::Probes;
    model
}

#[test]
fn the_probe_pane_with_a_flapping_canary() {
    let text = screen(&probed(), 100, 26);
    assert!(text.contains("prod ▲ warn"), "{text}");
    assert!(text.contains("staging ✓ pass"), "{text}");
    assert!(
        text.contains("dev ?"),
        "a lane without probes is unknown, not green: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_probes_details_show_checks_and_the_raw_body() {
    let mut model = probed();
    update(&mut model, report("prod", "health", 1, 20, false));
    model.probes.cursor = 2;
    update(&mut model, Msg::Action(Action::Open));
    let text = screen(&model, 100, 30);
    assert!(text.contains("connection pool exhausted"), "{text}");
    assert!(
        text.contains("{\"detail\":{\"status\":\"unhealthy\""),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

/// `p` on prod (which asks for its name and a sign-off): the confirmation is open.
fn promoting() -> Model {
    let mut model = three_lanes(1);
    model.canary_steps = vec![Vec::new(), Vec::new(), vec![10, 50, 100]];
    model.canary_bake_secs = vec![0, 0, 60];
    model.policies[2] = EnvPolicy {
        confirm_by_name: true,
        require_signoff: true,
        ..Default::default()
    };
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::PromoteHere));
    model
}

/// The same, with prod's name typed: the command is on its way to the gates.
fn promoted() -> Model {
    let mut model = promoting();
    update(&mut model, Msg::PromptSubmitted("prod".into()));
    model
}

fn refused(gates: &[(Gate, &str)]) -> Msg {
    let mut outcome = Outcome::new(CommandKind::Promote, "prod", Status::Refused, "refused");
    outcome.refusals = gates
        .iter()
        .map(|(gate, message)| Refusal {
            gate: gate.clone(),
            message: (*message).into(),
        })
        .collect();
    Msg::CommandFinished(Box::new(outcome))
}

#[test]
fn prod_asks_to_type_its_name() {
    let model = promoting();
    let text = screen(&model, 100, 26);
    assert!(text.contains("Confirm: promote staging → prod"), "{text}");
    assert!(
        text.contains("now     1.4.0 · 00007-abc 90% + 1.4.2 · 00008-abc 10%"),
        "{text}"
    );
    assert!(
        text.contains("canary  10% → 50% → 100%, 60s bake"),
        "{text}"
    );
    assert!(text.contains("Type `prod` to go ahead."), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_confirmation_after_an_override_marks_the_gates_it_waives() {
    let mut model = promoted();
    update(
        &mut model,
        refused(&[(
            Gate::Signoff,
            "sign-off for `prod` is not GO (NO-GO: 9/32 signed); get the missing sign-offs, or override with a reason",
        )]),
    );
    update(
        &mut model,
        Msg::PromptSubmitted("INC-4411: the fix must ship tonight".into()),
    );
    let text = screen(&model, 100, 26);
    assert!(text.contains("overridden: “INC-4411"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_non_prod_lane_confirms_with_enter_at_80_columns() {
    let mut model = three_lanes(1);
    model.canary_steps = vec![Vec::new(), vec![50, 100], Vec::new()];
    model.canary_bake_secs = vec![0, 20, 0];
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::PromoteHere));
    let text = screen(&model, 80, 24);
    assert!(text.contains("Enter to go ahead"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_refusal_names_each_gate_and_what_clears_it() {
    let mut model = promoted();
    update(
        &mut model,
        refused(&[
            (
                Gate::Freeze,
                "freeze window `weekend` (Fri–Sun 16:00–23:59 America/New_York) is active until 2026-11-23 04:59 UTC; wait, or override with a reason",
            ),
            (
                Gate::TwoPerson,
                "two-person rule: alice must not be the only GO signer for `prod`; ask someone else to sign GO, or override with a reason",
            ),
        ]),
    );
    let text = screen(&model, 100, 26);
    assert!(text.contains("Refused: promote staging → prod"), "{text}");
    assert!(text.contains("freeze window `weekend`"), "{text}");
    assert!(text.contains("Type a reason to override"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_canary_steps_and_bake_countdown_under_the_lane() {
    let mut model = promoted();
    // The promote is planned, its gates pass, it is recorded as req-1, and the cockpit drives
    // the canary in its loop: deployed, 10 %, advanced to 50 %, baking 83 s.
    let plan = CommandPlan {
        question: Some(open_question(CommandKind::Promote, "prod", "1.4.2")),
        outcome: Outcome::new(CommandKind::Promote, "prod", Status::Done, ""),
        action: "promote".into(),
        detail: serde_json::json!({}),
        send: Outgoing::Rollout(RolloutPlan {
            from_revision: "00007-abc".into(),
            image: "app:1.4.2".into(),
            steps: vec![10, 50, 100],
            bake_secs: 83,
            auto_rollback_after: None,
            uri: None,
            health: None,
        }),
    };
    model.signoffs.loaded = true;
    let cmds = flightdeck::update::planned(&mut model, plan);
    assert!(
        matches!(cmds.as_slice(), [Cmd::RecordCommand(record)] if record.read_at == Some(0)),
        "{cmds:?}"
    );
    let recorded = Msg::CommandRecorded {
        env: "prod".into(),
        result: Ok("req-1".into()),
    };
    update(&mut model, recorded);
    let applied = |revision: Option<&str>| Msg::RolloutApplied {
        env: "prod".into(),
        result: Ok((revision.map(str::to_string), 1)),
    };
    update(&mut model, applied(Some("00009-new")));
    update(&mut model, applied(None));
    update(&mut model, Msg::Action(Action::Advance));
    update(&mut model, Msg::PromptSubmitted("prod".into()));
    update(&mut model, applied(None));
    model.now += Duration::seconds(8);
    let text = screen(&model, 100, 24);
    assert!(text.contains("▶ 10 → [50] → 100 bake 1m15s"), "{text}");
    update(&mut model, Msg::Action(Action::PauseResume));
    let paused = screen(&model, 100, 24);
    assert!(paused.contains("‖ 10 → [50] → 100 PAUSED"), "{paused}");
    assert!(
        !paused.contains("▶ 10 → [50]"),
        "no play symbol while paused:\n{paused}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_trigger_of_a_version_that_never_built_is_confirmed_with_a_warning() {
    let mut model = three_lanes(1);
    model.pipeline.configured = true;
    model.pipeline.built = vec!["1.5.1".into()];
    update(&mut model, Msg::Action(Action::Trigger));
    let offer = screen(&model, 100, 26);
    assert!(
        offer.contains("Built successfully or running: 1.5.1, 1.5.0, 1.4.2, 1.4.0"),
        "{offer}"
    );
    update(&mut model, Msg::PromptSubmitted("1.6.0".into()));
    let text = screen(&model, 100, 26);
    assert!(text.contains("Confirm: trigger 1.6.0"), "{text}");
    assert!(text.contains("1.6.0 never built here"), "{text}");
    assert!(text.contains("Enter to go ahead"), "{text}");
    insta::assert_snapshot!(text);
}

/// prod in depth: its revisions with who deployed them, the ledger's rollback and refused
/// promote between them, nothing after prod to compare with, and the links.
fn prod_in_depth(dir: &std::path::Path) -> Model {
    let mut model = flightdeck::model::fixtures::lanes_in_depth(dir);
    model.focus = Pane::Lanes;
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::NextLane));
    update(&mut model, Msg::Action(Action::Open));
    model
}

#[test]
fn a_lane_in_depth_at_120_columns() {
    let dir = tempfile::tempdir().unwrap();
    let model = prod_in_depth(dir.path());
    insta::assert_snapshot!(screen(&model, 120, 36));
}

#[test]
fn a_lane_in_depth_at_80_columns_scrolls_to_what_differs_and_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = prod_in_depth(dir.path());
    // staging, compared with prod; scrolled to the end.
    update(&mut model, Msg::Action(Action::Left));
    for _ in 0..40 {
        update(&mut model, Msg::Action(Action::Down));
    }
    let screen = screen(&model, 80, 24);
    // The secret's value is never known; the credential-looking plain value is never shown.
    assert!(!screen.contains("k-staging-0123456789") && !screen.contains("k-prod"));
    insta::assert_snapshot!(screen);
}
