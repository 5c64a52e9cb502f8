//! Alerts: events that must reach the user even when they look away. Each stays in the banner
//! until acknowledged; raising one also asks the runtime for the bell, a desktop notification and
//! the profile's `notify_command` (see `Cmd::Alert`).

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    BuildFailed,
    CanaryFinished,
    AutoRollback,
    ApiStale,
    LedgerUnavailable,
    SignatureReplaced,
}

impl AlertKind {
    /// The event's name in JSON and in the profile's `[notify]` table.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::BuildFailed => "build_failed",
            AlertKind::CanaryFinished => "canary_finished",
            AlertKind::AutoRollback => "auto_rollback",
            AlertKind::ApiStale => "api_stale",
            AlertKind::LedgerUnavailable => "ledger_unavailable",
            AlertKind::SignatureReplaced => "signature_replaced",
        }
    }

    /// Good news is an alert too (a canary finished), but it is not drawn as a failure.
    pub fn is_bad(self) -> bool {
        self != AlertKind::CanaryFinished
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub lane: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
}

impl Alert {
    /// The event as one JSON object: what `notify_command` reads on stdin.
    pub fn to_json(&self, service: &str) -> String {
        serde_json::json!({
            "schema_version": 1,
            "event": self.kind.name(),
            "service": service,
            "lane": self.lane,
            "text": self.text,
            "at": self.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
        .to_string()
    }
}

/// The alerts not yet acknowledged, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    pub open: Vec<Alert>,
    /// Conditions (a stale lane, an unreadable ledger) acknowledged while they last: not raised
    /// again until [`Alerts::resolved`] says they ended.
    acknowledged: Vec<(AlertKind, Option<String>)>,
}

impl Alerts {
    /// Adds `alert` unless the same one (kind, lane, text) is already open; true when added.
    pub fn raise(&mut self, alert: Alert) -> bool {
        let known = self
            .open
            .iter()
            .any(|a| a.kind == alert.kind && a.lane == alert.lane && a.text == alert.text);
        if known {
            return false;
        }
        self.open.push(alert);
        true
    }

    /// Whether a condition of `kind` for `lane` is already told: open, or acknowledged while it lasts.
    pub fn has(&self, kind: AlertKind, lane: Option<&str>) -> bool {
        self.open
            .iter()
            .any(|a| a.kind == kind && a.lane.as_deref() == lane)
            || self
                .acknowledged
                .iter()
                .any(|(k, l)| *k == kind && l.as_deref() == lane)
    }

    /// The condition ended (the lane answers again, the ledger reads): its next start is news.
    pub fn resolved(&mut self, kind: AlertKind, lane: Option<&str>) {
        self.acknowledged
            .retain(|(k, l)| !(*k == kind && l.as_deref() == lane));
    }

    pub fn acknowledge_all(&mut self) -> usize {
        let count = self.open.len();
        for alert in self.open.drain(..) {
            if matches!(
                alert.kind,
                AlertKind::ApiStale | AlertKind::LedgerUnavailable
            ) {
                self.acknowledged.push((alert.kind, alert.lane));
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(text: &str) -> Alert {
        Alert {
            kind: AlertKind::BuildFailed,
            lane: None,
            text: text.into(),
            at: DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn the_same_alert_is_raised_once_until_acknowledged() {
        let mut alerts = Alerts::default();
        assert!(alerts.raise(alert("run #4 failed")));
        assert!(!alerts.raise(alert("run #4 failed")));
        assert!(alerts.raise(alert("run #5 failed")));
        assert_eq!(alerts.acknowledge_all(), 2);
        assert!(alerts.raise(alert("run #4 failed")));
    }

    #[test]
    fn the_event_json_names_the_event_with_a_second_precision_timestamp() {
        let json: serde_json::Value =
            serde_json::from_str(&alert("run #4 failed").to_json("svc")).unwrap();
        assert_eq!(json["event"], "build_failed");
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["at"], "2026-09-21T14:13:20Z");
        assert_eq!(json["lane"], serde_json::Value::Null);
    }
}
