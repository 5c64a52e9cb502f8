//! The one async loop: keys, timers and task results become messages; `update` returns commands,
//! which run in tasks; the view is drawn only when something changed, at most 60 times a second.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

mod alert_out;
pub mod command_history;
mod command_runner;
mod effects;
mod lane_source;
mod ledger_follow;
mod pipeline_watch;
mod signals;

pub use alert_out::DesktopNotify;
pub use command_runner::CommandRunner;
pub use effects::{Effects, LaneSource, LedgerHandle, ProbeRunner};
pub use pipeline_watch::{PipelinePoll, PipelineSource};
pub use signals::Signals;

use ratatui::backend::Backend;
use ratatui::{Frame, Terminal};

use crate::model::{Model, Overlay};
use crate::msg::Msg;
use crate::terminal::TerminalGuard;
use crate::ui::prompt::{PromptEditor, PromptEvent};
use crate::ui::{self, UiContext};
use crate::update::update;

const FRAME_BUDGET: Duration = Duration::from_millis(16);

/// Where frames go: the real terminal (inside synchronized updates) or, in tests, any ratatui
/// backend such as `TestBackend`.
pub trait Screen {
    fn draw_frame(&mut self, whole: bool, render: impl FnOnce(&mut Frame)) -> std::io::Result<()>;

    /// Bytes outside any frame (the bell, a desktop notification); a test backend drops them.
    fn write_raw(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    /// Whether URLs on screen may be OSC 8 hyperlinks; a test backend shows plain text.
    fn hyperlinks(&self) -> bool {
        false
    }
}

impl Screen for TerminalGuard {
    fn draw_frame(&mut self, whole: bool, render: impl FnOnce(&mut Frame)) -> std::io::Result<()> {
        self.draw(whole, render)
    }

    fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        TerminalGuard::write_raw(self, bytes)
    }

    fn hyperlinks(&self) -> bool {
        static ALLOWED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *ALLOWED.get_or_init(ui::lane_detail_links::terminal_allows_from_env)
    }
}

