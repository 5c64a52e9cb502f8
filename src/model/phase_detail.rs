//! A phase in depth: its steps (from the jobs the pipeline poll already reads) and, for a failed
//! job, its check run's annotations, fetched only when the user opens the phase.
//!
//! Pure data: no I/O, no clock reads, no ratatui.

use std::collections::BTreeMap;

pub use super::job_step::Step;
use super::pipeline::PhaseState;

/// A check-run annotation (`check-annotation`): where and why a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// `notice`, `warning` or `failure`.
    pub level: String,
    pub title: Option<String>,
    pub message: String,
    pub path: String,
    pub start_line: u64,
    pub end_line: u64,
    pub raw_details: Option<String>,
}

/// A check run's annotations as far as this cockpit knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Annotations {
    Loading,
    Loaded(Vec<Annotation>),
    Failed(String),
}

/// The phases pane's selection and what its detail overlay shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseSelection {
    /// The phase selected with j/k; `None` follows the current phase as the run moves on.
    pub cursor: Option<usize>,
    /// Rows scrolled down in the detail overlay.
    pub scroll: usize,
    /// By check-run id (a job's id), fetched when a failed phase is opened.
    pub annotations: BTreeMap<u64, Annotations>,
    /// The phase of a platform's rollout (Cloud Deploy) selected with j/k; `None` follows it.
    pub deploy_cursor: Option<usize>,
}

impl PhaseSelection {
    /// The selected phase of `run`: the cursor (clamped), else the current phase.
    pub fn selected(&self, run: &super::pipeline::Pipeline) -> Option<usize> {
        let last = run.phases.len().checked_sub(1)?;
        match self.cursor {
            Some(cursor) => Some(cursor.min(last)),
            None => run.current_phase(),
        }
    }

    /// The selected phase of a platform's `rollout`, as [`Self::selected`] for a build.
    pub fn selected_deploy(&self, rollout: &super::lane::DeployRollout) -> Option<usize> {
        let last = rollout.phases.len().checked_sub(1)?;
        match self.deploy_cursor {
            Some(cursor) => Some(cursor.min(last)),
            None => rollout.current_phase(),
        }
    }
}

/// One row of the phase detail overlay, in order; the view draws each, and scrolling stops at
/// the last one.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<'a> {
    Step(&'a Step),
    Blank,
    Heading(String),
    /// A failure said in a sentence (failing step and conclusion).
    Failure(String),
    /// `failure .github:12  Title` (an annotation's level, place and title).
    Annotation(&'a Annotation),
    /// A line of an annotation's message or details, or of a note.
    Text(String),
    /// Something dim: "no steps reported", "reading the annotations…".
    Note(String),
}

/// The rows of `phase`'s overlay: its steps, then for a failed job the failure in full.
pub fn rows<'a>(
    phase: &'a super::pipeline::Phase,
    annotations: Option<&'a Annotations>,
) -> Vec<Row<'a>> {
    let mut rows: Vec<Row> = phase.steps.iter().map(Row::Step).collect();
    if rows.is_empty() {
        rows.push(Row::Note("no steps reported yet".into()));
    }
    if !matches!(phase.state, PhaseState::Failed | PhaseState::Cancelled) {
        return rows;
    }
    rows.push(Row::Blank);
    let conclusion = phase.conclusion.as_deref().unwrap_or("failure");
    let failing = phase.steps.iter().find(|s| {
        matches!(s.state, PhaseState::Failed) || s.conclusion.as_deref() == Some("cancelled")
    });
    rows.push(Row::Failure(match failing {
        Some(step) => format!(
            "ended in {conclusion} at step {} \"{}\" ({})",
            step.number,
            step.name,
            step.conclusion.as_deref().unwrap_or(conclusion)
        ),
        None => format!("ended in {conclusion}"),
    }));
    match annotations {
        None => {}
        Some(Annotations::Loading) => rows.push(Row::Note("reading the annotations…".into())),
        Some(Annotations::Failed(error)) => {
            rows.push(Row::Note(format!("annotations unavailable: {error}")))
        }
        Some(Annotations::Loaded(list)) if list.is_empty() => {
            rows.push(Row::Note("the job left no annotations".into()))
        }
        Some(Annotations::Loaded(list)) => {
            rows.push(Row::Heading(format!("Annotations ({})", list.len())));
            for annotation in list {
                rows.push(Row::Annotation(annotation));
                let text = [Some(&annotation.message), annotation.raw_details.as_ref()];
                for line in text.into_iter().flatten().flat_map(|t| t.lines()) {
                    rows.push(Row::Text(line.to_string()));
                }
            }
        }
    }
    rows
}
