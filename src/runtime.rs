//! The one async loop: keys, timers and task results become messages; `update` returns commands,
//! which run in tasks; the view is drawn only when something changed, at most 60 times a second.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use crate::model::Model;
use crate::msg::{Cmd, Msg};
use crate::providers::cloudrun::CloudRunClient;
use crate::terminal::TerminalGuard;
use crate::ui::{self, UiContext};
use crate::update::update;

const FRAME_BUDGET: Duration = Duration::from_millis(16);

/// Where each lane's data comes from (enum dispatch as providers are added).
#[derive(Debug, Clone)]
pub enum LaneSource {
    CloudRun {
        client: CloudRunClient,
        service: String,
    },
}

/// Runs commands in tasks; each answers with a message on `tx`.
#[derive(Debug, Clone)]
pub struct Effects {
    pub lanes: Vec<LaneSource>,
}

impl Effects {
    pub fn spawn(&self, cmd: Cmd, tx: &mpsc::UnboundedSender<Msg>) {
        match cmd {
            Cmd::FetchLane { lane } => {
                let Some(source) = self.lanes.get(lane).cloned() else {
                    return;
                };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let result = match source {
                        LaneSource::CloudRun { client, service } => client
                            .fetch_state(&service)
                            .await
                            .map(Box::new)
                            .map_err(|e| e.to_string()),
                    };
                    let _ = tx.send(Msg::LaneFetched {
                        lane,
                        at: Utc::now(),
                        result,
                    });
                });
            }
        }
    }
}

pub async fn run(mut model: Model, ui: UiContext, effects: Effects) -> std::io::Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut clock = interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut poll = interval(Duration::from_secs(model.poll_interval_secs.max(1)));
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_frame = Instant::now() - FRAME_BUDGET;

    loop {
        let next_frame = model.dirty.then_some(last_frame + FRAME_BUDGET);
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => crate::keymap::map(key),
                Some(Ok(Event::Resize(_, _))) => Some(Msg::Resized),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = clock.tick() => Some(Msg::Tick { now: Utc::now() }),
            _ = poll.tick() => Some(Msg::PollDue { now: Utc::now() }),
            _ = sleep_until(next_frame.unwrap_or_else(Instant::now)), if next_frame.is_some() => {
                guard.draw(|frame| ui::view(&model, &ui, frame))?;
                model.dirty = false;
                last_frame = Instant::now();
                None
            }
        };
        if let Some(msg) = msg {
            for cmd in update(&mut model, msg) {
                effects.spawn(cmd, &tx);
            }
        }
        if model.quitting {
            break;
        }
    }
    drop(guard);
    Ok(())
}