impl<B: Backend> Screen for Terminal<B> {
    fn draw_frame(&mut self, _whole: bool, render: impl FnOnce(&mut Frame)) -> std::io::Result<()> {
        self.draw(render)
            .map(|_| ())
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// The cockpit in the real terminal: SIGTERM, SIGHUP and SIGINT become messages, and the
/// terminal is restored on every way out. `mouse`: clicks and the wheel are captured (the
/// profile's `[ui] mouse`).
pub async fn run(
    model: Model,
    ui: UiContext,
    effects: Effects,
    probe_reports: mpsc::Receiver<crate::probes::ProbeReport>,
    mouse: bool,
) -> std::io::Result<()> {
    let signals = signals::Signals::new()?;
    let mut guard = TerminalGuard::enter(mouse)?;
    let events = EventStream::new();
    let result = run_on(
        &mut guard,
        events,
        Some(signals),
        model,
        ui,
        effects,
        probe_reports,
    )
    .await;
    drop(guard);
    result.map(|_| ())
}

async fn next_signal(signals: &mut Option<signals::Signals>) -> String {
    match signals {
        Some(signals) => signals.recv().await,
        None => std::future::pending().await,
    }
}

/// The loop itself, on any screen and any stream of terminal events (a test sends synthetic
/// keys and reads a `TestBackend`); returns the model it ended with.
pub async fn run_on<S: Screen, E>(
    guard: &mut S,
    mut events: E,
    mut signals: Option<signals::Signals>,
    mut model: Model,
    ui: UiContext,
    effects: Effects,
    mut probe_reports: mpsc::Receiver<crate::probes::ProbeReport>,
) -> std::io::Result<Model>
where
    E: futures::Stream<Item = std::io::Result<Event>> + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut clock = interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut poll = interval(Duration::from_secs(model.poll_interval_secs.max(1)));
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_frame = Instant::now() - FRAME_BUDGET;
    // The comment popup's text: view state that lives only while the popup is open.
    let mut editor: Option<PromptEditor> = None;
    // The screen as last drawn: mouse events are measured against its layout.
    let mut screen_area = ratatui::layout::Rect::default();
    effects.follow_ledger(&tx);

    // Whether the next frame holds more than the clock's seconds: only then is it worth wrapping
    // in a synchronized update (16 bytes a frame, a kilobyte a minute at 1 Hz).
    let mut more_than_the_clock = true;
    loop {
        let next_frame = model.dirty.then_some(last_frame + FRAME_BUDGET);
        let msg = tokio::select! {
            event = events.next() => match (event, editor.as_mut()) {
                (Some(Ok(Event::Key(key))), Some(editor)) => {
                    model.dirty = true;
                    more_than_the_clock = true;
                    editor.key(key).map(|event| match event {
                        PromptEvent::Cancelled => Msg::PromptCancelled,
                        PromptEvent::Submitted(text) => Msg::PromptSubmitted(text),
                        PromptEvent::LineKey { key, text } => Msg::CommandLineKey { key, text },
                    })
                }
                (Some(Ok(Event::Paste(text))), Some(editor)) => {
                    model.dirty = true;
                    more_than_the_clock = true;
                    editor.paste(&text);
                    None
                }
                (Some(Ok(Event::Key(key))), None) => crate::keymap::map(key),
                (Some(Ok(Event::Mouse(mouse))), None) => {
                    crate::keymap::mouse(&model, screen_area, mouse)
                }
                (Some(Ok(Event::Resize(_, _))), _) => Some(Msg::Resized),
                (Some(Ok(_)), _) => None,
                (Some(Err(e)), _) => return Err(e),
                (None, _) => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            why = next_signal(&mut signals) => Some(Msg::Signal(why)),
            Some(report) = probe_reports.recv() => Some(Msg::ProbeReport(Box::new(report))),
            _ = clock.tick() => Some(Msg::Tick { now: Utc::now() }),
            _ = poll.tick() => Some(Msg::PollDue { now: Utc::now() }),
            _ = sleep_until(next_frame.unwrap_or_else(Instant::now)), if next_frame.is_some() => {
                let hyperlinks = guard.hyperlinks();
                guard.draw_frame(more_than_the_clock, |frame| {
                    screen_area = frame.area();
                    ui::view(&model, &ui, frame);
                    if hyperlinks {
                        ui::lane_detail_links::decorate(&model, frame);
                    }
                    if let (Overlay::Prompt(purpose), Some(editor)) = (&model.overlay, editor.as_mut()) {
                        editor.render(purpose, &ui, frame, ui::prompt::area(purpose, frame.area()));
                    }
                })?;
                model.dirty = false;
                more_than_the_clock = false;
                last_frame = Instant::now();
                None
            }
        };
        if let Some(msg) = msg {
            let tick = matches!(msg, Msg::Tick { .. });
            // A prompt open after an answer is the next question (override reason, then the
            // confirmation): it starts with an empty text.
            let answered = matches!(msg, Msg::PromptSubmitted(_) | Msg::PromptCancelled);
            for cmd in update(&mut model, msg) {
                if let crate::msg::Cmd::Alert(alert) = &cmd {
                    let bytes = alert_out::terminal_bytes(alert, &model.service, effects.desktop);
                    guard.write_raw(&bytes)?;
                    alert_out::run_command(&effects.notify, alert, &model.service);
                }
                effects.spawn(cmd, &tx);
            }
            more_than_the_clock |= model.dirty && !tick;
            if let (Some(text), Some(editor)) = (model.command_line.replace.take(), editor.as_mut())
            {
                let candidates = model
                    .command_line
                    .cycle
                    .as_ref()
                    .map(|c| (c.candidates.clone(), c.index));
                editor.set_text(&text, candidates);
            }
            match (&model.overlay, editor.is_some()) {
                (Overlay::Prompt(prompt), false) => editor = Some(PromptEditor::new(prompt)),
                (Overlay::Prompt(prompt), true) if answered => {
                    editor = Some(PromptEditor::new(prompt));
                }
                (Overlay::Prompt(_), true) => {}
                (_, true) => editor = None,
                (_, false) => {}
            }
        }
        if model.quitting {
            break;
        }
    }
    effects.flush().await;
    Ok(model)
}
