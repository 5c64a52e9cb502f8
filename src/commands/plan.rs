//! Planning a command as a pure function of what it has read so far: [`next`] either names the
//! one read it needs next or returns the plan (or the command's end). Its host makes that read
//! (one wire operation, [`super::read::perform`]) and asks again with the answer added: the
//! cockpit's `update` as effects and messages, the CLI in a short loop (`run::prepare`).

use chrono::{DateTime, Utc};

use super::outcome::{Outcome, Status};
use super::prepared::{Prepared, planned};
use crate::config::Profile;
use crate::config::profile::Environment;
use crate::model::command_plan::{CommandPlan, Outgoing};
use crate::model::command_read::{LedgerRead, Read, ReadFailure, ReadValue, Reads};
use crate::model::lane::ServiceState;
use crate::policy::{CommandKind, GateQuestion, SourceHealth};

/// What a command is planned with besides its request and its reads.
#[derive(Debug, Clone, Copy)]
pub struct Planning<'a> {
    /// With base URLs filled in.
    pub profile: &'a Profile,
    /// Who runs it (named in a review's comment).
    pub account: &'a str,
    pub read_only: bool,
    /// The environment's name was typed (or `--yes`).
    pub confirmed: bool,
    pub override_reason: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// What to do next for a command.
#[derive(Debug)]
pub enum Step {
    /// Make these reads (independent of each other: at once) and ask again with every answer.
    Read(Vec<Read>),
    Planned(Prepared),
}

/// Why planning stopped short: reads still to make (never none), or the command's end before
/// its gates.
#[derive(Debug)]
pub enum Halt {
    Need(Vec<Read>),
    End(Box<Outcome>),
}

impl From<Box<Outcome>> for Halt {
    fn from(outcome: Box<Outcome>) -> Self {
        Halt::End(outcome)
    }
}

impl From<Outcome> for Halt {
    fn from(outcome: Outcome) -> Self {
        Halt::End(Box::new(outcome))
    }
}

/// The next step of the planner `plan` after `reads`.
pub fn next(
    planning: &Planning<'_>,
    reads: &Reads,
    plan: impl Fn(&Known<'_>) -> Result<Prepared, Halt>,
) -> Step {
    let known = Known { planning, reads };
    match plan(&known) {
        Ok(prepared) => Step::Planned(prepared),
        Err(Halt::Need(reads)) => Step::Read(reads),
        Err(Halt::End(outcome)) => Step::Planned(Prepared::Ended(outcome)),
    }
}

/// A command's planning inputs and its reads so far; each accessor halts for a read not made yet.
#[derive(Clone, Copy)]
pub struct Known<'a> {
    pub planning: &'a Planning<'a>,
    reads: &'a Reads,
}

