//! The one async loop: keys, timers and task results become messages; `update` returns commands,
//! which run in tasks; the view is drawn only when something changed, at most 60 times a second.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

mod command_runner;
mod effects;
mod lane_source;
mod ledger_follow;
mod pipeline_watch;
mod signals;

pub use command_runner::CommandRunner;
pub use effects::{Effects, LaneSource, LedgerHandle, ProbeRunner};
pub use pipeline_watch::{PipelinePoll, PipelineSource};

use crate::model::{Model, Overlay};
use crate::msg::Msg;
use crate::terminal::TerminalGuard;
use crate::ui::prompt::PromptEditor;
use crate::ui::{self, UiContext};
use crate::update::update;

const FRAME_BUDGET: Duration = Duration::from_millis(16);

pub async fn run(
    mut model: Model,
    ui: UiContext,
    effects: Effects,
    mut probe_reports: mpsc::Receiver<crate::probes::ProbeReport>,
) -> std::io::Result<()> {
    let mut signals = signals::Signals::new()?;
    let mut guard = TerminalGuard::enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut clock = interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut poll = interval(Duration::from_secs(model.poll_interval_secs.max(1)));
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_frame = Instant::now() - FRAME_BUDGET;
    // The comment popup's text: view state that lives only while the popup is open.
    let mut editor: Option<PromptEditor> = None;
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
                    editor.key(key)
                }
                (Some(Ok(Event::Paste(text))), Some(editor)) => {
                    model.dirty = true;
                    more_than_the_clock = true;
                    editor.paste(&text);
                    None
                }
                (Some(Ok(Event::Key(key))), None) => crate::keymap::map(key),
                (Some(Ok(Event::Resize(_, _))), _) => Some(Msg::Resized),
                (Some(Ok(_)), _) => None,
                (Some(Err(e)), _) => return Err(e),
                (None, _) => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            why = signals.recv() => Some(Msg::Signal(why)),
            Some(report) = probe_reports.recv() => Some(Msg::ProbeReport(Box::new(report))),
            _ = clock.tick() => Some(Msg::Tick { now: Utc::now() }),
            _ = poll.tick() => Some(Msg::PollDue { now: Utc::now() }),
            _ = sleep_until(next_frame.unwrap_or_else(Instant::now)), if next_frame.is_some() => {
                guard.draw(more_than_the_clock, |frame| {
                    ui::view(&model, &ui, frame);
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
            for cmd in update(&mut model, msg) {
                effects.spawn(cmd, &tx);
            }
            more_than_the_clock |= model.dirty && !tick;
            match (&model.overlay, editor.is_some()) {
                (Overlay::Prompt(prompt), false) => editor = Some(PromptEditor::new(prompt)),
                (Overlay::Prompt(_), true) => {}
                (_, true) => editor = None,
                (_, false) => {}
            }
        }
        if model.quitting {
            break;
        }
    }
    drop(guard);
    Ok(())
}
