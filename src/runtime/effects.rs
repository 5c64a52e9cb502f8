//! Commands run as tasks; each answers with a message. Blocking file work (the ledger) runs on
//! the blocking pool so the UI task never waits on a disk.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::ledger::Actor;
use crate::ledger::store::LedgerStore;
use crate::msg::{Cmd, Msg};
use crate::probes::{ProbeEngine, ProbeEngineHandle};
use crate::providers::cloudrun::CloudRunClient;

/// Where each lane's data comes from (enum dispatch as providers are added).
#[derive(Debug, Clone)]
pub enum LaneSource {
    CloudRun {
        client: CloudRunClient,
        service: String,
    },
    CloudDeploy {
        client: crate::providers::clouddeploy::CloudDeployClient,
        target: crate::providers::clouddeploy::CloudDeployTarget,
    },
    Script {
        env: String,
        target: crate::providers::script::ScriptTarget,
    },
}

/// The shared ledger and who this cockpit writes as.
#[derive(Debug, Clone)]
pub struct LedgerHandle {
    pub ledger: LedgerStore,
    pub actor: Actor,
    /// How it is read: signatures, what this account saw before.
    pub setup: crate::ledger::Setup,
}

#[derive(Debug, Clone)]
pub struct Effects {
    pub lanes: Vec<LaneSource>,
    pub ledger: Option<LedgerHandle>,
    pub pipeline: Option<super::PipelineSource>,
    pub commands: Option<super::CommandRunner>,
    pub probes: ProbeRunner,
    /// The profile's `[notify]` commands, run for each alert.
    pub notify: crate::config::notify::NotifySection,
    /// The desktop-notification sequence this terminal understands.
    pub desktop: super::DesktopNotify,
    /// Where background drivers started from this cockpit write their logs.
    pub log_dir: std::path::PathBuf,
    /// The `:` line's history file (None: kept for the session only).
    pub command_history: Option<std::path::PathBuf>,
    /// Ledger appends still running: the loop waits for them before it returns, so what was
    /// recorded on the way out (a hand-over, an outcome) is on disk when the process ends.
    pub appends: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

/// The probe engine, started with the first set of probes; reports go to `reports`.
#[derive(Clone)]
pub struct ProbeRunner {
    pub client: reqwest::Client,
    pub reports: mpsc::Sender<crate::probes::ProbeReport>,
    pub engine: Arc<Mutex<Option<ProbeEngineHandle>>>,
}

impl std::fmt::Debug for ProbeRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProbeRunner")
    }
}

