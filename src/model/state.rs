use std::collections::VecDeque;

use chrono::{DateTime, FixedOffset, Offset, Utc};

use super::lane::Lane;
use super::pane::Pane;
use super::signoff::SignoffGrid;
use crate::config::policy::SignoffConfig;
use crate::ledger::{Decision, Entry};
use crate::model::command::Request;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// The details of probe `n` (index into `probes.all`): parsed checks and the raw body.
    ProbeDetails(usize),
    /// The history of a sign-off cell (item, role) of the grid shown.
    CellHistory {
        item: String,
        role: String,
    },
    /// Phase `n` of the watched run (index into its phases): steps and, if it failed, why.
    PhaseDetail(usize),
    /// Phase `n` of the selected lane's platform rollout (Cloud Deploy): its jobs and why the
    /// rollout failed, in full.
    DeployPhaseDetail(usize),
    /// A text prompt is open (comment, confirmation, override reason, `:` command line …).
    Prompt(Prompt),
    /// Lane `lane` in depth (revision history, what differs from the next lane, links),
    /// scrolled down `scroll` rows.
    LaneDetail {
        lane: usize,
        scroll: usize,
    },
}

/// What the open prompt asks for, and what its text becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A comment on a sign-off cell (or the reason of a NO-GO). Several lines.
    Comment(CommentPurpose),
    /// The version to trigger into the first lane; `offered`: versions known to exist (built
    /// successfully, or running in a lane), newest build first.
    Trigger { offered: Vec<String> },
    /// Say yes before a change reaches `env`: Enter, or the environment's name typed when its
    /// policy asks for that (`typed`). `overridden`: the gates the reason waives.
    Confirm {
        change: super::confirm::Change,
        env: String,
        override_reason: Option<String>,
        overridden: Vec<super::command::Gate>,
        typed: bool,
        preview: super::confirm::Preview,
    },
    /// Refused by policy: a reason overrides (and is recorded), Esc gives up.
    Override {
        request: Request,
        refusals: Vec<String>,
        gates: Vec<super::command::Gate>,
    },
    /// Sign GO on every open cell of `role` in the grid of `env` × `release` (Enter) or not (Esc).
    SignColumn {
        env: String,
        release: String,
        role: String,
        items: Vec<String>,
        /// Cells of the column with a NO-GO, left alone.
        objected: usize,
    },
    /// The `:` command line.
    CommandLine,
    /// Filter the activity pane by a word (empty: show everything).
    Filter,
    /// Roll `env` back: Enter for the previous revision, or type one from the list shown.
    Rollback { env: String, revisions: Vec<String> },
    /// Quitting while this cockpit drives rollouts (in `envs`): keep them running in the
    /// background (`b`), hand them over (`h`), abort them (`a`); Esc cancels.
    Quit { envs: Vec<String> },
    /// Approve (or reject) the platform gate `env` waits on: the user's optional comment,
    /// added to the one composed from the grid; Enter sends, Esc gives up.
    Review { env: String, reject: bool },
}

impl Prompt {
    /// Comments take several lines (Enter is a new line); every other prompt is one line.
    pub fn multi_line(&self) -> bool {
        matches!(self, Prompt::Comment(_))
    }
}

/// What a submitted comment becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPurpose {
    pub item: String,
    pub role: String,
    /// `Some(NoGo)`: the comment is the reason of a NO-GO; `None`: a plain comment on the cell.
    pub decision: Option<Decision>,
}

/// A one-line message in the status bar (a refusal, "recorded seq 12", an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

/// The sign-off side of the cockpit: who we are, the grid shown, and the ledger as read so far.
#[derive(Debug, Clone, Default)]
pub struct Signoffs {
    pub config: SignoffConfig,
    /// The operating-system account of this cockpit (None: unknown, so nothing can be signed).
    pub account: Option<String>,
    /// Every entry read from the ledger, in file order.
    pub entries: Vec<Entry>,
    /// The grid of the selected lane and its candidate release.
    pub grid: Option<SignoffGrid>,
    /// An append is on its way to disk.
    pub recording: bool,
    /// The first read of the ledger (its history) has arrived.
    pub loaded: bool,
    pub ledger_error: Option<String>,
    /// The ledger database cannot be reached: the grid may be stale and nothing can be recorded.
    pub unreachable: Option<String>,
    /// Whether the ledger verified at the last read (None: not read yet).
    pub health: Option<crate::ledger::follow::Health>,
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
    /// Show only entries whose lane or text contains this (case-insensitive); `/` sets it.
    pub filter: Option<String>,
}

