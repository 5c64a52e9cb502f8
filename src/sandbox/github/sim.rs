//! The simulated pipeline: runs whose ten jobs (seed 000) progress with simulated time.
//! Everything here is a function of the state and a simulated instant `now` (seconds).

use crate::model::pipeline::SEED_PHASES;

/// Simulated seconds between a dispatch and the first job starting.
pub const QUEUE_SECS: f64 = 5.0;
/// The job gated by the `prod` environment approval (the "Production Deployment" phase).
pub const GATED_JOB: usize = 8;
pub const PROD_ENV_ID: u64 = 161_171_787;

/// Step names per phase (2–4 each), after the seed's sub-sections.
pub const STEPS: [&[&str]; 10] = [
    &[
        "Set up job",
        "Verify Python environment",
        "Validate configuration",
    ],
    &[
        "Install dependencies",
        "Install ML model dependencies",
        "Audit dependencies",
    ],
    &["Run code quality checks", "Run security scanning"],
    &[
        "Run unit tests",
        "Run integration tests",
        "Run HIPAA compliance tests",
    ],
    &[
        "Validate PAT model",
        "Check model versioning and reproducibility",
    ],
    &["Run compliance automation", "Verify data privacy"],
    &["Package application", "Push artifacts"],
    &["Pre-deployment validation", "Validate configuration"],
    &[
        "Deploy revision",
        "Run database migrations",
        "Shift traffic",
    ],
    &["Production health checks", "Monitor performance"],
];

/// Phase `i`'s simulated duration: the midpoint of the seed's range.
pub fn duration(i: usize) -> f64 {
    SEED_PHASES
        .get(i)
        .map_or(60.0, |(_, lo, hi)| f64::from(lo + hi) * 30.0)
}

#[derive(Debug, Clone)]
pub struct SimRun {
    pub id: u64,
    pub run_number: u64,
    pub version: String,
    pub head_sha: String,
    pub git_ref: String,
    pub event: String,
    pub start: f64,
    /// 0-based index of the job that fails.
    pub fail_at: Option<usize>,
    /// Waits for a `prod` approval before [`GATED_JOB`].
    pub gate: bool,
    pub approved_at: Option<f64>,
    pub rejected_at: Option<f64>,
    pub cancelled_at: Option<f64>,
    /// How many jobs (default the ten seed phases; more repeat them, as a matrix would).
    pub job_count: usize,
    /// Every job lasts this many simulated seconds (default: the seed's midpoints).
    pub job_secs: Option<f64>,
    /// Simulated instant from which the run shows in run lists (GitHub lists a dispatched run
    /// only a few seconds after the dispatch).
    pub listed_from: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub name: &'static str,
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub started: Option<f64>,
    pub completed: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    pub index: usize,
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub started: Option<f64>,
    pub completed: Option<f64>,
    pub steps: Vec<StepView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub updated: f64,
    /// When the run began waiting for the approval (while `status == "waiting"`).
    pub waiting_since: Option<f64>,
    pub jobs: Vec<JobView>,
}

#[derive(Clone, Copy, PartialEq)]
enum Halt {
    Failed,
    Cancelled,
    Waiting,
}

/// Steps of phase `i` planned over `start..end`, as seen at `now`. `outcome` is the job's
/// conclusion once it is known: `failure` fails the last step; `cancelled` stops at `now`.
fn steps(i: usize, start: f64, end: f64, now: f64, outcome: Option<&'static str>) -> Vec<StepView> {
    let names = STEPS.get(i % STEPS.len()).copied().unwrap_or(&["Run"]);
    let len = (end - start) / names.len() as f64;
    let cancelled = outcome == Some("cancelled");
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let last = k + 1 == names.len();
            let (s, e) = (
                start + len * k as f64,
                if last {
                    end
                } else {
                    start + len * (k + 1) as f64
                },
            );
            let (status, conclusion, started, completed) = if now >= e {
                let c = if last && outcome == Some("failure") {
                    "failure"
                } else {
                    "success"
                };
                ("completed", Some(c), Some(s), Some(e))
            } else if now >= s && cancelled {
                ("completed", Some("cancelled"), Some(s), Some(now))
            } else if now >= s {
                ("in_progress", None, Some(s), None)
            } else if cancelled {
                ("completed", Some("skipped"), None, None)
            } else {
                ("queued", None, None, None)
            };
            StepView {
                name,
                status,
                conclusion,
                started,
                completed,
            }
        })
        .collect()
}

fn job(
    index: usize,
    status: &'static str,
    conclusion: Option<&'static str>,
    at: Option<f64>,
) -> JobView {
    JobView {
        index,
        status,
        conclusion,
        started: at,
        completed: at.filter(|_| status == "completed"),
        steps: vec![],
    }
}

/// Job `i`'s name: the seed phase, numbered when the run repeats the phases.
pub fn job_name(i: usize, count: usize) -> String {
    let name = SEED_PHASES[i % SEED_PHASES.len()].0;
    if count > SEED_PHASES.len() {
        format!("{name} ({}/{count})", i + 1)
    } else {
        name.to_string()
    }
}

impl SimRun {
    fn job_duration(&self, i: usize) -> f64 {
        self.job_secs
            .unwrap_or_else(|| duration(i % SEED_PHASES.len()))
    }

