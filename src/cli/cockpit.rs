//! The cockpit: a session and the command line become the runtime's model, views and effects.

use super::exit;
use super::globals::Globals;
use crate::config::{ConfigError, Paths, ThemeSpec};
use crate::model::Level;
use crate::model::operations::CommandSetup;
use crate::runtime::{CommandRunner, Effects, ProbeRunner};
use crate::session::Session;
use crate::ui::{Symbols, Theme, UiContext};

pub fn ui_context(globals: &Globals, paths: &Paths) -> Result<UiContext, ConfigError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = match &globals.theme {
        Some(name) => Theme::from_spec(&ThemeSpec::resolve(paths, name)?),
        None => Theme::default_for(no_color),
    };
    Ok(UiContext {
        theme,
        symbols: Symbols::from_env(),
    })
}

pub(super) async fn run_cockpit(globals: &Globals) -> i32 {
    // Everything that can fail on bad input fails here, before the terminal is taken over.
    let session = match Session::open(&globals.profile, globals.sandbox).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let parts = match cockpit(&session, globals).await {
        Ok(parts) => parts,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let mouse = session.profile.ui.mouse;
    match crate::runtime::run(
        parts.model,
        parts.ui,
        parts.effects,
        parts.probe_reports,
        mouse,
    )
    .await
    {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("flightdeck: terminal error: {e}");
            exit::FAILURE
        }
    }
}

/// What the cockpit's loop runs with, built from a session: the real terminal's, or a headless
/// test's (which then drives `runtime::run_on` with a `TestBackend` and synthetic keys).
pub struct Cockpit {
    pub model: crate::model::Model,
    pub ui: UiContext,
    pub effects: Effects,
    pub probe_reports: tokio::sync::mpsc::Receiver<crate::probes::ProbeReport>,
}

pub async fn cockpit(session: &Session, globals: &Globals) -> Result<Cockpit, String> {
    let ui = ui_context(globals, &session.paths).map_err(|e| e.to_string())?;
    let http = session.client();
    let mut model = session.model(globals.read_only);
    let ledger = session.open_ledger(&mut model);
    if let Some(handle) = &ledger {
        model.operations.driver_name = crate::commands::driver::holder_name(&handle.actor);
    }
    model.operations.lease_secs = crate::commands::run::DEFAULT_LEASE.as_secs() as i64;
    if session.owns_sandbox() {
        model.operations.no_successor = Some(
            "not in the background: the sandbox runs inside this cockpit and ends with it; \
             hand over (h) or abort (a), or start `flightdeck sandbox` and open the cockpit \
             with --sandbox ADDR"
                .into(),
        );
    }
    let pipeline = match session.pipeline_source().await {
        Ok(source) => source,
        Err(e) => {
            model.log(Some("build"), Level::Error, e);
            None
        }
    };
    model.pipeline.configured = pipeline.is_some();
    if let Some(config) = &session.profile.pipeline {
        model.pipeline.gated_lanes = config
            .environments
            .iter()
            .map(|(lane, github)| (github.clone(), lane.clone()))
            .collect();
    }
    model.operations.setup = ledger.as_ref().map(|l| CommandSetup {
        profile: std::sync::Arc::new(session.profile.clone()),
        account: l.actor.account.clone(),
    });
    let commands = CommandRunner::new(
        session.profile.clone(),
        http.clone(),
        ledger.as_ref().map(|l| l.actor.clone()),
        crate::ledger::store::ledger_address(&session.profile, &session.paths),
        globals.read_only,
    );
    model.canary_steps = session
        .profile
        .environments
        .iter()
        .map(|e| {
            e.canary
                .as_ref()
                .map(|c| c.steps.clone())
                .unwrap_or_default()
        })
        .collect();
    model.canary_bake_secs = session
        .profile
        .environments
        .iter()
        .map(|e| e.canary.as_ref().map_or(0, |c| c.bake_secs))
        .collect();
    model.policies = session
        .profile
        .environments
        .iter()
        .map(|e| e.policy.clone())
        .collect();
    model.clouddeploy_lanes = session
        .profile
        .environments
        .iter()
        .map(|e| e.clouddeploy.is_some())
        .collect();
    let history_path = session.paths.state_dir.join("command_history");
    match crate::runtime::command_history::load(&history_path) {
        Ok(lines) => model.command_line.history = lines,
        Err(e) => model.log(None, Level::Warn, format!("command history: {e}")),
    }
    let (probe_tx, probe_reports) = tokio::sync::mpsc::channel(1024);
    let probes = ProbeRunner {
        client: crate::probes::http::client(session.loopback_only())
            .unwrap_or_else(|_| http.clone()),
        reports: probe_tx,
        engine: Default::default(),
    };
    let effects = Effects {
        lanes: session.lane_sources(&http),
        ledger,
        pipeline,
        commands: Some(commands),
        probes,
        notify: session.profile.notify.clone(),
        desktop: crate::runtime::DesktopNotify::from_env(),
        log_dir: session.paths.state_dir.join("rollouts"),
        command_history: (!globals.read_only).then_some(history_path),
        appends: Default::default(),
    };
    Ok(Cockpit {
        model,
        ui,
        effects,
        probe_reports,
    })
}
