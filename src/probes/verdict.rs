//! Per-probe verdict with hysteresis, and the lane verdict. Pure: plain data updated by
//! [`ProbeState::record`]; the clock is an argument of [`ProbeState::verdict`].
//!
//! Rules:
//! - `Unknown` before the first result.
//! - `Stale` when the last result is older than `2 × interval + timeout` at `now` (a probe
//!   that times out reports every `max(interval, timeout)`, which must not read as stale).
//! - `Fail` once `failure_threshold` consecutive results failed; it is left after
//!   `success_threshold` consecutive non-failing results.
//! - `Warn` when not failing but some of the last [`FLAP_WINDOW`] results failed
//!   ("flapping: 1 of last 10 failed"), or when the last result itself says warn. The failures
//!   of an outage that reached `Fail` are forgotten once it recovered: that is not flapping.
//! - `Pass` otherwise.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Health, ProbeReport, ProbeSpec};

/// Results remembered to detect flapping.
pub const FLAP_WINDOW: usize = 10;
/// Latencies remembered for a sparkline.
pub const LATENCY_HISTORY: usize = 30;

/// The displayed state of a probe or a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    Stale,
    Unknown,
}

impl Verdict {
    /// Severity for "worst of": fail > warn > stale > unknown > pass (unknown is never green).
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Unknown => 1,
            Verdict::Stale => 2,
            Verdict::Warn => 3,
            Verdict::Fail => 4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Stale => "stale",
            Verdict::Unknown => "unknown",
        }
    }
}

/// The worst verdict of a lane's probes; a lane without probes is `Unknown`.
pub fn lane_verdict(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts
        .into_iter()
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Unknown)
}

/// A verdict with the words to show next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictView {
    pub verdict: Verdict,
    pub reason: Option<String>,
}

/// One latency sample for a sparkline, with the health of that run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LatencySample {
    pub latency_ms: u64,
    /// The same in microseconds: loopback answers are sub-millisecond, and a sparkline of whole
    /// milliseconds would be flat.
    #[serde(skip)]
    pub latency_us: u64,
    pub status: Health,
}

/// Everything the model keeps per probe.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeState {
    pub failure_threshold: u32,
    pub success_threshold: u32,
    pub stale_after: Duration,
    consecutive_failures: u32,
    consecutive_successes: u32,
    failing: bool,
    recent: VecDeque<bool>,
    latencies: VecDeque<LatencySample>,
    last: Option<ProbeReport>,
}

impl ProbeState {
    /// Thresholds below 1 are treated as 1.
    pub fn new(
        failure_threshold: u32,
        success_threshold: u32,
        interval: Duration,
        timeout: Duration,
    ) -> Self {
        ProbeState {
            failure_threshold: failure_threshold.max(1),
            success_threshold: success_threshold.max(1),
            stale_after: interval * 2 + timeout,
            consecutive_failures: 0,
            consecutive_successes: 0,
            failing: false,
            recent: VecDeque::with_capacity(FLAP_WINDOW),
            latencies: VecDeque::with_capacity(LATENCY_HISTORY),
            last: None,
        }
    }

    pub fn from_spec(spec: &ProbeSpec) -> Self {
        let timeout = Duration::from_millis(spec.timeout_ms);
        ProbeState::new(
            spec.failure_threshold,
            spec.success_threshold,
            spec.interval(),
            timeout,
        )
    }

    /// Folds one result in. Pure; ignores the wall clock.
    pub fn record(&mut self, report: ProbeReport) {
        let failed = report.outcome.is_failure();
        if failed {
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            self.consecutive_successes = 0;
            if self.consecutive_failures >= self.failure_threshold {
                self.failing = true;
            }
        } else {
            self.consecutive_successes = self.consecutive_successes.saturating_add(1);
            self.consecutive_failures = 0;
            if self.consecutive_successes >= self.success_threshold {
                if self.failing {
                    // The outage was shown as fail and the recovery has been confirmed: its
                    // failures are not "flapping" (they read as warn for ten more results).
                    self.recent.clear();
                }
                self.failing = false;
            }
        }
        push_bounded(&mut self.recent, failed, FLAP_WINDOW);
        let sample = LatencySample {
            latency_ms: u64::try_from(report.outcome.latency.as_millis()).unwrap_or(u64::MAX),
            latency_us: u64::try_from(report.outcome.latency.as_micros()).unwrap_or(u64::MAX),
            status: report.outcome.status,
        };
        push_bounded(&mut self.latencies, sample, LATENCY_HISTORY);
        self.last = Some(report);
    }

    /// The verdict at `now`.
    pub fn verdict(&self, now: DateTime<Utc>) -> VerdictView {
        let Some(last) = &self.last else {
            return view(Verdict::Unknown, Some("no result yet".into()));
        };
        let age = now
            .signed_duration_since(last.at)
            .to_std()
            .unwrap_or_default();
        if age > self.stale_after {
            let settled = self.settled();
            let why = format!(
                "stale: last result {} s ago (was {})",
                age.as_secs(),
                settled.as_str()
            );
            return view(Verdict::Stale, Some(why));
        }
        let reason = last.outcome.reason.clone();
        if self.failing {
            let n = self.consecutive_failures;
            let why = if n > 0 {
                let r = reason.unwrap_or_else(|| "failed".into());
                format!("{r} ({n} in a row)")
            } else {
                let (k, of) = (self.consecutive_successes, self.success_threshold);
                format!("recovering: {k} of {of} successes needed")
            };
            return view(Verdict::Fail, Some(why));
        }
        let failed = self.recent.iter().filter(|f| **f).count();
        if failed > 0 {
            let n = self.recent.len();
            let mut why = format!("flapping: {failed} of last {n} failed");
            if let Some(r) = reason.as_ref().filter(|_| last.outcome.is_failure()) {
                why.push_str(&format!(" ({r})"));
            }
            return view(Verdict::Warn, Some(why));
        }
        if last.outcome.status == Health::Warn {
            return view(Verdict::Warn, reason);
        }
        view(Verdict::Pass, None)
    }

    /// The verdict ignoring age (what the probe said last, with hysteresis).
    pub fn settled(&self) -> Verdict {
        match &self.last {
            None => Verdict::Unknown,
            Some(_) if self.failing => Verdict::Fail,
            Some(_) if self.recent.iter().any(|f| *f) => Verdict::Warn,
            Some(last) if last.outcome.status == Health::Warn => Verdict::Warn,
            Some(_) => Verdict::Pass,
        }
    }

    /// Oldest first, at most [`LATENCY_HISTORY`].
    pub fn latencies(&self) -> impl ExactSizeIterator<Item = &LatencySample> {
        self.latencies.iter()
    }

    pub fn last(&self) -> Option<&ProbeReport> {
        self.last.as_ref()
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }
}

fn view(verdict: Verdict, reason: Option<String>) -> VerdictView {
    VerdictView { verdict, reason }
}

fn push_bounded<T>(q: &mut VecDeque<T>, item: T, cap: usize) {
    if q.len() == cap {
        q.pop_front();
    }
    q.push_back(item);
}
