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
//! Layers, lowest first: a module imports only from its own layer or below, and no import cycle
//! exists among the top-level modules, nor among the children of a directory module (checked by a
//! test reading the source tree, `src/architecture/`).
//! Data sits low, engines above it, glue on top.
//!
//! 1. [`redact`], [`json_out`], [`net`]: the one secret filter, the `--json` shape, the HTTP client
//!    builder.
//! 2. [`probes`]: health formats, verdicts and the HTTP prober; knows no lanes.
//! 3. [`config`]: paths, profiles, themes, provider targets, policy settings, with file:line
//!    errors; no ratatui, no clients.
//! 4. [`ledger`]: the append-only, hash-chained, fsynced journal (entries are data the model folds).
//! 5. [`model`]: the cockpit's state and every value passed around: lanes, rollouts, sign-off
//!    grid, command requests, progress, outcomes, poll results. No I/O, no ratatui.
//! 6. [`policy`] (go/no-go and command gates: pure functions of model data) and [`providers`]
//!    (real HTTP clients of Cloud Run v2, Cloud Deploy, GitHub Actions, and the script provider).
//! 7. [`sandbox`]: the embedded cloud (axum) speaking the real wire formats.
//! 8. [`ui`]: views, one file per screen region; pure functions of the model, no messages.
//! 9. [`commands`]: the command engine (one wire operation at a time, gates, ledger records).
//! 10. [`msg`]: `Msg` (inputs) and `Cmd` (effects as data).
//! 11. [`update`]: the pure state transition.
//! 12. [`keymap`] (keys → `Msg`) and [`terminal`] (the panic-safe terminal guard).
//! 13. [`runtime`]: the one async loop; runs each `Cmd` and answers with a `Msg`.
//! 14. [`session`]: a profile and an optional sandbox address made ready to use.
//! 15. [`cli`]: clap arguments, printing and the one exit-code table; the cockpit's wiring.

#[cfg(test)]
mod architecture;
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
