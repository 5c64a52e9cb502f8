use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::lane::Lane;

/// The panes Tab moves between, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Lanes,
    Activity,
}

impl Pane {
    pub const ORDER: [Pane; 2] = [Pane::Lanes, Pane::Activity];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lanes => "Lanes",
            Pane::Activity => "Activity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Good,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    pub at: DateTime<Utc>,
    pub lane: Option<String>,
    pub level: Level,
    pub text: String,
}

/// The newest entries first, capped so a long session stays small.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub entries: VecDeque<ActivityEntry>,
    /// Rows scrolled down from the newest entry.
    pub scroll: usize,
}

impl Activity {
    pub const CAPACITY: usize = 500;

    pub fn push(&mut self, entry: ActivityEntry) {
        self.entries.push_front(entry);
        self.entries.truncate(Self::CAPACITY);
    }
}

/// Everything the views draw and `update` changes.
#[derive(Debug, Clone)]
pub struct Model {
    pub service: String,
    pub profile: String,
    /// Shown in the header when the cockpit runs against the sandbox.
    pub sandbox_addr: Option<String>,
    pub poll_interval_secs: u64,
    /// How long a Cloud Run operation usually takes here, for the lane's progress bar.
    pub operation_expected_secs: f64,
    pub read_only: bool,
    pub now: DateTime<Utc>,
    pub lanes: Vec<Lane>,
    pub focus: Pane,
    pub selected_lane: usize,
    pub activity: Activity,
    pub overlay: Overlay,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quitting: bool,
}

impl Model {
    pub fn new(
        service: &str,
        profile: &str,
        envs: &[String],
        poll_interval_secs: u64,
        now: DateTime<Utc>,
    ) -> Model {
        Model {
            service: service.to_string(),
            profile: profile.to_string(),
            sandbox_addr: None,
            poll_interval_secs,
            operation_expected_secs: 60.0,
            read_only: false,
            now,
            lanes: envs.iter().map(Lane::new).collect(),
            focus: Pane::Lanes,
            selected_lane: 0,
            activity: Activity::default(),
            overlay: Overlay::None,
            dirty: true,
            quitting: false,
        }
    }

    pub fn log(&mut self, lane: Option<&str>, level: Level, text: impl Into<String>) {
        self.activity.push(ActivityEntry {
            at: self.now,
            lane: lane.map(str::to_string),
            level,
            text: text.into(),
        });
    }

    /// Age of the oldest lane data, for the header (None until every lane answered once).
    pub fn oldest_data_age(&self) -> Option<i64> {
        self.lanes
            .iter()
            .map(|lane| lane.age_secs(self.now))
            .try_fold(0i64, |oldest, age| age.map(|a| oldest.max(a)))
    }
}