    /// The run and its jobs as they are at simulated instant `now`.
    pub fn view(&self, now: f64) -> RunView {
        let mut t = self.start + QUEUE_SECS;
        let mut halt: Option<(Halt, f64)> = None;
        let mut updated = self.start;
        let mut jobs = Vec::with_capacity(self.job_count);
        let cancel = self.cancelled_at.filter(|c| *c <= now);
        for i in 0..self.job_count {
            if let Some((h, at)) = halt {
                jobs.push(match h {
                    Halt::Failed => job(i, "completed", Some("skipped"), Some(at)),
                    Halt::Cancelled => job(i, "completed", Some("cancelled"), None),
                    Halt::Waiting => job(i, "queued", None, None),
                });
                continue;
            }
            let d = self.job_duration(i);
            let gated = self.gate && i == GATED_JOB;
            if gated {
                if let Some(r) = self.rejected_at.filter(|r| *r <= now && *r >= t) {
                    jobs.push(job(i, "completed", Some("failure"), Some(r)));
                    (halt, updated) = (Some((Halt::Failed, r)), r);
                    continue;
                }
                match self.approved_at.filter(|a| *a <= now) {
                    Some(a) => t = t.max(a),
                    None if now >= t => {
                        if let Some(c) = cancel {
                            jobs.push(job(i, "completed", Some("cancelled"), Some(c.max(t))));
                            (halt, updated) = (Some((Halt::Cancelled, c)), c.max(t));
                        } else {
                            jobs.push(job(i, "waiting", None, None));
                            (halt, updated) = (Some((Halt::Waiting, t)), t);
                        }
                        continue;
                    }
                    None => {}
                }
            }
            let end = t + d;
            if let Some(c) = cancel.filter(|c| *c < end) {
                let mut j = job(i, "completed", Some("cancelled"), None);
                if c >= t {
                    (j.started, j.completed, j.steps) =
                        (Some(t), Some(c), steps(i, t, end, c, Some("cancelled")));
                }
                jobs.push(j);
                (halt, updated) = (Some((Halt::Cancelled, c)), c);
                continue;
            }
            if now < t {
                jobs.push(job(i, "queued", None, None));
            } else if now < end {
                let mut j = job(i, "in_progress", None, Some(t));
                j.steps = steps(i, t, end, now, None);
                updated = t;
                jobs.push(j);
            } else {
                let failed = self.fail_at == Some(i);
                let outcome = if failed { "failure" } else { "success" };
                let mut j = job(i, "completed", Some(outcome), Some(t));
                (j.completed, j.steps) = (Some(end), steps(i, t, end, now, Some(outcome)));
                jobs.push(j);
                updated = end;
                if failed {
                    halt = Some((Halt::Failed, end));
                }
            }
            t = end;
        }
        let done = jobs.iter().all(|j| j.status == "completed");
        let (status, conclusion) = match halt {
            Some((Halt::Failed, _)) => ("completed", Some("failure")),
            Some((Halt::Cancelled, _)) => ("completed", Some("cancelled")),
            Some((Halt::Waiting, _)) => ("waiting", None),
            None if done => ("completed", Some("success")),
            None if now < self.start + QUEUE_SECS => ("queued", None),
            None => ("in_progress", None),
        };
        let waiting_since = halt.filter(|h| h.0 == Halt::Waiting).map(|h| h.1);
        RunView {
            status,
            conclusion,
            updated,
            waiting_since,
            jobs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> SimRun {
        SimRun {
            id: 1,
            run_number: 1,
            version: "1.0.0".into(),
            head_sha: "abc".into(),
            git_ref: "main".into(),
            event: "workflow_dispatch".into(),
            start: 0.0,
            fail_at: None,
            gate: false,
            approved_at: None,
            rejected_at: None,
            cancelled_at: None,
            job_count: 10,
            job_secs: None,
            listed_from: 0.0,
        }
    }

    /// How many times the run body and the jobs body change over a whole run: what a poller
    /// using ETags pays for, whatever its interval (as long as it is shorter than a step).
    #[test]
    fn github_sim_body_changes_per_run() {
        let r = run();
        let (mut run_changes, mut job_changes) = (0, 0);
        let mut prev = r.view(-1.0);
        let end = QUEUE_SECS + (0..10).map(duration).sum::<f64>();
        let mut t = 0.0;
        while t <= end + 1.0 {
            let v = r.view(t);
            run_changes += usize::from(
                (v.status, v.conclusion, v.updated) != (prev.status, prev.conclusion, prev.updated),
            );
            job_changes += usize::from(v.jobs != prev.jobs);
            prev = v;
            t += 1.0;
        }
        assert_eq!(prev.status, "completed");
        assert_eq!(prev.conclusion, Some("success"));
        let steps: usize = STEPS.iter().map(|s| s.len()).sum();
        // Run: each job start/end instant (shared boundaries) + the final success.
        assert!(run_changes <= 12, "{run_changes}");
        // Jobs: each step boundary (24 steps) plus the first job starting.
        assert!(job_changes <= steps + 2, "{job_changes} > {steps} + 2");
        eprintln!("5460 s run: run body changed {run_changes}x, jobs body {job_changes}x");
    }

    #[test]
    fn github_sim_gate_waits_until_approved() {
        let mut r = run();
        r.gate = true;
        let at_gate = QUEUE_SECS + (0..GATED_JOB).map(duration).sum::<f64>();
        let v = r.view(at_gate + 10_000.0);
        assert_eq!((v.status, v.waiting_since), ("waiting", Some(at_gate)));
        assert_eq!(v.jobs[GATED_JOB].status, "waiting");
        r.approved_at = Some(at_gate + 100.0);
        let v = r.view(at_gate + 101.0);
        assert_eq!(
            (v.status, v.jobs[GATED_JOB].status),
            ("in_progress", "in_progress")
        );
        assert_eq!(v.jobs[GATED_JOB].started, Some(at_gate + 100.0));
    }
}