impl<'a> Known<'a> {
    pub fn profile(&self) -> &'a Profile {
        self.planning.profile
    }

    /// The answer to `read`; halts to have it made when it was not.
    pub fn answer(&self, read: Read) -> Result<Result<&'a ReadValue, &'a ReadFailure>, Halt> {
        match self.reads.get(&read) {
            Some(answer) => Ok(answer.as_ref()),
            None => Err(Halt::Need(vec![read])),
        }
    }

    /// Halts to have every one of `reads` not made yet made at once: they do not depend on
    /// each other's answers.
    pub fn need(&self, reads: &[Read]) -> Result<(), Halt> {
        let missing: Vec<Read> = reads
            .iter()
            .filter(|read| self.reads.get(read).is_none())
            .cloned()
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Halt::Need(missing))
        }
    }

    /// A provider's answer as its wire type; `Err`: the outcome a failed or unparsable read
    /// ends the command with, if the planner cannot do without it.
    pub fn wire<T: serde::de::DeserializeOwned>(
        &self,
        read: Read,
        kind: CommandKind,
        env: &str,
    ) -> Result<Result<T, Box<Outcome>>, Halt> {
        let what = read.describe();
        Ok(match self.answer(read)? {
            Ok(ReadValue::Json(value)) => T::deserialize(value).map_err(|e| {
                Box::new(Outcome::new(
                    kind,
                    env,
                    Status::ApiError,
                    format!("{what}: the answer does not parse: {e}"),
                ))
            }),
            Ok(_) => Err(Box::new(Outcome::new(
                kind,
                env,
                Status::Failed,
                format!("{what}: an answer of another kind"),
            ))),
            Err(failed) => Err(failed_read(kind, env, failed)),
        })
    }

    /// The ledger as read for this command; one that cannot be read ends the command.
    pub fn ledger(&self, kind: CommandKind, env: &str) -> Result<&'a LedgerRead, Halt> {
        match self.answer(Read::Ledger)? {
            Ok(ReadValue::Ledger(ledger)) => Ok(ledger),
            Ok(_) => Err(
                Outcome::new(kind, env, Status::Failed, "the ledger read gave no ledger").into(),
            ),
            Err(failed) => Err(Halt::End(failed_read(kind, env, failed))),
        }
    }

    /// A Cloud Run lane: its service, then its revisions; `Err` when either read failed.
    pub fn cloud_run(
        &self,
        kind: CommandKind,
        env: &str,
    ) -> Result<Result<ServiceState, Box<Outcome>>, Halt> {
        use crate::providers::cloudrun_wire::{Revision, Service};
        self.need(&[
            Read::CloudRunService { env: env.into() },
            Read::CloudRunRevisions { env: env.into() },
        ])?;
        let service =
            match self.wire::<Service>(Read::CloudRunService { env: env.into() }, kind, env)? {
                Ok(service) => service,
                Err(failed) => return Ok(Err(failed)),
            };
        let revisions =
            self.wire::<Vec<Revision>>(Read::CloudRunRevisions { env: env.into() }, kind, env)?;
        Ok(revisions
            .map(|revisions| crate::providers::cloudrun::service_state(&service, &revisions)))
    }

    /// A lane as its status script reports it.
    pub fn script_status(&self, kind: CommandKind, env: &str) -> Result<ServiceState, Halt> {
        match self.answer(Read::ScriptStatus { env: env.into() })? {
            Ok(ReadValue::Lane(state)) => Ok((**state).clone()),
            Ok(_) => Err(
                Outcome::new(kind, env, Status::Failed, "the status script gave no lane").into(),
            ),
            Err(failed) => Err(Halt::End(failed_read(kind, env, failed))),
        }
    }

    /// Every probe of `source` once, against `uri`: all green → green; none → unknown (never
    /// assumed green).
    pub fn source_health(
        &self,
        source: &Environment,
        uri: Option<&str>,
    ) -> Result<SourceHealth, Halt> {
        let count = super::health::probes(source, uri).len();
        if count == 0 {
            return Ok(SourceHealth::Unknown);
        }
        let probe = |index| Read::Probe {
            env: source.name.clone(),
            index,
            uri: uri.map(str::to_string),
        };
        self.need(&(0..count).map(probe).collect::<Vec<_>>())?;
        let mut failing = Vec::new();
        for index in 0..count {
            match self.answer(probe(index))? {
                Ok(ReadValue::Probe { green: true, .. }) => {}
                Ok(ReadValue::Probe { url, detail, .. }) => {
                    failing.push(format!("{url} answered {detail}"))
                }
                Ok(_) => failing.push(format!("probe {index} of `{}` gave no answer", source.name)),
                Err(failed) => failing.push(failed.message.clone()),
            }
        }
        Ok(if failing.is_empty() {
            SourceHealth::Green
        } else {
            SourceHealth::NotGreen(failing.join("; "))
        })
    }

    /// What the command asks of the gates, resting on the ledger's last seq as read: anything
    /// appended after it is a reason to decide again.
    pub fn question(
        &self,
        kind: CommandKind,
        env: &Environment,
        release: &str,
        source: SourceHealth,
    ) -> Result<GateQuestion, Halt> {
        let read_at = self.ledger(kind, &env.name)?.tail_seq;
        Ok(GateQuestion {
            kind,
            env: env.name.clone(),
            policy: env.policy.clone(),
            release: release.to_string(),
            source_health: source,
            confirmed: self.planning.confirmed || !env.policy.confirm_by_name,
            override_reason: self.planning.override_reason.map(str::to_string),
            read_at,
        })
    }
}

/// The command's end on a read it cannot do without.
pub fn failed_read(kind: CommandKind, env: &str, failed: &ReadFailure) -> Box<Outcome> {
    Box::new(Outcome::new(
        kind,
        env,
        failed.status,
        failed.message.clone(),
    ))
}

/// In read-only mode the gates refuse whatever the lanes say: nothing is read from the cloud.
pub(super) fn read_only_refusal(
    known: &Known<'_>,
    kind: CommandKind,
    env: &Environment,
) -> Result<Prepared, Halt> {
    let question = known.question(kind, env, "", SourceHealth::Unknown)?;
    Ok(planned(CommandPlan {
        question: Some(question),
        action: format!("{kind:?}").to_lowercase(),
        outcome: Outcome::new(kind, &env.name, Status::Done, ""),
        detail: serde_json::json!({}),
        send: Outgoing::Nothing,
    }))
}
