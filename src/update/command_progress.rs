//! A running command's progress: the lane's canary step and bake countdown, and the activity pane.

use chrono::Duration;

use crate::model::command::Progress;
use crate::model::operations::Bake;
use crate::model::{Level, Model};

pub fn progress(model: &mut Model, progress: Progress) {
    let env = progress_env(&progress).to_string();
    let now = model.now;
    if let Some(running) = model.operations.running.get_mut(&env) {
        running.last = progress
            .to_string()
            .trim_start_matches(&format!("{env}: "))
            .to_string();
        match &progress {
            Progress::Baking { percent, secs, .. } => {
                running.bake = Some(Bake {
                    percent: *percent,
                    until: now + Duration::seconds(*secs),
                });
                running.percent = Some(*percent);
            }
            Progress::Sending { .. } | Progress::Settled { .. } => running.bake = None,
            _ => {}
        }
    }
    // A rollout this cockpit drives tells its story in its transitions and outcome; only its
    // troubles (retries, failed probes) are worth a line of their own.
    let hosted = model.operations.hosted.contains_key(&env);
    let level = match &progress {
        Progress::Operation { done: false, .. } | Progress::Reading { .. } => None,
        Progress::Probe { pass: true, .. } => None,
        Progress::Probe { pass: false, .. }
        | Progress::Uncertain { .. }
        | Progress::Retrying { .. } => Some(Level::Warn),
        Progress::Settled { .. } => Some(Level::Good),
        _ => Some(Level::Info),
    }
    .filter(|level| !hosted || *level == Level::Warn);
    if let Some(level) = level {
        let text = progress.to_string();
        let text = text.trim_start_matches(&format!("{env}: ")).to_string();
        model.log(Some(&env), level, text);
    }
    model.dirty = true;
}

fn progress_env(progress: &Progress) -> &str {
    match progress {
        Progress::Reading { env }
        | Progress::Sending { env, .. }
        | Progress::Operation { env, .. }
        | Progress::Uncertain { env, .. }
        | Progress::Retrying { env, .. }
        | Progress::AlreadyApplied { env }
        | Progress::Settled { env, .. }
        | Progress::Baking { env, .. }
        | Progress::Probe { env, .. }
        | Progress::Note { env, .. } => env,
    }
}
