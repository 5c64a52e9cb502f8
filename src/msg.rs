//! Messages into `update` and the effects it asks the runtime to perform.

use chrono::{DateTime, Utc};

use crate::model::lane::ServiceState;

/// Everything that can happen to the cockpit. Time arrives inside messages; `update` never reads a clock.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The once-a-second clock: ages and countdowns move on.
    Tick { now: DateTime<Utc> },
    /// Time to poll every lane (coalesced: at most one request in flight and one queued per lane).
    PollDue { now: DateTime<Utc> },
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
    ToggleHelp,
    Back,
    Refresh,
}

/// Effects as data: the runtime runs each in a task and answers with a `Msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    FetchLane { lane: usize },
}
