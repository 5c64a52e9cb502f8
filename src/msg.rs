//! Messages into `update` and the effects it asks the runtime to perform.

use chrono::{DateTime, Utc};

use crate::ledger::{Entry, Payload};
pub use crate::model::Hit;
use crate::model::lane::ServiceState;

/// Everything that can happen to the cockpit. Time arrives inside messages; `update` never reads a clock.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The once-a-second clock: ages and countdowns move on.
    Tick {
        now: DateTime<Utc>,
    },
    /// Time to poll every lane (coalesced: at most one request in flight and one queued per lane).
    PollDue {
        now: DateTime<Utc>,
    },
    /// A lane poll finished.
    LaneFetched {
        lane: usize,
        at: DateTime<Utc>,
        result: Result<Box<ServiceState>, String>,
    },
    /// A user action, translated from a key by the keymap.
    Action(Action),
    /// A mouse click or wheel turn over `pane`, on the item under it when it hit one; the
    /// runtime measures it against the view's own layout.
    Pointer {
        pane: crate::model::Pane,
        item: Option<Hit>,
        kind: PointerKind,
    },
    /// The terminal changed size: redraw.
    Resized,
    /// New complete, verified entries in the shared ledger (ours and other cockpits').
    LedgerEntries(Vec<Entry>),
    /// The ledger was checked again: entries added (or, after a change of history, all of them)
    /// and whether it verifies.
    LedgerRead(Box<crate::ledger::follow::Reading>),
    /// The ledger could not be read or followed.
    LedgerFailed(String),
    /// The ledger database became unreachable (why), or reachable again (`None`).
    LedgerReachability(Option<String>),
    /// An append finished: the entry is on disk (fsynced), or why not.
    LedgerAppended(Box<Result<Entry, String>>),
    /// A pipeline poll finished; `budget` is GitHub's `(remaining, limit)` after it.
    PipelinePolled {
        at: DateTime<Utc>,
        poll: crate::model::watch::PipelinePoll,
        budget: Option<(u64, u64)>,
    },
    /// A check run's annotations arrived (asked for when a failed phase was opened).
    AnnotationsFetched {
        check_run_id: u64,
        result: Result<Vec<crate::model::phase_detail::Annotation>, String>,
    },
    /// A probe ran (from the probe engine).
    ProbeReport(Box<crate::probes::ProbeReport>),
    /// A command reports progress (an operation, a traffic step, a bake, a probe of the new revision).
    CommandProgress(crate::model::command::Progress),
    /// A command ended: done, failed, aborted, or refused by a gate.
    CommandFinished(Box<crate::model::outcome::Outcome>),
    /// One read a command's planner asked for was made (`Cmd::ReadForCommand`).
    CommandRead {
        env: String,
        read: crate::model::command_read::Read,
        answer: Box<crate::model::command_read::ReadAnswer>,
    },
    /// A planned command's record was appended (its request id), or not.
    CommandRecorded {
        env: String,
        result: Result<String, crate::model::command_plan::NotRecorded>,
    },
    /// A recorded command's provider call ended; its outcome is not recorded yet.
    CommandCalled(Box<crate::model::outcome::Outcome>),
    /// One change of a hosted rollout (or rollback) was applied (`(new revision, PATCHes sent)`), or failed.
    RolloutApplied {
        env: String,
        result: Result<(Option<String>, u32), String>,
    },
    /// One probe of a hosted rollout's new revision (or of a rolled-back lane); `None` when
    /// another revision answered.
    RolloutProbed {
        env: String,
        pass: Option<bool>,
        detail: String,
    },
    /// SIGTERM, SIGHUP or SIGINT from outside: hand over what this cockpit drives, then quit.
    Signal(String),
    /// Tab, Up or Down on the `:` line, with the text it holds.
    CommandLineKey {
        key: crate::model::command_line::LineKey,
        text: String,
    },
    /// The open prompt was submitted with this text.
    PromptSubmitted(String),
    PromptCancelled,
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointerKind {
    Click,
    WheelUp,
    WheelDown,
}

