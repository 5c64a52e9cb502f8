//! Bench helper: appends N entries to a ledger through the library (lock, chain, fsync each), as
//! the current OS account, so `benches/idle_cpu_mem.sh` can measure a cockpit on a 10,000-entry
//! ledger. Sign-offs and comments spread over releases of prod and staging, like months of use.
//!
//! `ledger_fill --ledger PATH --count N`. Under plain `cargo bench` (no `--ledger`) it does nothing.

use std::time::Instant;

use flightdeck::ledger::{Decision, Ledger, Payload, identity};
use flightdeck::policy::SignoffConfig;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(path) = value("--ledger") else {
        eprintln!("ledger_fill: a helper of benches/idle_cpu_mem.sh (--ledger PATH --count N)");
        return;
    };
    let count: usize = value("--count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    let ledger = Ledger::open(&path).expect("open ledger");
    let actor = identity::current_actor().expect("who am I");
    let config = SignoffConfig::default();
    let started = Instant::now();
    for i in 0..count {
        let item = &config.items[i % config.items.len()];
        let role = &config.roles[(i / config.items.len()) % config.roles.len()].name;
        let env = if i % 2 == 0 { "prod" } else { "staging" };
        // A new release every 200 entries; the last ones are about the live candidate 1.4.2.
        let release = format!(
            "1.{}.{}",
            4usize.saturating_sub((count - i) / 4000),
            (i / 200) % 10
        );
        let payload = if i % 7 == 3 {
            Payload::Comment {
                env: env.into(),
                release,
                item: item.clone(),
                role: role.clone(),
                text: format!("checked dashboards, entry {i}\nlatency p99 within budget"),
            }
        } else {
            Payload::Signoff {
                env: env.into(),
                release,
                item: item.clone(),
                role: role.clone(),
                decision: if i % 11 == 0 {
                    Decision::NoGo
                } else {
                    Decision::Go
                },
                comment: (i % 11 == 0).then(|| format!("blocked by incident {i}")),
            }
        };
        ledger.append(&actor, payload).expect("append");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "ledger_fill: {count} entries in {secs:.1} s ({:.0} appends/s) -> {path}",
        count as f64 / secs
    );
}
