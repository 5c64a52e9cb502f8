//! What differs between a lane and the next one (dev → staging, staging → prod): the image, the
//! environment variables and the scaling of their service templates. Values of secret
//! references are never known here (only `secret NAME:VERSION`); plain values whose name looks
//! like a credential are compared but never shown.

use super::lane::{EnvValue, Lane, TemplateSpec};
use crate::ledger::clean::printable;

/// One compared setting: its value here and in the next lane as shown (`None`: not set), and
/// whether the values differ (hidden values can differ while they are shown alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    pub what: String,
    pub here: Option<String>,
    pub there: Option<String>,
    pub differs: bool,
}

/// The comparison of a lane with the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaneDiff {
    /// The last lane: nothing comes after it.
    Last,
    /// One of the two lanes has no data yet (its name).
    NoData(String),
    /// Compared: the settings that differ, and the names of those that are the same.
    Compared {
        next: String,
        differs: Vec<DiffRow>,
        same: Vec<String>,
        /// What could not be compared, and why (Cloud Deploy and script lanes).
        unavailable: Option<String>,
    },
}

/// How the comparison names a lane's provider when it cannot compare templates.
pub fn provider_name(model: &super::Model, lane: usize) -> &'static str {
    match model.clouddeploy_lanes.get(lane).copied().unwrap_or(false) {
        true => "Cloud Deploy",
        false => "this lane's provider",
    }
}

/// Compares lane `index` of `lanes` with the one after it.
pub fn diff(lanes: &[Lane], index: usize, provider: &str) -> LaneDiff {
    let (Some(here), Some(next)) = (lanes.get(index), lanes.get(index + 1)) else {
        return LaneDiff::Last;
    };
    let (Some(a), Some(b)) = (&here.service, &next.service) else {
        let missing = if here.service.is_none() { here } else { next };
        return LaneDiff::NoData(missing.env.clone());
    };
    let mut rows: Vec<DiffRow> = Vec::new();
    let unavailable = match (&a.template, &b.template) {
        (Some(x), Some(y)) => {
            rows.extend(template_rows(x, y));
            None
        }
        _ => {
            let release = |s: &super::lane::ServiceState| s.version().map(str::to_string);
            rows.push(row("release", release(a), release(b)));
            let image =
                |s: &super::lane::ServiceState| Some(s.image.clone()).filter(|i| !i.is_empty());
            rows.push(row("image", image(a), image(b)));
            Some(format!(
                "env and scaling: not known from {provider} (release and image only)"
            ))
        }
    };
    // A setting neither lane reports is not "the same": it is left out.
    let (differs, same): (Vec<DiffRow>, Vec<DiffRow>) = rows
        .into_iter()
        .filter(|r| r.here.is_some() || r.there.is_some())
        .partition(|r| r.differs);
    LaneDiff::Compared {
        next: next.env.clone(),
        differs,
        same: same.into_iter().map(|r| r.what).collect(),
        unavailable,
    }
}

impl DiffRow {
    /// The two values as shown (`(not set)` for a missing one).
    pub fn shown(&self) -> (String, String) {
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        (value(&self.here), value(&self.there))
    }

    /// Shown on two rows (the next lane's value on its own): when the values together are longer
    /// than fits beside the name at 80 columns. Hidden values (shown alike) take one row.
    pub fn two_rows(&self) -> bool {
        let (here, there) = self.shown();
        here != there && here.chars().count() + there.chars().count() > 46
    }
}

fn row(what: &str, here: Option<String>, there: Option<String>) -> DiffRow {
    DiffRow {
        what: what.to_string(),
        differs: here != there,
        here,
        there,
    }
}

