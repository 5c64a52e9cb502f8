//! A full 200×60 frame with every pane full: three lanes, 500 activity entries, the ten build
//! phases of a run in flight, a sign-off grid with signatures and comments. Budget: ≤ 1 ms.
//!
//! Measured: `Terminal::draw` on a `TestBackend` = `ui::view` into a fresh buffer, the diff
//! against the previous frame, and writing the changed cells to the (in-memory) backend.
//! `cargo bench --bench frame_render`.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use flightdeck::ledger::{Actor, Decision, Entry, Ledger, Payload};
use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::pipeline::{Phase, PhaseState, Pipeline, RunState, SEED_PHASES};
use flightdeck::model::{Level, Model, Pane};
use flightdeck::msg::Msg;
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use flightdeck::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A run in phase 5 of 10: four succeeded, one running, five pending.
pub fn run_in_flight(now: DateTime<Utc>) -> Pipeline {
    let mut at = now - TimeDelta::minutes(50);
    let phases = SEED_PHASES
        .iter()
        .enumerate()
        .map(|(i, (name, lo, hi))| {
            let expected = TimeDelta::seconds(i64::from(lo + hi) * 30);
            let state = match i {
                0..=3 => PhaseState::Succeeded,
                4 => PhaseState::Running,
                _ => PhaseState::Pending,
            };
            let started_at = (i <= 4).then_some(at);
            let completed_at = (i <= 3).then(|| at + expected);
            if i <= 3 {
                at += expected;
            }
            Phase {
                name: (*name).to_string(),
                state,
                started_at,
                completed_at,
                steps_done: if i <= 3 { 3 } else { u32::from(i == 4) },
                steps_total: 3,
                current_step: (i == 4).then(|| "Validate PAT model".to_string()),
                failed_step: None,
                conclusion: (i <= 3).then(|| "success".to_string()),
                expected: Some(expected),
                check_run_id: None,
                steps: Vec::new(),
            }
        })
        .collect();
    Pipeline {
        run_id: 9_000_002,
        run_number: 2,
        title: "Release 1.5.0".into(),
        html_url: "http://127.0.0.1/run/2".into(),
        state: RunState::Running,
        conclusion: None,
        created_at: now - TimeDelta::minutes(51),
        started_at: Some(now - TimeDelta::minutes(50)),
        updated_at: now,
        phases,
        approvals: Vec::new(),
    }
}

/// Every grid cell of prod's 1.4.2 signed (GO, some NO-GO with a comment), as ledger entries.
pub fn signed_entries() -> Vec<Entry> {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = Ledger::open(dir.path().join("bench.jsonl")).expect("ledger");
    let config = flightdeck::policy::SignoffConfig::default();
    let mut entries = Vec::new();
    for (i, item) in config.items.iter().enumerate() {
        for (j, role) in config.roles.iter().enumerate() {
            let no_go = (i + j) % 5 == 0;
            let actor = Actor {
                account: format!("user{j}"),
                uid: 1000 + j as u32,
                host: "bastion".into(),
                ssh_origin: Some("10.0.0.7:52144".into()),
            };
            let payload = Payload::Signoff {
                env: "prod".into(),
                release: "1.4.2".into(),
                item: item.clone(),
                role: role.name.clone(),
                decision: if no_go { Decision::NoGo } else { Decision::Go },
                comment: no_go.then(|| "error budget burn 3x over the last hour".to_string()),
            };
            entries.push(
                ledger
                    .append_at(&actor, payload, clock() - TimeDelta::minutes(5))
                    .expect("append"),
            );
        }
    }
    entries
}

/// Three lanes, 500 activity entries, a run in flight, prod's grid signed, `detail` shown.
pub fn full_model(detail: Pane) -> Model {
    let mut model = three_lanes(1);
    for i in 0..500 {
        let lane = ["dev", "staging", "prod"][i % 3];
        model.log(
            Some(lane),
            [Level::Info, Level::Good, Level::Warn, Level::Error][i % 4],
            format!("revision clarity-backend-{lane}-{i:05}-abc is serving 100 % (event {i})"),
        );
    }
    model.pipeline.configured = true;
    model.pipeline.run = Some(run_in_flight(clock()));
    model.pipeline.fetched_at = Some(clock());
    model.signoffs.account = Some("alice".into());
    model.signoffs.loaded = true;
    model.selected_lane = 2;
    update(&mut model, Msg::LedgerEntries(signed_entries()));
    model.detail = detail;
    model.focus = detail;
    model
}

fn frame_render(c: &mut Criterion) {
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols: Symbols::UNICODE,
    };
    let mut group = c.benchmark_group("frame_render_200x60");
    // The floor: ratatui's own per-frame cost (fresh buffer, diff) with nothing drawn.
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    group.bench_function("baseline: empty frame", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    black_box(frame.area());
                })
                .expect("draw");
        });
    });
    for detail in [Pane::Phases, Pane::Signoff, Pane::Activity] {
        let model = full_model(detail);
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        group.bench_function(detail.title(), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::view(black_box(&model), &ui, frame))
                    .expect("draw");
            });
        });
        // The first frame after start-up or a resize: every cell is new to the backend.
        group.bench_function(format!("{} (full repaint)", detail.title()), |b| {
            b.iter(|| {
                terminal.clear().expect("clear");
                terminal
                    .draw(|frame| ui::view(black_box(&model), &ui, frame))
                    .expect("draw");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, frame_render);
criterion_main!(benches);
