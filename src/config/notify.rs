//! The profile's `[notify]` table: a command per alert event, run without a shell, with the event
//! as one JSON object on its stdin (for chat webhooks and pagers).
//!
//! ```toml
//! [notify]
//! build_failed = ["/usr/local/bin/post-to-chat", "#releases"]
//! auto_rollback = ["/usr/local/bin/page", "release-oncall"]
//! ```

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    pub build_failed: Option<Vec<String>>,
    pub canary_finished: Option<Vec<String>>,
    pub auto_rollback: Option<Vec<String>>,
    pub api_stale: Option<Vec<String>>,
    pub ledger_unavailable: Option<Vec<String>>,
    pub signature_replaced: Option<Vec<String>>,
}

impl NotifySection {
    /// The argv for the event named `event` (`build_failed`, …); None when none is configured.
    pub fn command_for(&self, event: &str) -> Option<&[String]> {
        let argv = match event {
            "build_failed" => &self.build_failed,
            "canary_finished" => &self.canary_finished,
            "auto_rollback" => &self.auto_rollback,
            "api_stale" => &self.api_stale,
            "ledger_unavailable" => &self.ledger_unavailable,
            "signature_replaced" => &self.signature_replaced,
            _ => &None,
        };
        argv.as_deref().filter(|a| !a.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_has_its_own_argv_and_unknown_events_are_refused() {
        let notify: NotifySection =
            toml::from_str("build_failed = [\"post\", \"#rel\"]\napi_stale = []").unwrap();
        assert_eq!(
            notify.command_for("build_failed"),
            Some(&["post".to_string(), "#rel".to_string()][..])
        );
        assert_eq!(notify.command_for("api_stale"), None);
        assert_eq!(notify.command_for("canary_finished"), None);
        assert!(toml::from_str::<NotifySection>("build_broke = [\"x\"]").is_err());
    }
}
