//! `update` throughput: lane polls (`LaneFetched`), clock ticks and key actions through the pure
//! state transition, as the runtime drives it. `cargo bench --bench update_throughput`.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use flightdeck::model::Level;
use flightdeck::model::fixtures::{clock, service, three_lanes};
use flightdeck::msg::{Action, Msg};
use flightdeck::update::update;

fn update_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    let mut base = three_lanes(1);
    for i in 0..500 {
        base.log(Some("dev"), Level::Info, format!("event {i}"));
    }
    base.signoffs.account = Some("alice".into());
    update(&mut base, Msg::LedgerEntries(Vec::new()));

    // The same state each poll: the common case on a quiet cockpit (nothing changed).
    let states = [
        service("dev", &[(12, "1.5.0", 100)]),
        service("staging", &[(9, "1.4.2", 100)]),
        service("prod", &[(7, "1.4.0", 90), (8, "1.4.2", 10)]),
    ];
    group.throughput(Throughput::Elements(1));
    group.bench_function("LaneFetched (unchanged)", |b| {
        let mut model = base.clone();
        let mut i = 0usize;
        b.iter_batched(
            || {
                i += 1;
                let lane = i % 3;
                Msg::LaneFetched {
                    lane,
                    at: clock() + TimeDelta::seconds(i as i64),
                    result: Ok(Box::new(states[lane].clone())),
                }
            },
            |msg| black_box(update(&mut model, msg)),
            BatchSize::SmallInput,
        );
    });
    // A new revision taking traffic in prod, alternating with the old split.
    let canary = [
        service("prod", &[(7, "1.4.0", 50), (8, "1.4.2", 50)]),
        service("prod", &[(7, "1.4.0", 90), (8, "1.4.2", 10)]),
    ];
    group.bench_function("LaneFetched (traffic changed)", |b| {
        let mut model = base.clone();
        let mut i = 0usize;
        b.iter_batched(
            || {
                i += 1;
                Msg::LaneFetched {
                    lane: 2,
                    at: clock() + TimeDelta::seconds(i as i64),
                    result: Ok(Box::new(canary[i % 2].clone())),
                }
            },
            |msg| black_box(update(&mut model, msg)),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("Tick", |b| {
        let mut model = base.clone();
        let mut i = 0i64;
        b.iter(|| {
            i += 1;
            black_box(update(
                &mut model,
                Msg::Tick {
                    now: clock() + TimeDelta::milliseconds(i * 250),
                },
            ))
        });
    });
    let keys = [
        Action::NextPane,
        Action::Down,
        Action::Right,
        Action::NextLane,
        Action::Up,
        Action::Left,
        Action::ToggleHelp,
        Action::Back,
    ];
    group.bench_function("key actions", |b| {
        let mut model = base.clone();
        let mut i = 0usize;
        b.iter(|| {
            i += 1;
            black_box(update(&mut model, Msg::Action(keys[i % keys.len()])))
        });
    });
    group.finish();
}

criterion_group!(benches, update_throughput);
criterion_main!(benches);