impl Activity {
    pub const CAPACITY: usize = 500;

    /// The entries shown: all, or those matching the filter.
    pub fn visible(&self) -> impl Iterator<Item = &ActivityEntry> {
        let needle = self.filter.as_ref().map(|f| f.to_lowercase());
        self.entries.iter().filter(move |e| match &needle {
            None => true,
            Some(n) => {
                e.text.to_lowercase().contains(n)
                    || e.lane.as_deref().is_some_and(|l| l.contains(n.as_str()))
            }
        })
    }

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
    /// The local time zone's offset from UTC (taken at start), for times shown as local.
    pub local_offset: FixedOffset,
    pub lanes: Vec<Lane>,
    pub focus: Pane,
    pub selected_lane: usize,
    pub activity: Activity,
    pub overlay: Overlay,
    /// The pane shown in the body (the focused one, or the last detail pane focused).
    pub detail: Pane,
    pub signoffs: Signoffs,
    pub pipeline: super::watch::PipelineWatch,
    pub operations: super::operations::Operations,
    pub probes: super::probes::Probes,
    /// Canary steps per lane (empty: straight to 100 %), from the profile.
    pub canary_steps: Vec<Vec<u8>>,
    /// Per lane: run by Cloud Deploy (its own rollouts: `a` advances, `x` cancels them).
    pub clouddeploy_lanes: Vec<bool>,
    pub notice: Option<Notice>,
    /// Alerts in the banner until acknowledged.
    pub alerts: super::alerts::Alerts,
    /// Per lane: promotion into it needs the sign-off grid's GO (the profile's `require_signoff`).
    pub signoff_required: Vec<bool>,
    /// Per lane: the profile's gates (freeze windows, typed confirmation, …), for confirmations.
    pub policies: Vec<crate::config::policy::EnvPolicy>,
    /// Per lane: the canary's bake at each step, seconds (from the profile).
    pub canary_bake_secs: Vec<u64>,
    /// The `:` line's history and Tab completion.
    pub command_line: super::command_line::CommandLine,
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
            local_offset: Utc.fix(),
            lanes: envs.iter().map(Lane::new).collect(),
            focus: Pane::Lanes,
            selected_lane: 0,
            activity: Activity::default(),
            overlay: Overlay::None,
            detail: Pane::Phases,
            signoffs: Signoffs::default(),
            pipeline: Default::default(),
            operations: Default::default(),
            probes: Default::default(),
            canary_steps: vec![Vec::new(); envs.len()],
            clouddeploy_lanes: vec![false; envs.len()],
            notice: None,
            alerts: Default::default(),
            signoff_required: vec![false; envs.len()],
            policies: vec![Default::default(); envs.len()],
            canary_bake_secs: vec![0; envs.len()],
            command_line: Default::default(),
            dirty: true,
            quitting: false,
        }
    }

    pub fn log(&mut self, lane: Option<&str>, level: Level, text: impl Into<String>) {
        self.activity.push(ActivityEntry {
            at: self.now,
            lane: lane.map(str::to_string),
            level,
            text: crate::redact::redact(&text.into()),
        });
    }

    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            level,
            text: crate::redact::redact(&text.into()),
        });
    }

    /// The release a sign-off for lane `index` is about: what runs in the lane before it
    /// (what would be promoted), or the lane's own version for the first lane.
    pub fn candidate_release(&self, index: usize) -> Option<String> {
        let source = self.lanes.get(index.saturating_sub(1))?;
        source.service.as_ref()?.version().map(str::to_string)
    }

    /// The lane whose sign-off grid is shown: the selected lane when it needs a sign-off, else
    /// the next one after it that does (then the first that does); None when no lane needs one.
    pub fn signoff_lane(&self) -> Option<usize> {
        let needs = |i: &usize| self.signoff_required.get(*i).copied().unwrap_or(false);
        (self.selected_lane..self.lanes.len())
            .chain(0..self.selected_lane)
            .find(needs)
    }

    /// Age of the oldest lane data, for the header (None until every lane answered once).
    pub fn oldest_data_age(&self) -> Option<i64> {
        self.lanes
            .iter()
            .map(|lane| lane.age_secs(self.now))
            .try_fold(0i64, |oldest, age| age.map(|a| oldest.max(a)))
    }
}
