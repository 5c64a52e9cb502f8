//! The rollback dialog's rows and its default: "previous" is the revision that served 100 % before
//! the current release began (from the ledger's rollouts), never simply the older revision.

use crate::model::Model;

/// The ledger's "previous" for `env`, if it knows one and the lane still lists it.
pub fn previous(model: &Model, env: &str) -> Option<String> {
    let from = model
        .operations
        .rollouts
        .release_to_undo(env)?
        .rollout
        .from_revision
        .clone();
    let lane = model.lanes.iter().find(|l| l.env == env)?;
    let service = lane.service.as_ref()?;
    service
        .revisions
        .iter()
        .find(|r| r.name == from || r.short == from)
        .map(|r| r.short.clone())
}

fn age(model: &Model, created: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let Some(created) = created else {
        return "age unknown".into();
    };
    let secs = (model.now - created).num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s old"),
        60..3600 => format!("{}m old", secs / 60),
        3600..86400 => format!("{}h {}m old", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d old", secs / 86400),
    }
}

/// `00007-old (1.4.0, 2h 5m old)`.
pub fn about(model: &Model, env: &str, revision: &str) -> String {
    let found = model
        .lanes
        .iter()
        .find(|l| l.env == env)
        .and_then(|l| l.service.as_ref())
        .and_then(|s| {
            s.revisions
                .iter()
                .find(|r| r.short == revision || r.name == revision)
        });
    match found {
        Some(r) => format!("{} ({}, {})", r.short, r.version, age(model, r.created)),
        None => revision.to_string(),
    }
}

/// One row per revision, newest first: name, version, age, and what it is (serving N %,
/// ◀ previous, ready, not ready).
pub fn rows(model: &Model, lane: usize) -> Vec<String> {
    let Some(service) = model.lanes.get(lane).and_then(|l| l.service.as_ref()) else {
        return Vec::new();
    };
    let env = &model.lanes[lane].env;
    let previous = previous(model, env);
    let release = model
        .operations
        .rollouts
        .release_to_undo(env)
        .map(|t| crate::model::lane::version_of_image(&t.rollout.image));
    service
        .revisions
        .iter()
        .take(8)
        .map(|r| {
            let serving = service
                .traffic
                .iter()
                .find(|t| t.short == r.short)
                .map(|t| t.percent);
            let mark = match (serving, previous.as_deref() == Some(r.short.as_str())) {
                (_, true) => format!(
                    "◀ previous: served 100% before {} began (Enter)",
                    release.as_deref().unwrap_or("this release")
                ),
                (Some(percent), false) => format!("serving {percent}%"),
                (None, false) if r.ready => "ready".into(),
                (None, false) => "not ready".into(),
            };
            format!(
                "{:<12} {:<12} {:<10} {mark}",
                r.short,
                r.version,
                age(model, r.created)
            )
        })
        .collect()
}
