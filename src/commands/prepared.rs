//! What reading a request gives: a plan for its gates, or its end.

use super::outcome::Outcome;
use crate::model::command_plan::CommandPlan;

/// A request read and planned, or ended before its gates.
#[derive(Debug)]
pub enum Prepared {
    Plan(Box<CommandPlan>),
    /// Refused, nothing to do, bad arguments, or a failed read it cannot do without.
    Ended(Box<Outcome>),
}

/// A plan, as [`Prepared`].
pub fn planned(plan: CommandPlan) -> Prepared {
    Prepared::Plan(Box::new(plan))
}
