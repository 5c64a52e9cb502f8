//! The demo that breathes: a sandbox opened for people (not tests) starts with a release build
//! in progress and, a few simulated minutes after each build ends, starts the next one (the
//! next patch version), so the phases pane always has something moving. Lazy, like the rest
//! of the simulation: runs due by the simulated instant are added when the state is next read.

use super::SimState;
use super::sim::{QUEUE_SECS, duration};

/// Simulated seconds between one demo build's end and the next one's start.
pub const GAP_SECS: f64 = 180.0;
/// The first demo build began this long before the sandbox started: its first phase is done.
pub const HEAD_START_SECS: f64 = 420.0;

/// When breathing, what comes next: the start and version of the next demo build.
#[derive(Debug, Clone)]
pub struct Breath {
    pub next_start: f64,
    pub next_patch: u32,
}

/// Simulated length of a demo build (ten seed phases, no gate, no failure).
pub fn build_secs() -> f64 {
    QUEUE_SECS + (0..10).map(duration).sum::<f64>()
}

impl SimState {
    /// Starts breathing: the first build is already running (version 1.4.3, after 1.4.2).
    pub(crate) fn start_breathing(&mut self) {
        self.breath = Some(Breath {
            next_start: -HEAD_START_SECS,
            next_patch: 3,
        });
        self.breathe();
    }

    /// Adds every demo build due by now.
    pub(crate) fn breathe(&mut self) {
        let now = self.now();
        while let Some(breath) = self.breath.clone()
            && breath.next_start <= now
        {
            let version = format!("1.4.{}", breath.next_patch);
            let start = breath.next_start;
            self.add_run(&version, "workflow_dispatch", start);
            self.breath = Some(Breath {
                next_start: start + build_secs() + GAP_SECS,
                next_patch: breath.next_patch + 1,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::GithubSim;
    use super::*;

    #[test]
    fn a_breathing_sandbox_starts_mid_build_and_a_still_one_does_not() {
        let still = GithubSim::new(20.0);
        assert_eq!(still.lock().runs.len(), 1, "only the past build");
        let demo = GithubSim::new(20.0).breathing();
        let st = demo.lock();
        assert_eq!(st.runs.len(), 2);
        let run = &st.runs[1];
        assert_eq!(run.version, "1.4.3");
        let view = run.view(st.now());
        assert_eq!(view.status, "in_progress");
        assert_eq!(view.jobs[0].conclusion, Some("success"), "phase 1 is done");
        assert_eq!(view.jobs[1].status, "in_progress", "phase 2 runs");
    }

    #[test]
    fn the_next_build_starts_a_few_minutes_after_one_ends() {
        let demo = GithubSim::new(20.0).breathing();
        let mut st = demo.lock();
        // The first build and its gap are over: the next one is due.
        st.breath = Some(Breath {
            next_start: st.now() - 1.0,
            next_patch: 4,
        });
        st.breathe();
        assert_eq!(st.runs.last().map(|r| r.version.as_str()), Some("1.4.4"));
        let next = st.breath.as_ref().map(|b| b.next_start).unwrap_or_default();
        assert!(
            next > st.now() + build_secs(),
            "one build at a time: {next}"
        );
    }
}
