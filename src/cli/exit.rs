//! The one exit-code table of every headless command. The families share numbers on purpose:
//! each follows its own convention (the ledger commands name what broke; `probe` speaks the
//! monitoring-plugin convention), and a script only ever runs one command.

use crate::model::outcome::Status;

// trigger, promote, rollback, rollout, approve, clouddeploy, status, profile check.
pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const USAGE: i32 = 2;
pub const REFUSED: i32 = 3;
pub const API: i32 = 4;
/// A rollout was handed over in flight (signal or `--detach`): it goes on without this process.
pub const HANDED_OVER: i32 = 5;

/// The exit code of a command's outcome.
pub fn of_status(status: Status) -> i32 {
    match status {
        Status::Done => OK,
        Status::Refused => REFUSED,
        Status::Usage => USAGE,
        Status::ApiError => API,
        Status::Aborted | Status::Failed | Status::Stale => FAILURE,
        Status::HandedOver => HANDED_OVER,
    }
}

// ledger verify | export | head | migrate, signoff (OK, USAGE and REFUSED as above).
/// `ledger verify`: an entry was edited, deleted, reordered, or garbage was inserted.
pub const LEDGER_BROKEN: i32 = 1;
/// The ledger file could not be read or written.
pub const IO: i32 = 4;
/// `ledger verify`: the chain is intact but the last line is torn: a crash during an append,
/// or the last entry was truncated. The next append removes the fragment.
pub const LEDGER_TORN_TAIL: i32 = 5;
/// `ledger verify`: the chain is intact, but some sign-offs are by accounts the profile does
/// not allow for their role; they are not counted.
pub const NOT_COUNTED: i32 = 6;

// probe: the monitoring-plugin convention (Nagios, Icinga, Sensu).
pub const PROBE_PASS: i32 = 0;
pub const PROBE_WARN: i32 = 1;
pub const PROBE_FAIL: i32 = 2;
pub const PROBE_UNKNOWN: i32 = 3;