/// The image (its tag, or the whole reference when the repositories differ), each env var, and
/// the scaling settings, in that order.
fn template_rows(a: &TemplateSpec, b: &TemplateSpec) -> Vec<DiffRow> {
    let same_repository = split_image(&a.image).0 == split_image(&b.image).0;
    let image = |i: &str| match same_repository {
        true => printable(&split_image(i).1, false),
        false => printable(i, false),
    };
    let mut rows = vec![row(
        "image",
        Some(image(&a.image)).filter(|_| !a.image.is_empty()),
        Some(image(&b.image)).filter(|_| !b.image.is_empty()),
    )];
    let mut names: Vec<&str> = a.env.iter().map(|v| v.name.as_str()).collect();
    for var in &b.env {
        if !names.contains(&var.name.as_str()) {
            names.push(&var.name);
        }
    }
    for name in names {
        let (x, y) = (env_value(a, name), env_value(b, name));
        rows.push(DiffRow {
            differs: x != y,
            ..row(
                &printable(&format!("env {name}"), false),
                shown(name, x),
                shown(name, y),
            )
        });
    }
    let number = |n: Option<i64>| n.map(|n| n.to_string());
    rows.push(row(
        "min instances",
        number(a.min_instances),
        number(b.min_instances),
    ));
    rows.push(row(
        "max instances",
        number(a.max_instances),
        number(b.max_instances),
    ));
    rows.push(row(
        "concurrency",
        number(a.concurrency),
        number(b.concurrency),
    ));
    let text = |t: &Option<String>| t.as_deref().map(|t| printable(t, false));
    rows.push(row("cpu", text(&a.cpu), text(&b.cpu)));
    rows.push(row("memory", text(&a.memory), text(&b.memory)));
    rows
}

fn env_value<'a>(spec: &'a TemplateSpec, name: &str) -> Option<&'a EnvValue> {
    spec.env.iter().find(|v| v.name == name).map(|v| &v.value)
}

/// How an env value is shown: secret references by name and version; a plain value whose name
/// looks like a credential as `hidden`.
fn shown(name: &str, value: Option<&EnvValue>) -> Option<String> {
    Some(match value? {
        EnvValue::Secret { secret, version } => {
            printable(&format!("secret {secret}:{version}"), false)
        }
        EnvValue::Plain(_) if crate::redact::is_sensitive_header(name) => {
            "hidden (the name looks secret)".to_string()
        }
        EnvValue::Plain(text) => crate::redact::redact(&printable(text, false)),
    })
}

/// `repo/app:1.4.2` → (`repo/app`, `1.4.2`); `repo/app@sha256:0123…` → (`repo/app`,
/// `sha256:0123456789ab`); no tag → `latest`.
fn split_image(image: &str) -> (&str, String) {
    if let Some((repository, digest)) = image.split_once('@') {
        let short: String = digest.chars().take("sha256:".len() + 12).collect();
        return (repository, short);
    }
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].rfind(':') {
        Some(colon) => (
            &image[..name_start + colon],
            image[name_start + colon + 1..].to_string(),
        ),
        None => (image, "latest".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{template, three_lanes};

    #[test]
    fn images_compare_by_tag_or_digest_and_whole_when_the_repositories_differ() {
        assert_eq!(split_image("r/app:1.4.2"), ("r/app", "1.4.2".into()));
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", "latest".into())
        );
        assert_eq!(
            split_image("r/app@sha256:0123456789abcdef0123"),
            ("r/app", "sha256:0123456789ab".into())
        );
        let mut a = template("staging", "1.4.2", 10);
        let b = template("prod", "1.4.2", 10);
        a.image = "gcr.io/other/app:1.4.2".into();
        let image = &template_rows(&a, &b)[0];
        assert!(image.differs);
        assert_eq!(image.here.as_deref(), Some("gcr.io/other/app:1.4.2"));
    }

    #[test]
    fn the_last_lane_and_lanes_without_templates_say_what_they_cannot_compare() {
        let mut model = three_lanes(1);
        assert_eq!(diff(&model.lanes, 2, "Cloud Run"), LaneDiff::Last);
        let LaneDiff::Compared {
            differs,
            unavailable,
            ..
        } = diff(&model.lanes, 1, "Cloud Deploy")
        else {
            panic!("staging and prod both answered");
        };
        let names: Vec<&str> = differs.iter().map(|d| d.what.as_str()).collect();
        assert_eq!(names, ["release", "image"]);
        assert!(unavailable.unwrap().contains("not known from Cloud Deploy"));
        // Targets with no release yet: nothing is "the same".
        for lane in &mut model.lanes[1..] {
            let service = lane.service.as_mut().unwrap();
            service.traffic.clear();
            service.image.clear();
        }
        let LaneDiff::Compared { differs, same, .. } = diff(&model.lanes, 1, "Cloud Deploy") else {
            panic!("both answered");
        };
        assert!(
            differs.is_empty() && same.is_empty(),
            "{differs:?} {same:?}"
        );
        model.lanes[2].service = None;
        assert_eq!(diff(&model.lanes, 1, "x"), LaneDiff::NoData("prod".into()));
    }
}
