//! Messages into `update` and the effects it asks the runtime to perform.

use chrono::{DateTime, Utc};

use crate::ledger::{Entry, Payload};
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
    /// The terminal changed size: redraw.
    Resized,
    /// New complete entries in the shared ledger (ours and other cockpits').
    LedgerEntries(Vec<Entry>),
    /// The ledger could not be read or followed.
    LedgerFailed(String),
    /// An append finished: the entry is on disk (fsynced), or why not.
    LedgerAppended(Box<Result<Entry, String>>),
    /// A pipeline poll finished; `budget` is GitHub's `(remaining, limit)` after it.
    PipelinePolled {
        at: DateTime<Utc>,
        poll: crate::runtime::PipelinePoll,
        budget: Option<(u64, u64)>,
    },
    /// The comment editor was submitted with this text.
    CommentSubmitted(String),
    CommentCancelled,
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
    /// Append to the ledger (lock, write, fsync) and answer with `Msg::LedgerAppended`.
    AppendLedger(Payload),
}