impl Effects {
    pub fn spawn(&self, cmd: Cmd, tx: &mpsc::UnboundedSender<Msg>) {
        let tx = tx.clone();
        match cmd {
            Cmd::FetchLane { lane } => {
                let Some(source) = self.lanes.get(lane).cloned() else {
                    return;
                };
                tokio::spawn(async move {
                    let result = source.fetch().await.map(Box::new);
                    let _ = tx.send(Msg::LaneFetched {
                        lane,
                        at: Utc::now(),
                        result,
                    });
                });
            }
            Cmd::PollPipeline {
                run_id,
                look_for_newer,
            } => {
                let Some(source) = self.pipeline.clone() else {
                    return;
                };
                tokio::spawn(async move {
                    let poll = source.poll(run_id, look_for_newer).await;
                    let budget = source.client.rate_limit().map(|r| (r.remaining, r.limit));
                    let _ = tx.send(Msg::PipelinePolled {
                        at: Utc::now(),
                        poll,
                        budget,
                    });
                });
            }
            Cmd::RememberCommand(line) => {
                if let Some(path) = self.command_history.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = super::command_history::append(&path, &line) {
                            tracing::warn!("command history {}: {e}", path.display());
                        }
                    });
                }
            }
            Cmd::FetchAnnotations { check_run_id } => {
                let Some(source) = self.pipeline.clone() else {
                    return;
                };
                tokio::spawn(async move {
                    let result = source.annotations(check_run_id).await;
                    let _ = tx.send(Msg::AnnotationsFetched {
                        check_run_id,
                        result,
                    });
                });
            }
            Cmd::ReadForCommand { env, read } => match &self.commands {
                Some(runner) => runner.read(env, read, tx),
                None => {
                    let answer = Err(crate::model::command_read::ReadFailure {
                        status: crate::model::outcome::Status::Usage,
                        message: "commands are not available in this cockpit".into(),
                    });
                    let _ = tx.send(Msg::CommandRead {
                        env,
                        read,
                        answer: Box::new(answer),
                    });
                }
            },
            Cmd::RecordCommand(record) => match &self.commands {
                Some(runner) => runner.record(*record, tx),
                None => {
                    let env = record.env.clone();
                    let result = Err(crate::model::command_plan::NotRecorded::Failed(
                        "commands are not available in this cockpit".into(),
                    ));
                    let _ = tx.send(Msg::CommandRecorded { env, result });
                }
            },
            Cmd::CallProvider { call, outcome } => match &self.commands {
                Some(runner) => runner.call(*call, *outcome, tx),
                None => {
                    let mut failed = *outcome;
                    failed.status = crate::model::outcome::Status::Failed;
                    failed.message = "commands are not available in this cockpit".into();
                    let _ = tx.send(Msg::CommandCalled(Box::new(failed)));
                }
            },
            Cmd::ApplyChange { env, action } => match &self.commands {
                Some(runner) => runner.apply(env, action, tx),
                None => {
                    let result = Err("commands are not available in this cockpit".into());
                    let _ = tx.send(Msg::RolloutApplied { env, result });
                }
            },
            Cmd::ProbeRevision {
                env,
                probe,
                revision,
            } => {
                if let Some(runner) = &self.commands {
                    runner.probe(env, *probe, revision, tx);
                }
            }
            Cmd::SpawnSuccessor { env } => {
                let Some(runner) = &self.commands else {
                    return;
                };
                let text = match runner.spawn_successor(&env, &self.log_dir) {
                    Ok(pid) => format!(
                        "a background process (pid {pid}) takes the rollout over; log in {}",
                        self.log_dir.display()
                    ),
                    Err(e) => format!(
                        "could not start a background driver ({e}): `flightdeck rollout resume {env}` takes it over"
                    ),
                };
                let _ = tx.send(Msg::CommandProgress(
                    crate::model::command::Progress::Note { env, text },
                ));
            }
            Cmd::SetProbes(set) => {
                let mut engine = self
                    .probes
                    .engine
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                match engine.as_mut() {
                    Some(handle) => handle.replace(set),
                    None => match ProbeEngine::start(
                        self.probes.client.clone(),
                        set,
                        self.probes.reports.clone(),
                    ) {
                        Ok(handle) => *engine = Some(handle),
                        Err(e) => tracing::error!("probe engine: {e}"),
                    },
                }
            }
            // The runtime writes the bell and runs the notify command (it owns the terminal).
            Cmd::Alert(_) => {}
            Cmd::AppendLedger(payload) => {
                let Some(handle) = self.ledger.clone() else {
                    let _ = tx.send(Msg::LedgerAppended(Box::new(Err(
                        "no ledger is open".into()
                    ))));
                    return;
                };
                let append = tokio::spawn(async move {
                    let result = handle.ledger.append(&handle.actor, payload).await;
                    let _ = tx.send(Msg::LedgerAppended(Box::new(result)));
                });
                let mut appends = self.appends.lock().unwrap_or_else(PoisonError::into_inner);
                appends.retain(|a| !a.is_finished());
                appends.push(append);
            }
        }
    }

    /// Waits for every ledger append still running.
    pub async fn flush(&self) {
        let pending: Vec<_> = self
            .appends
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        for append in pending {
            let _ = append.await;
        }
    }

    /// Follows the ledger: the first read is its history, then new entries (a file about twice a
    /// second; a database as they are committed, see [`crate::ledger::postgres::follow`]).
    pub fn follow_ledger(&self, tx: &mpsc::UnboundedSender<Msg>) {
        let Some(handle) = self.ledger.clone() else {
            return;
        };
        let tx = tx.clone();
        if let LedgerStore::Postgres(ledger) = &handle.ledger {
            super::ledger_follow::follow_database(ledger, tx);
            return;
        }
        tokio::spawn(async move {
            // Every change of the file is checked again; a break is told and kept in the model.
            let mut follower = handle.setup.follower();
            loop {
                let polled = tokio::task::spawn_blocking(move || {
                    let result = follower.poll();
                    (follower, result)
                })
                .await;
                let Ok((back, result)) = polled else {
                    return;
                };
                follower = back;
                let msg = match result {
                    Ok(Some(reading)) => Some(Msg::LedgerRead(Box::new(reading))),
                    Ok(None) => None,
                    Err(e) => Some(Msg::LedgerFailed(e.to_string())),
                };
                if let Some(msg) = msg
                    && tx.send(msg).is_err()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
    }
}
