//! Deploy policies (`projects.locations.deployPolicies`): stored in the API's JSON shape, and the
//! check a restricted rollout action passes. A policy applies when it is not `suspended`, one of
//! its selectors matches the pipeline or target, and one of its `rolloutRestriction` rules names
//! the action (or none) and the `USER` invoker (or none) inside one of its time windows; naming it
//! in `overrideDeployPolicy` lets the action through. A blocked action answers `FAILED_PRECONDITION`
//! with a `google.cloud.deploy.v1.PolicyViolation` in the error's `details`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

pub use super::deploy_policy::{Action, DeployPolicy};
use super::ids::{err, valid_id};
use super::sim::DeploySim;
use crate::sandbox::cloudrun_sim::{SimError, rfc3339};

impl DeploySim {
    /// `deployPolicies.create`: validates the shape the API requires, stores it, answers an LRO.
    pub fn create_policy(
        &mut self,
        policy_id: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<String, SimError> {
        valid_id("deploy_policy_id", policy_id)?;
        let name = format!("{}/deployPolicies/{policy_id}", self.parent());
        if self.policies.contains_key(&name) {
            return Err(err(
                409,
                "ALREADY_EXISTS",
                format!("Resource '{name}' already exists"),
            ));
        }
        super::policy_routes::validate(body)?;
        let mut json = body.clone();
        super::policy_routes::enum_names(&mut json);
        if let Some(map) = json.as_object_mut() {
            map.insert("name".into(), json!(name));
            map.insert(
                "uid".into(),
                json!(format!("{:x}", super::model::sha_short(&name))),
            );
            map.insert("createTime".into(), json!(rfc3339(now)));
            map.insert("updateTime".into(), json!(rfc3339(now)));
            map.insert(
                "etag".into(),
                json!(format!("{:x}", now.timestamp_millis())),
            );
        }
        self.policies.insert(name.clone(), DeployPolicy { json });
        Ok(self.new_operation("create", &name, now, 1))
    }

    /// Fails with the violation when an applicable policy restricts `action` on the target now.
    pub fn check_policies(
        &mut self,
        pipeline_id: &str,
        target_id: &str,
        action: Action,
        overrides: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), SimError> {
        let mut violations = Vec::new();
        for policy in self.policies.values() {
            let name = policy.name();
            let p = &policy.json;
            if p.get("suspended").and_then(Value::as_bool).unwrap_or(false)
                || overrides.iter().any(|o| o == name)
                || !selected(p, pipeline_id, target_id)
            {
                continue;
            }
            let rules = p.get("rules").and_then(Value::as_array);
            for rule in rules.into_iter().flatten() {
                let Some(r) = rule.get("rolloutRestriction") else {
                    continue;
                };
                let listed = |key: &str, wanted: &str| {
                    r.get(key)
                        .and_then(Value::as_array)
                        .is_none_or(|a| a.is_empty() || a.iter().any(|v| v == wanted))
                };
                if !listed("actions", action.wire()) || !listed("invokers", "USER") {
                    continue;
                }
                let windows = r.get("timeWindows").unwrap_or(&Value::Null);
                if let Some(until) = active_until(windows, now) {
                    let rule_id = r.get("id").and_then(Value::as_str).unwrap_or("");
                    let zone = windows
                        .get("timeZone")
                        .and_then(Value::as_str)
                        .unwrap_or("UTC");
                    violations.push(json!({
                        "policy": name,
                        "ruleId": rule_id,
                        "failureMessage": format!(
                            "{} on target {target_id} is restricted by rule {rule_id:?} of deploy policy {name} until {} ({zone})",
                            action.wire(),
                            rfc3339(until)
                        ),
                    }));
                }
            }
        }
        if violations.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = violations
            .iter()
            .filter_map(|v| v.get("policy").and_then(Value::as_str))
            .collect();
        let message = format!(
            "Action {} on delivery pipeline {pipeline_id} target {target_id} violates deploy policies [{}]; name them in override_deploy_policy to override",
            action.wire(),
            names.join(", ")
        );
        self.violation = Some(json!([{
            "@type": "type.googleapis.com/google.cloud.deploy.v1.PolicyViolation",
            "policyViolationDetails": violations,
        }]));
        Err(err(400, "FAILED_PRECONDITION", message))
    }
}

/// One selector matches: its pipeline id and target id are absent, `*`, or equal (the sandbox's
/// pipelines and targets carry no labels, so a selector asking for labels matches nothing).
fn selected(policy: &Value, pipeline_id: &str, target_id: &str) -> bool {
    let matches = |attr: Option<&Value>, id: &str| match attr {
        None => true,
        Some(a) => {
            let id_ok = a
                .get("id")
                .and_then(Value::as_str)
                .is_none_or(|want| want.is_empty() || want == "*" || want == id);
            let no_labels = a
                .get("labels")
                .and_then(Value::as_object)
                .is_none_or(serde_json::Map::is_empty);
            id_ok && no_labels
        }
    };
    let selectors = policy.get("selectors").and_then(Value::as_array);
    selectors.into_iter().flatten().any(|s| {
        (s.get("deliveryPipeline").is_some() || s.get("target").is_some())
            && matches(s.get("deliveryPipeline"), pipeline_id)
            && matches(s.get("target"), target_id)
    })
}

/// When the window in force at `now` ends, if one is.
pub fn active_until(windows: &Value, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz: Tz = windows.get("timeZone")?.as_str()?.parse().ok()?;
    let local = now.with_timezone(&tz).naive_local();
    let list = |key: &str| windows.get(key).and_then(Value::as_array).cloned();
    for w in list("oneTimeWindows").into_iter().flatten() {
        let start = local_at(w.get("startDate"), w.get("startTime"))?;
        let end = local_at(w.get("endDate"), w.get("endTime"))?;
        if start <= local && local < end {
            return Some(to_utc(tz, end));
        }
    }
    for w in list("weeklyWindows").into_iter().flatten() {
        let days: Vec<String> = w
            .get("daysOfWeek")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let start = seconds(w.get("startTime"));
        let mut end = seconds(w.get("endTime"));
        if start == 0 && end == 0 {
            end = 24 * 3600;
        }
        let day = local.date();
        let weekday = day.weekday().to_string().to_uppercase();
        let listed = days.is_empty() || days.iter().any(|d| d.starts_with(&weekday));
        let at = i64::from(chrono::Timelike::num_seconds_from_midnight(&local.time()));
        if listed && start <= at && at < end {
            let midnight = day.and_time(NaiveTime::MIN);
            return Some(to_utc(tz, midnight + Duration::seconds(end)));
        }
    }
    None
}

/// `google.type.TimeOfDay` as seconds since midnight (`24:00` is 86 400; absent fields are 0).
fn seconds(time: Option<&Value>) -> i64 {
    let field = |k: &str| {
        time.and_then(|t| t.get(k))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    field("hours") * 3600 + field("minutes") * 60 + field("seconds")
}

fn local_at(date: Option<&Value>, time: Option<&Value>) -> Option<NaiveDateTime> {
    let field = |k: &str| date?.get(k)?.as_i64();
    let day = NaiveDate::from_ymd_opt(
        i32::try_from(field("year")?).ok()?,
        u32::try_from(field("month")?).ok()?,
        u32::try_from(field("day")?).ok()?,
    )?;
    Some(day.and_time(NaiveTime::MIN) + Duration::seconds(seconds(time)))
}

fn to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_weekly_window_follows_its_time_zone_and_ends_exclusive() {
        let windows = json!({"timeZone": "America/New_York", "weeklyWindows": [
            {"daysOfWeek": ["FRIDAY"], "startTime": {"hours": 17}, "endTime": {"hours": 24}}
        ]});
        // Friday 2026-12-04 17:30 in New York is 22:30 UTC.
        assert_eq!(
            active_until(&windows, at("2026-12-04T22:30:00Z")),
            Some(at("2026-12-05T05:00:00Z"))
        );
        assert_eq!(active_until(&windows, at("2026-12-04T21:59:00Z")), None);
        assert_eq!(active_until(&windows, at("2026-12-05T05:00:00Z")), None);
    }

    #[test]
    fn an_empty_weekly_window_blocks_whole_days_and_one_time_windows_span_dates() {
        let weekly =
            json!({"timeZone": "UTC", "weeklyWindows": [{"daysOfWeek": ["SATURDAY", "SUNDAY"]}]});
        assert_eq!(
            active_until(&weekly, at("2026-12-06T12:00:00Z")),
            Some(at("2026-12-07T00:00:00Z"))
        );
        assert_eq!(active_until(&weekly, at("2026-12-07T00:00:00Z")), None);
        let once = json!({"timeZone": "Europe/Berlin", "oneTimeWindows": [{
            "startDate": {"year": 2026, "month": 12, "day": 31}, "startTime": {"hours": 17},
            "endDate": {"year": 2027, "month": 1, "day": 1}, "endTime": {"hours": 9}}]});
        assert_eq!(
            active_until(&once, at("2026-12-31T20:00:00Z")),
            Some(at("2027-01-01T08:00:00Z"))
        );
        assert_eq!(active_until(&once, at("2026-12-31T15:59:00Z")), None);
    }

    #[test]
    fn suspended_unselected_and_overridden_policies_let_the_action_through() {
        let mut sim = DeploySim::seeded("p", "l");
        let now = at("2026-12-06T12:00:00Z");
        let body = |suspended: bool, target: &str| {
            json!({"suspended": suspended,
                "selectors": [{"target": {"id": target}}],
                "rules": [{"rolloutRestriction": {"id": "weekend", "actions": ["CREATE"],
                    "timeWindows": {"timeZone": "UTC", "weeklyWindows": [{"daysOfWeek": ["SUNDAY"]}]}}}]})
        };
        let created = sim.create_policy("freeze-prod", &body(false, "prod"), now);
        assert!(created.is_ok(), "{created:?}");
        let _ = sim.create_policy("paused", &body(true, "*"), now);
        let blocked = sim.check_policies("clarity", "prod", Action::Create, &[], now);
        let message = blocked.err().map(|e| e.message).unwrap_or_default();
        assert!(message.contains("deployPolicies/freeze-prod"), "{message}");
        assert!(!message.contains("paused"), "{message}");
        assert!(sim.violation.is_some());
        assert!(
            sim.check_policies("clarity", "staging", Action::Create, &[], now)
                .is_ok()
        );
        assert!(
            sim.check_policies("clarity", "prod", Action::Advance, &[], now)
                .is_ok()
        );
        let name = "projects/p/locations/l/deployPolicies/freeze-prod".to_string();
        assert!(
            sim.check_policies("clarity", "prod", Action::Create, &[name], now)
                .is_ok()
        );
    }
}
