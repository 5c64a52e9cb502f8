//! The build pipeline as this cockpit knows it: the newest run, how old that is, and the
//! GitHub rate-limit budget left.

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;

use super::pipeline::{Approval, Pipeline};

/// Look for a newer run every this many polls (and whenever the watched run is done).
pub const LIST_EVERY: u32 = 5;

#[derive(Debug, Clone, Default)]
pub struct PipelineWatch {
    /// A pipeline is configured in the profile.
    pub configured: bool,
    pub run: Option<Pipeline>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Rate limited: no request before this time.
    pub blocked_until: Option<DateTime<Utc>>,
    pub in_flight: bool,
    pub polls_since_list: u32,
    /// `(remaining, limit)` of the GitHub budget, when known.
    pub budget: Option<(u64, u64)>,
    pub no_runs: bool,
    /// Versions whose release build this cockpit saw succeed, newest first.
    pub built: Vec<String>,
    /// GitHub environment → the lane it gates, where the names differ (`production` → `prod`).
    pub gated_lanes: BTreeMap<String, String>,
    /// The phases pane's selection and the opened phase's annotations.
    pub selection: super::phase_detail::PhaseSelection,
    /// Version → the newest run seen building it, for the lane detail's link.
    pub run_links: BTreeMap<String, RunLink>,
}

/// A run of the pipeline as a link: its number and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLink {
    pub number: u64,
    pub html_url: String,
}

/// `Release 1.4.3` → `1.4.3`: the version a release run builds (the run's title's last word).
pub fn version_of_title(title: &str) -> Option<&str> {
    title.split_whitespace().last()
}

impl PipelineWatch {
    /// The lane a GitHub environment gates.
    pub fn lane_of<'a>(&'a self, environment: &'a str) -> &'a str {
        self.gated_lanes
            .get(environment)
            .map_or(environment, String::as_str)
    }

    /// The approval the watched run waits for on `lane`'s GitHub environment, if any.
    pub fn approval_for(&self, lane: &str) -> Option<&Approval> {
        let run = self.run.as_ref().filter(|r| !r.state.is_done())?;
        run.approvals
            .iter()
            .find(|a| self.lane_of(&a.environment) == lane)
    }

    /// Whether a poll should also look for a newer run.
    pub fn look_for_newer(&self) -> bool {
        match &self.run {
            None => true,
            Some(run) => run.state.is_done() || self.polls_since_list + 1 >= LIST_EVERY,
        }
    }
}
