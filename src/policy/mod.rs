//! Policy: the go/no-go decision of a sign-off grid ([`signoff`]) and the gates in front of every
//! command ([`gates`], with freeze windows in [`freeze`]). Pure functions of the profile, the
//! ledger's facts and the clock (passed in); no I/O.
//!
//! The profile's policy settings are [`crate::config::policy`] (re-exported here); freeze windows
//! are read and scheduled by [`crate::config::freeze`].

pub use crate::config::freeze;
pub mod gates;
pub mod signoff;

pub use crate::config::policy::{
    EnvPolicy, FreezeWindow, RoleConfig, SignoffConfig, default_items, default_roles,
};
pub use crate::model::gate_question::{GateAnswer, GateQuestion};
pub use gates::{CommandKind, Gate, GateInput, GateVerdict, Refusal, SourceHealth, evaluate};
pub use signoff::{
    MissingSignoff, Objection, SignoffAttempt, SignoffRefusal, SignoffVerdict, authorize_signoff,
    decide, may_sign_role,
};
