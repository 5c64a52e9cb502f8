//! What a confirmation shows before a command or a canary control changes a lane: the change
//! (from and to version and revision, canary steps and bake) and each gate's standing. Built by
//! `update` when the confirmation opens; the view only draws it.

use crate::model::command::Request;
use crate::model::rollouts::Control;

/// What the user is about to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Trigger, promote or rollback (through the gates and the ledger).
    Command(Request),
    /// Resume, advance or abort a canary in flight.
    Control(Control),
}

/// How a gate stands for this command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Passed,
    /// The cockpit cannot tell yet (probes not in, ledger not read): checked when sent.
    Unknown,
    /// Refused, and waived by the override reason given (recorded in the ledger).
    Overridden,
    /// Not a gate, but worth a second look (a version no build was seen to produce).
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateLine {
    pub mark: Mark,
    pub text: String,
}

/// The confirmation's content: `(label, text)` rows of the change, then the gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preview {
    pub changes: Vec<(String, String)>,
    pub gates: Vec<GateLine>,
}

impl Preview {
    pub fn change(&mut self, label: &str, text: impl Into<String>) {
        self.changes.push((label.to_string(), text.into()));
    }

    pub fn gate(&mut self, mark: Mark, text: impl Into<String>) {
        self.gates.push(GateLine {
            mark,
            text: text.into(),
        });
    }
}
