//! Runs trigger / promote / rollback for the cockpit with the CLI's code (`commands::run`):
//! progress and the outcome come back as messages; a canary listens to the cockpit's keys.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use crate::commands::driver::Control;
use crate::commands::outcome::{Outcome, Status};
use crate::commands::run::{self, Context, Request};
use crate::commands::{Progress, WireOptions};
use crate::config::Profile;
use crate::ledger::Actor;
use crate::msg::Msg;
use crate::policy::CommandKind;

#[derive(Debug, Clone)]
pub struct CommandRunner {
    pub profile: Profile,
    pub http: reqwest::Client,
    /// Who commands are recorded as; `None` when the account is unknown (commands refused).
    pub actor: Option<Actor>,
    pub ledger_path: PathBuf,
    pub read_only: bool,
    controls: Arc<Mutex<HashMap<String, mpsc::Sender<Control>>>>,
}

impl CommandRunner {
    pub fn new(
        profile: Profile,
        http: reqwest::Client,
        actor: Option<Actor>,
        ledger_path: PathBuf,
        read_only: bool,
    ) -> Self {
        CommandRunner {
            profile,
            http,
            actor,
            ledger_path,
            read_only,
            controls: Arc::default(),
        }
    }

    fn controls(&self) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<Control>>> {
        self.controls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn run(
        &self,
        request: Request,
        override_reason: Option<String>,
        confirmed: bool,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let env = match &request {
            Request::Trigger { .. } => self
                .profile
                .environments
                .first()
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            Request::Promote { to, .. } => to.clone(),
            Request::Rollback { env, .. } => env.clone(),
        };
        let Some(actor) = self.actor.clone() else {
            let kind = match &request {
                Request::Trigger { .. } => CommandKind::Trigger,
                Request::Promote { .. } => CommandKind::Promote,
                Request::Rollback { .. } => CommandKind::Rollback,
            };
            let outcome = Outcome::new(
                kind,
                &env,
                Status::Usage,
                "this cockpit does not know its operating-system account: commands are off"
                    .to_string(),
            );
            let _ = tx.send(Msg::CommandFinished(Box::new(outcome)));
            return;
        };
        let (control_tx, control_rx) = mpsc::channel(8);
        self.controls().insert(env.clone(), control_tx);
        let progress_tx = tx.clone();
        let ctx = Context {
            profile: self.profile.clone(),
            http: self.http.clone(),
            actor,
            ledger_path: self.ledger_path.clone(),
            read_only: self.read_only,
            wire: WireOptions::default(),
            probe_every: None,
            progress: Arc::new(move |p: &Progress| {
                let _ = progress_tx.send(Msg::CommandProgress(p.clone()));
            }),
            yes: confirmed,
            override_reason,
            prompt: false,
            control: std::sync::Mutex::new(Some(control_rx)),
            release: Default::default(),
            lease: run::DEFAULT_LEASE,
        };
        let controls = self.controls.clone();
        tokio::spawn(async move {
            let outcome = run::execute(&ctx, request).await;
            controls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&env);
            let _ = tx.send(Msg::CommandFinished(Box::new(outcome)));
        });
    }

    pub fn control(&self, env: &str, control: Control) {
        let sender = self.controls().get(env).cloned();
        if let Some(sender) = sender {
            tokio::spawn(async move {
                let _ = sender.send(control).await;
            });
        }
    }
}
