//! The probe scheduler: one tokio task per probe on one shared `reqwest::Client`.
//!
//! - The first run of a probe fires at a deterministic offset within its interval (a hash of
//!   its id), so a thousand probes do not fire together.
//! - A probe never overlaps itself: the next run starts one interval after the previous one
//!   started, and no earlier than a quarter interval after it completed (or timed out).
//! - Reports go to the caller's `mpsc::Sender`; when the receiver is gone the tasks end.
//! - Dropping or stopping the handle aborts every task.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use reqwest::Client;
use tokio::runtime::Handle;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use super::http::probe_once;
use super::{ProbeId, ProbeReport, ResolvedProbe};

/// Starts the engine; see [`ProbeEngineHandle`].
pub struct ProbeEngine;

impl ProbeEngine {
    /// Spawns one task per probe on the current tokio runtime.
    /// Errors only when called outside a tokio runtime.
    pub fn start(
        client: Client,
        probes: Vec<(ProbeId, ResolvedProbe)>,
        tx: Sender<ProbeReport>,
    ) -> Result<ProbeEngineHandle, String> {
        let runtime = Handle::try_current()
            .map_err(|_| "the probe engine needs a tokio runtime".to_string())?;
        let mut handle = ProbeEngineHandle {
            client,
            tx,
            runtime,
            running: HashMap::new(),
        };
        handle.replace(probes);
        Ok(handle)
    }
}

struct Running {
    probe: ResolvedProbe,
    task: JoinHandle<()>,
}

/// Owns the probe tasks. Replace the set when URLs become known; stop (or drop) to end them.
pub struct ProbeEngineHandle {
    client: Client,
    tx: Sender<ProbeReport>,
    runtime: Handle,
    running: HashMap<ProbeId, Running>,
}

impl ProbeEngineHandle {
    /// Makes `probes` the running set: unchanged probes keep their schedule, changed ones
    /// restart, missing ones stop. The last entry wins when an id appears twice.
    pub fn replace(&mut self, probes: Vec<(ProbeId, ResolvedProbe)>) {
        let mut next: HashMap<ProbeId, ResolvedProbe> = probes.into_iter().collect();
        self.running.retain(|id, run| {
            let keep = next.get(id) == Some(&run.probe) && !run.task.is_finished();
            if keep {
                next.remove(id);
            } else {
                run.task.abort();
            }
            keep
        });
        for (id, probe) in next {
            let task = self.runtime.spawn(run_probe(
                id.clone(),
                probe.clone(),
                self.client.clone(),
                self.tx.clone(),
            ));
            self.running.insert(id, Running { probe, task });
        }
    }

    /// The ids currently scheduled.
    pub fn ids(&self) -> impl Iterator<Item = &ProbeId> {
        self.running.keys()
    }

    pub fn len(&self) -> usize {
        self.running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// Aborts every probe task. In-flight requests are dropped; no report follows.
    pub fn stop(mut self) {
        self.abort_all();
    }

    fn abort_all(&mut self) {
        for (_, run) in self.running.drain() {
            run.task.abort();
        }
    }
}

impl Drop for ProbeEngineHandle {
    fn drop(&mut self) {
        self.abort_all();
    }
}

async fn run_probe(id: ProbeId, probe: ResolvedProbe, client: Client, tx: Sender<ProbeReport>) {
    let interval = probe.interval.max(Duration::from_millis(10));
    let mut next = Instant::now() + first_offset(&id, interval);
    loop {
        sleep_until(next).await;
        let started = Instant::now();
        let outcome = probe_once(&client, &probe).await;
        let report = ProbeReport {
            id: id.clone(),
            at: Utc::now(),
            outcome,
        };
        if tx.send(report).await.is_err() {
            return;
        }
        next = (started + interval).max(Instant::now() + interval / 4);
    }
}

/// The deterministic delay before a probe's first run: FNV-1a of its id, modulo the interval.
pub fn first_offset(id: &ProbeId, interval: Duration) -> Duration {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.lane.bytes().chain([0xff]).chain(id.name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let nanos = u64::try_from(interval.as_nanos())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_nanos(hash % nanos)
}