/// What a key means in the current mode (see `keymap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextPane,
    PrevPane,
    Left,
    Right,
    Up,
    Down,
    /// Select the previous / next lane from any pane (`[` / `]`).
    PrevLane,
    NextLane,
    ToggleHelp,
    Back,
    Refresh,
    /// Sign the selected grid cell GO.
    SignGo,
    /// Sign the selected grid cell NO-GO (opens the comment editor: a NO-GO needs a reason).
    SignNoGo,
    /// Comment on the selected grid cell.
    Comment,
    /// Sign GO on every open cell of the selected role's column (asks first; `G`).
    SignColumn,
    /// Ask for a version and trigger a release into the first lane.
    Trigger,
    /// Promote into the selected lane what runs in the lane before it.
    PromoteHere,
    /// Roll the selected lane back to its previous good revision.
    RollbackHere,
    /// Pause or resume the selected lane's canary.
    PauseResume,
    /// Advance the selected lane's canary to its next step now.
    Advance,
    /// Abort the selected lane's canary: traffic back to the previous revision.
    Abort,
    /// Open the `:` command line.
    CommandLine,
    /// Open the selected item (a probe's details).
    Open,
    /// Filter the activity pane (`/`).
    Filter,
    /// Acknowledge every alert in the banner (`A`).
    Acknowledge,
    /// Approve the platform gate the selected lane waits on (`v`): a GitHub environment's
    /// deployment or a Cloud Deploy rollout; the grid must be GO.
    Approve,
    /// Reject it (`V`).
    Reject,
}

/// Effects as data: the runtime runs each in a task and answers with a `Msg`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    FetchLane {
        lane: usize,
    },
    /// Poll the build pipeline: run `run_id`, and look for a newer run when `look_for_newer`.
    PollPipeline {
        run_id: Option<u64>,
        look_for_newer: bool,
    },
    /// Read a check run's annotations (why a job failed); answered by `AnnotationsFetched`.
    FetchAnnotations {
        check_run_id: u64,
    },
    /// Make one read the planner of the command in `env` asked for; answered by
    /// `Msg::CommandRead`.
    ReadForCommand {
        env: String,
        read: crate::model::command_read::Read,
    },
    /// Append a planned command's record at the entry its gates were decided on; answered by
    /// `Msg::CommandRecorded`.
    RecordCommand(Box<crate::model::command_plan::CommandRecord>),
    /// A recorded command's one provider call; answered by `Msg::CommandCalled`.
    CallProvider {
        call: Box<crate::model::command_plan::ProviderCall>,
        outcome: Box<crate::model::outcome::Outcome>,
    },
    /// Apply one change of the rollout this cockpit drives in `env`; answered by `RolloutApplied`.
    ApplyChange {
        env: String,
        action: crate::model::rollout::NextAction,
    },
    /// Probe a hosted rollout's new revision once; answered by `RolloutProbed`.
    ProbeRevision {
        env: String,
        /// The lane's health probe as the profile resolves it (headers and format included).
        probe: Box<crate::probes::ResolvedProbe>,
        revision: String,
    },
    /// Start a background process that takes over the rollout in `env` (released by this one).
    SpawnSuccessor {
        env: String,
    },
    /// Probe exactly this set (replaces the engine's probes; unchanged ones keep their schedule).
    SetProbes(Vec<(crate::probes::ProbeId, crate::probes::ResolvedProbe)>),
    /// Keep a submitted `:` line in the history file (Up recalls it in later sessions).
    RememberCommand(String),
    /// Append to the ledger (lock, write, fsync) and answer with `Msg::LedgerAppended`.
    AppendLedger(Payload),
    /// Tell the user now: the bell and a desktop notification (written by the runtime to the
    /// terminal), and the profile's `notify_command` for this event.
    Alert(crate::model::alerts::Alert),
}
