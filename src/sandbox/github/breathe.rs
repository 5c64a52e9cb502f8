//! The demo that breathes: a sandbox opened for people (not tests) starts with a release build
//! in progress and, a few simulated minutes after each build ends, starts the next one (the
//! next patch version), so the phases pane always has something moving. Lazy, like the rest
//! of the simulation: runs due by the simulated instant are added when the state is next read.

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

impl Breath {
    /// The first demo build, already running at the start (version 1.4.3, after 1.4.2).
    pub fn first() -> Breath {
        Breath {
            next_start: -HEAD_START_SECS,
            next_patch: 3,
        }
    }

    /// The demo builds due by the simulated instant `now` (version, simulated start), oldest
    /// first; what comes next moves past them.
    pub fn due(&mut self, now: f64) -> Vec<(String, f64)> {
        let mut builds = Vec::new();
        while self.next_start <= now {
            builds.push((format!("1.4.{}", self.next_patch), self.next_start));
            self.next_start += build_secs() + GAP_SECS;
            self.next_patch += 1;
        }
        builds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_build_starts_a_few_minutes_after_one_ends() {
        let now = 5000.0;
        // The first build and its gap are over: the next one is due.
        let mut breath = Breath {
            next_start: now - 1.0,
            next_patch: 4,
        };
        assert_eq!(breath.due(now), vec![("1.4.4".to_string(), now - 1.0)]);
        assert!(
            breath.next_start > now + build_secs(),
            "one build at a time: {}",
            breath.next_start
        );
        assert_eq!(breath.next_patch, 5);
        assert!(breath.due(now).is_empty(), "nothing more is due yet");
    }

    #[test]
    fn builds_missed_while_nobody_looked_all_come_due_in_order() {
        let mut breath = Breath::first();
        let later = -HEAD_START_SECS + 2.5 * (build_secs() + GAP_SECS);
        let versions: Vec<String> = breath.due(later).into_iter().map(|(v, _)| v).collect();
        assert_eq!(versions, ["1.4.3", "1.4.4", "1.4.5"]);
    }
}
