#![forbid(unsafe_code)]
//! flightdeck: a terminal release cockpit.
//!
//! The Elm Architecture, effects as data:
//!
//! ```text
//!  keys / resize ─┐                                   ┌─> ui::view(&Model, &mut Frame)  (when dirty, frame cap)
//!  timers ────────┼─> Msg ─> update(&mut Model, Msg) ─┤
//!  task results ──┘           (pure, no I/O)          └─> Vec<Cmd> ─> runtime runs each in a task ─> Msg
//! ```
//!
//! Module map:
//! - [`cli`]: clap subcommands and flags; [`app`] wires a profile into the runtime or a headless command.
//! - [`msg`]: `Msg` (inputs) and `Cmd` (effects); [`update`]: the pure state transition; [`keymap`]: keys → `Msg`.
//! - [`runtime`]: the one async loop that owns the terminal ([`terminal`]) and runs `Cmd`s in tasks.
//! - [`model`]: lanes, rollout phases, probes, sign-off grid. No I/O, no ratatui.
//! - [`providers`]: real HTTP clients (Cloud Run v2, GitHub Actions) pointed at a base URL.
//! - [`probes`]: the health-probe engine and format parsers.
//! - [`ledger`]: the append-only, hash-chained, fsynced journal of sign-offs and commands.
//! - [`policy`]: go/no-go decision and command gates.
//! - [`sandbox`]: the embedded cloud (axum) speaking the real wire formats.
//! - [`config`]: paths, profiles and themes with file:line errors.
//! - [`redact`]: the one filter every shown, logged or recorded string passes (no secrets).
//! - [`ui`]: views, one file per screen region; pure functions of the model.

pub mod cli;
pub mod commands;
pub mod config;
pub mod json_out;
pub mod keymap;
pub mod ledger;
pub mod model;
pub mod msg;
pub mod net;
pub mod policy;
pub mod probes;
pub mod providers;
pub mod redact;
pub mod runtime;
pub mod sandbox;
pub mod session;
pub mod terminal;
pub mod ui;
pub mod update;
