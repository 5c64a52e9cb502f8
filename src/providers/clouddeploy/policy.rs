//! Cloud Deploy deploy policies (`projects.locations.deployPolicies`) as flightdeck freeze windows:
//! each `rolloutRestriction` of a policy that is not suspended, selects the lane's pipeline or
//! target, and restricts the `USER` invoker becomes one window per time window, named after the
//! policy and rule, carrying the actions it restricts and the policy to name in
//! `overrideDeployPolicy`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::lane::PlatformFreeze;
use crate::policy::FreezeWindow;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeployPolicy {
    pub name: String,
    pub suspended: bool,
    pub selectors: Vec<Selector>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Selector {
    pub delivery_pipeline: Option<Attribute>,
    pub target: Option<Attribute>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Attribute {
    pub id: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rule {
    pub rollout_restriction: Option<Restriction>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Restriction {
    pub id: String,
    pub invokers: Vec<String>,
    pub actions: Vec<String>,
    pub time_windows: TimeWindows,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeWindows {
    pub time_zone: String,
    pub one_time_windows: Vec<OneTimeWindow>,
    pub weekly_windows: Vec<WeeklyWindow>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OneTimeWindow {
    pub start_date: Date,
    pub start_time: TimeOfDay,
    pub end_date: Date,
    pub end_time: TimeOfDay,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WeeklyWindow {
    pub days_of_week: Vec<String>,
    pub start_time: Option<TimeOfDay>,
    pub end_time: Option<TimeOfDay>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// `google.type.TimeOfDay` (fields at zero are omitted in JSON; `24:00` is the end of a day).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeOfDay {
    pub hours: u32,
    pub minutes: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListDeployPoliciesResponse {
    pub deploy_policies: Vec<DeployPolicy>,
    pub next_page_token: Option<String>,
}

/// What a lane's pipeline and target are, to match selectors.
pub struct Selected<'a> {
    pub pipeline_id: &'a str,
    pub pipeline_labels: &'a BTreeMap<String, String>,
    pub target_id: &'a str,
    pub target_labels: &'a BTreeMap<String, String>,
}

/// The freezes `policies` put on the lane `on`.
pub fn freezes(policies: &[DeployPolicy], on: &Selected<'_>) -> Vec<PlatformFreeze> {
    let mut out = Vec::new();
    for policy in policies.iter().filter(|p| !p.suspended) {
        if !policy.selectors.iter().any(|s| selects(s, on)) {
            continue;
        }
        let policy_id = super::wire::short(&policy.name);
        let restrictions = policy
            .rules
            .iter()
            .filter_map(|r| r.rollout_restriction.as_ref());
        for r in
            restrictions.filter(|r| r.invokers.is_empty() || r.invokers.iter().any(|i| i == "USER"))
        {
            let zone = &r.time_windows.time_zone;
            let name = format!("deploy policy {policy_id}/{}", r.id);
            let windows = r
                .time_windows
                .one_time_windows
                .iter()
                .map(|w| one_time(&name, zone, w))
                .chain(
                    r.time_windows
                        .weekly_windows
                        .iter()
                        .map(|w| weekly(&name, zone, w)),
                );
            for window in windows {
                out.push(PlatformFreeze {
                    policy: policy.name.clone(),
                    actions: r.actions.clone(),
                    window,
                });
            }
        }
    }
    out
}

fn selects(selector: &Selector, on: &Selected<'_>) -> bool {
    let matches = |attr: &Option<Attribute>, id: &str, labels: &BTreeMap<String, String>| {
        attr.as_ref().is_none_or(|a| {
            (a.id.is_empty() || a.id == "*" || a.id == id)
                && a.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
    };
    (selector.delivery_pipeline.is_some() || selector.target.is_some())
        && matches(
            &selector.delivery_pipeline,
            on.pipeline_id,
            on.pipeline_labels,
        )
        && matches(&selector.target, on.target_id, on.target_labels)
}

fn hhmm(t: TimeOfDay) -> String {
    format!("{:02}:{:02}", t.hours, t.minutes)
}

/// `YYYY-MM-DD HH:MM` local; `24:00` becomes the next day's `00:00`.
fn local(date: Date, time: TimeOfDay) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(date.year, date.month, date.day);
    match day {
        Some(d) if time.hours >= 24 => {
            let next = d.succ_opt().unwrap_or(d);
            format!("{} 00:00", next.format("%Y-%m-%d"))
        }
        Some(d) => format!("{} {}", d.format("%Y-%m-%d"), hhmm(time)),
        // Left as written: the freeze gate reports the window as unreadable (and refuses).
        None => format!(
            "{:04}-{:02}-{:02} {}",
            date.year,
            date.month,
            date.day,
            hhmm(time)
        ),
    }
}

fn one_time(name: &str, zone: &str, w: &OneTimeWindow) -> FreezeWindow {
    FreezeWindow {
        name: name.to_string(),
        timezone: zone.to_string(),
        days: Vec::new(),
        start: None,
        end: None,
        from: Some(local(w.start_date, w.start_time)),
        until: Some(local(w.end_date, w.end_time)),
    }
}

/// Cloud Deploy's end is exclusive, flightdeck's inclusive to the minute: `17:00–24:00` is
/// `17:00–23:59`; no times (or `00:00–00:00`) is the whole day.
fn weekly(name: &str, zone: &str, w: &WeeklyWindow) -> FreezeWindow {
    let start = w.start_time.unwrap_or_default();
    let end = w.end_time.unwrap_or_default();
    let end_minute = (end.hours * 60 + end.minutes).min(24 * 60);
    let whole_day = start.hours == 0 && start.minutes == 0 && end_minute == 0;
    let last = if whole_day {
        24 * 60 - 1
    } else {
        end_minute.saturating_sub(1)
    };
    let days = if w.days_of_week.is_empty() {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .map(String::from)
            .to_vec()
    } else {
        w.days_of_week.iter().map(|d| title_case(d)).collect()
    };
    FreezeWindow {
        name: name.to_string(),
        timezone: zone.to_string(),
        days,
        start: Some(hhmm(start)),
        end: Some(format!("{:02}:{:02}", last / 60, last % 60)),
        from: None,
        until: None,
    }
}

/// `FRIDAY` → `Fri`.
fn title_case(day: &str) -> String {
    let lower = day.to_lowercase();
    let mut chars = lower.chars().take(3);
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::freeze;
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn policies(json: serde_json::Value) -> Vec<DeployPolicy> {
        serde_json::from_value::<ListDeployPoliciesResponse>(json)
            .map(|l| l.deploy_policies)
            .unwrap_or_default()
    }

    fn on<'a>(target: &'a str, none: &'a BTreeMap<String, String>) -> Selected<'a> {
        Selected {
            pipeline_id: "clarity",
            pipeline_labels: none,
            target_id: target,
            target_labels: none,
        }
    }

    #[test]
    fn a_weekly_restriction_becomes_a_freeze_window_in_force_when_the_service_enforces_it() {
        let list = policies(serde_json::json!({"deployPolicies": [{
            "name": "projects/p/locations/l/deployPolicies/weekend",
            "selectors": [{"target": {"id": "prod"}}],
            "rules": [{"rolloutRestriction": {"id": "fri-evening", "actions": ["CREATE"],
                "timeWindows": {"timeZone": "America/New_York", "weeklyWindows": [
                    {"daysOfWeek": ["FRIDAY"], "startTime": {"hours": 17}, "endTime": {"hours": 24}}]}}}]
        }, {
            "name": "projects/p/locations/l/deployPolicies/paused", "suspended": true,
            "selectors": [{"deliveryPipeline": {"id": "*"}}],
            "rules": [{"rolloutRestriction": {"id": "all", "timeWindows": {"timeZone": "UTC",
                "weeklyWindows": [{}]}}}]
        }]}));
        let none = BTreeMap::new();
        let found = freezes(&list, &on("prod", &none));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].policy,
            "projects/p/locations/l/deployPolicies/weekend"
        );
        assert!(found[0].restricts("CREATE") && !found[0].restricts("ADVANCE"));
        let window = &found[0].window;
        assert_eq!(window.name, "deploy policy weekend/fri-evening");
        assert_eq!(freeze::describe(window), "Fri 17:00–23:59 America/New_York");
        let active = freeze::active_at(window, at("2026-12-04T22:30:00Z"));
        assert_eq!(
            active.ok().flatten().map(|a| a.until),
            Some(at("2026-12-05T04:59:00Z"))
        );
        assert_eq!(
            freeze::active_at(window, at("2026-12-04T21:59:00Z")),
            Ok(None)
        );
        assert!(freezes(&list, &on("staging", &none)).is_empty());
    }

    #[test]
    fn a_one_time_restriction_spans_its_dates_and_label_selectors_must_match() {
        let list = policies(serde_json::json!({"deployPolicies": [{
            "name": "projects/p/locations/l/deployPolicies/year-end",
            "selectors": [{"target": {"id": "*", "labels": {"tier": "prod"}}}],
            "rules": [{"rolloutRestriction": {"id": "nye", "invokers": ["USER"],
                "timeWindows": {"timeZone": "Europe/Berlin", "oneTimeWindows": [{
                    "startDate": {"year": 2026, "month": 12, "day": 31}, "startTime": {"hours": 17},
                    "endDate": {"year": 2026, "month": 12, "day": 31}, "endTime": {"hours": 24}}]}}}]
        }]}));
        let none = BTreeMap::new();
        assert!(freezes(&list, &on("prod", &none)).is_empty());
        let labels = BTreeMap::from([("tier".to_string(), "prod".to_string())]);
        let found = freezes(&list, &on("prod", &labels));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].restricts("ROLLBACK"),
            "no actions listed: all restricted"
        );
        let window = &found[0].window;
        assert_eq!(window.until.as_deref(), Some("2027-01-01 00:00"));
        assert!(freeze::validate(window).is_ok());
        let active = freeze::active_at(window, at("2026-12-31T20:00:00Z"));
        assert_eq!(
            active.ok().flatten().map(|a| a.until),
            Some(at("2026-12-31T23:00:00Z"))
        );
    }
}
