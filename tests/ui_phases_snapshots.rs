//! The phases pane at several moments of a release run, as a user sees it.

use flightdeck::model::fixtures::{RunMoment, clock, pipeline, three_lanes};
use flightdeck::model::{Model, Pane};
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen_at(moment: RunMoment) -> String {
    let mut model: Model = three_lanes(1);
    model.pipeline.configured = true;
    model.pipeline.run = Some(pipeline(moment));
    model.pipeline.fetched_at = Some(clock());
    model.pipeline.budget = Some((4962, 5000));
    model.focus = Pane::Phases;
    model.detail = Pane::Phases;
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut terminal = Terminal::new(TestBackend::new(100, 26)).unwrap();
    terminal.draw(|frame| ui::view(&model, &ui, frame)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn queued() {
    let text = screen_at(RunMoment::Queued);
    assert_eq!(text.matches("· pending").count(), 10);
    insta::assert_snapshot!(text);
}

#[test]
fn running_phase_4_with_an_eta_corrected_by_observed_speed() {
    let text = screen_at(RunMoment::RunningPhase4);
    assert!(text.contains("▶ running   Test Suite Execution"), "{text}");
    assert!(text.contains("ETA "), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn failed_at_phase_6_says_why() {
    let text = screen_at(RunMoment::FailedAtPhase6);
    assert!(
        text.contains("✗ failed    HIPAA Compliance Verification"),
        "{text}"
    );
    assert!(
        text.contains("ended in failure at step \"Verify data privacy\""),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn waiting_for_approval_names_who_can_approve() {
    let text = screen_at(RunMoment::WaitingApproval);
    assert!(
        text.contains(
            "prod waits: you are not a required reviewer of prod (oncall-lead, team release-managers are)"
        ),
        "{text}"
    );
    assert!(text.contains("GitHub prod: awaits reviewer"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn done() {
    let text = screen_at(RunMoment::Done);
    assert_eq!(text.matches("✓ succeeded").count(), 10);
    assert!(
        text.contains("Build #17 · Release 1.5.0 · success"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
