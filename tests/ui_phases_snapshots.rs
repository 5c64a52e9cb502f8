//! The phases pane at several moments of a release run, as a user sees it.

use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::fixtures_pipeline::{RunMoment, pipeline};
use flightdeck::model::lane::{DeployPhase, DeployRollout};
use flightdeck::model::{Model, Pane};
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen_at(moment: RunMoment) -> String {
    screen_of(moment, |_| {})
}

fn screen_of(moment: RunMoment, change: impl FnOnce(&mut Model)) -> String {
    let mut model: Model = three_lanes(1);
    model.pipeline.configured = true;
    model.pipeline.run = Some(pipeline(moment));
    model.pipeline.fetched_at = Some(clock());
    model.pipeline.budget = Some((4962, 5000));
    model.focus = Pane::Phases;
    model.detail = Pane::Phases;
    change(&mut model);
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

/// Release 1.5.0's rollout to prod with `phases`: (id, state, [deploy job, verify job]).
fn rollout(state: &str, phases: [(&str, &str, [&str; 2]); 3]) -> DeployRollout {
    DeployRollout {
        id: "rel-150-to-prod-0001".into(),
        version: "1.5.0".into(),
        state: state.into(),
        phases: phases
            .iter()
            .map(|(id, state, jobs)| DeployPhase {
                id: (*id).into(),
                state: (*state).into(),
                jobs: vec![
                    ("deploy".into(), jobs[0].into()),
                    ("verify".into(), jobs[1].into()),
                ],
            })
            .collect(),
        next_phase: None,
        failure: None,
    }
}

/// prod, selected, runs its releases through Cloud Deploy and `rollout` is its newest.
fn on_prod(model: &mut Model, rollout: DeployRollout) {
    model.selected_lane = 2;
    model.lanes[2].service.as_mut().unwrap().rollout = Some(rollout);
}

#[test]
fn a_cloud_deploy_lane_shows_its_rollout_phases_and_jobs() {
    let text = screen_of(RunMoment::RunningPhase4, |model| {
        on_prod(
            model,
            DeployRollout {
                next_phase: Some("canary-50".into()),
                ..rollout(
                    "IN_PROGRESS",
                    [
                        ("canary-10", "SUCCEEDED", ["SUCCEEDED", "SUCCEEDED"]),
                        ("canary-50", "PENDING", ["PENDING", "PENDING"]),
                        ("stable", "PENDING", ["PENDING", "PENDING"]),
                    ],
                )
            },
        );
    });
    assert!(
        text.contains("prod · rollout rel-150-to-prod-0001 · 1.5.0 · in progress"),
        "{text}"
    );
    assert!(
        text.contains("✓ succeeded    canary-10    · ✓ deploy succeeded · ✓ verify succeeded"),
        "{text}"
    );
    assert!(
        text.contains("waits to advance to canary-50: a advances · x cancels"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_selected_phase_is_marked_and_the_list_scrolls_to_it() {
    let text = screen_of(RunMoment::RunningPhase4, |model| {
        model.pipeline.selection.cursor = Some(8);
    });
    assert!(
        text.contains("▸· pending   Production Deployment"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn enter_on_a_failed_phase_shows_its_steps_and_its_failure_in_full() {
    use flightdeck::model::Overlay;
    use flightdeck::model::phase_detail::{Annotation, Annotations};
    let text = screen_of(RunMoment::FailedAtPhase6, |model| {
        let run = model.pipeline.run.as_ref().unwrap();
        let id = run.phases[5].check_run_id.unwrap();
        let annotations = vec![
            Annotation {
                level: "failure".into(),
                title: Some("Verify data privacy".into()),
                message: "HIPAA Compliance Verification failed: 3 log lines carry a patient \
                          identifier (MRN) in plain text; the release stops here until they are \
                          masked"
                    .into(),
                path: "release.sh".into(),
                start_line: 42,
                end_line: 44,
                raw_details: Some("logs/api.log:118\nlogs/api.log:242".into()),
            },
            Annotation {
                level: "failure".into(),
                title: None,
                message: "Process completed with exit code 1.".into(),
                path: ".github".into(),
                start_line: 1,
                end_line: 1,
                raw_details: None,
            },
        ];
        model
            .pipeline
            .selection
            .annotations
            .insert(id, Annotations::Loaded(annotations));
        model.overlay = Overlay::PhaseDetail(5);
    });
    for expected in [
        "Phase 6/10 · HIPAA Compliance Verification · failed",
        "✓  1  Set up job",
        "✗  3  Verify data privacy",
        "ended in failure at step 3 \"Verify data privacy\" (failure)",
        "Annotations (2)",
        "release.sh:42-44  Verify data privacy",
        "logs/api.log:242",
        "Process completed with exit code 1.",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn enter_on_a_failed_cloud_deploy_phase_shows_its_jobs_and_the_reason_in_full() {
    use flightdeck::model::Overlay;
    let text = screen_of(RunMoment::Done, |model| {
        on_prod(
            model,
            DeployRollout {
                failure: Some(
                    "phase canary-50 failed: the verify job failed: 3 of 20 smoke requests to \
                     /api/v1/patients answered 503 within the 5m verification window\n\
                     see jobRuns/verify-canary-50-0001 for the Cloud Build log"
                        .into(),
                ),
                ..rollout(
                    "FAILED",
                    [
                        ("canary-10", "SUCCEEDED", ["SUCCEEDED", "SUCCEEDED"]),
                        ("canary-50", "FAILED", ["SUCCEEDED", "FAILED"]),
                        ("stable", "PENDING", ["PENDING", "PENDING"]),
                    ],
                )
            },
        );
        model.overlay = Overlay::DeployPhaseDetail(1);
    });
    for expected in [
        "prod · rollout rel-150-to-prod-0001 · phase 2/3 · canary-50 · failed",
        "✓ deploy     succeeded",
        "✗ verify     failed",
        "Why the rollout failed",
        "see jobRuns/verify-canary-50-0001 for the Cloud Build log",
        "`flightdeck clouddeploy retry prod` runs it again",
        "Esc/q close",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    insta::assert_snapshot!(text);
}
