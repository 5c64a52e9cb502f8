//! Where to look further about a lane: the GitHub run that built its release and the Cloud
//! console page of its service (Cloud Run) or delivery pipeline and release (Cloud Deploy).
//! Only URLs safe to print and to hand to a terminal as a hyperlink are offered.

use super::Model;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// The links of a lane, and a sentence for each one that cannot be offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub links: Vec<Link>,
    pub missing: Vec<String>,
}

const CONSOLE: &str = "https://console.cloud.google.com";

pub fn links(model: &Model, index: usize) -> Links {
    let mut out = Links::default();
    let Some(lane) = model.lanes.get(index) else {
        return out;
    };
    let service = lane.service.as_ref();
    let version = service.and_then(|s| s.version());
    match (version, model.pipeline.configured) {
        (Some(version), true) => match model.pipeline.run_links.get(version) {
            Some(run) => out.push(
                format!("GitHub run #{} of {version}", run.number),
                &run.html_url,
            ),
            None => out.missing.push(format!(
                "GitHub run of {version}: not seen by this cockpit (it follows the newest run)"
            )),
        },
        (None, true) => out
            .missing
            .push("GitHub run: the lane's release is not known yet".into()),
        (_, false) => {}
    }
    let Some(service) = service else {
        out.missing
            .push("Cloud console: the lane has not answered yet".into());
        return out;
    };
    if model.clouddeploy_lanes.get(index).copied().unwrap_or(false) {
        let serving = service.primary().map(|t| t.revision.as_str());
        match serving.and_then(delivery_pipeline) {
            Some((project, region, pipeline, release)) => {
                let base = format!("{CONSOLE}/deploy/delivery-pipelines/{region}/{pipeline}");
                out.push(
                    format!("Cloud Deploy release {release}"),
                    &format!("{base}/releases/{release}?project={project}"),
                );
                out.push(
                    format!("Delivery pipeline {pipeline}"),
                    &format!("{base}?project={project}"),
                );
            }
            None => out
                .missing
                .push("Cloud console: no release runs on this target yet".into()),
        }
    } else if let Some([project, region, name]) = resource(&service.name, &["services"]) {
        out.push(
            format!("Cloud console: service {name}"),
            &format!("{CONSOLE}/run/detail/{region}/{name}/revisions?project={project}"),
        );
    } else {
        out.missing
            .push("Cloud console: this lane's provider has no console page".into());
    }
    out
}

impl Links {
    fn push(&mut self, label: String, url: &str) {
        match safe_url(url) {
            Some(url) => self.links.push(Link { label, url }),
            None => self
                .missing
                .push(format!("{label}: its address is not a plain https URL")),
        }
    }
}

/// `projects/P/locations/L/deliveryPipelines/D/releases/R/rollouts/X` → (P, L, D, R).
fn delivery_pipeline(rollout: &str) -> Option<(&str, &str, &str, &str)> {
    let parts: Vec<&str> = rollout.split('/').collect();
    match parts.as_slice() {
        [
            "projects",
            p,
            "locations",
            l,
            "deliveryPipelines",
            d,
            "releases",
            r,
            ..,
        ] => [p, l, d, r]
            .iter()
            .all(|s| plain_segment(s))
            .then_some((p, l, d, r)),
        _ => None,
    }
}

/// `projects/P/locations/L/<kind>/N` → [P, L, N] when every part is a plain name.
fn resource<'a>(name: &'a str, kinds: &[&str]) -> Option<[&'a str; 3]> {
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        ["projects", p, "locations", l, kind, n] if kinds.contains(kind) => [p, l, n]
            .iter()
            .all(|s| plain_segment(s))
            .then_some([*p, *l, *n]),
        _ => None,
    }
}

/// Resource ids are lower-case letters, digits, `-`, `_` and `.`; anything else is not put in a URL.
fn plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `url` if it may be printed and handed to a terminal: `https://` (or `http://` to loopback,
/// the sandbox), visible ASCII only (no escape can end the hyperlink early), no user info, and
/// no query parameter that looks like a credential.
pub fn safe_url(url: &str) -> Option<String> {
    if !url.chars().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let parsed = reqwest::Url::parse(url).ok()?;
    let loopback = parsed.host_str().is_some_and(|h| {
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
            || h == "[::1]"
    });
    let scheme_ok = parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback);
    let credential_in_query = parsed.query_pairs().any(|(key, _)| {
        crate::redact::is_sensitive_header(&key) || key.eq_ignore_ascii_case("sig")
    });
    let clean = scheme_ok
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && !credential_in_query
        && crate::redact::redact(url) == url;
    clean.then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{service, three_lanes};

    #[test]
    fn only_plain_https_urls_without_credentials_are_offered() {
        let ok = "https://github.com/clarity/clarity-backend/actions/runs/41";
        assert_eq!(safe_url(ok).as_deref(), Some(ok));
        assert!(
            safe_url("http://127.0.0.1:8080/runs/1").is_some(),
            "the sandbox"
        );
        for bad in [
            "http://github.com/x",
            "https://user:pw@github.com/x",
            "https://github.com/x?access_token=abc",
            "https://github.com/x?sig=abc",
            "https://github.com/x\x1b]8;;evil",
            "https://github.com/a b",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_cloud_deploy_lane_links_its_release_and_pipeline() {
        let mut model = three_lanes(1);
        model.clouddeploy_lanes[2] = true;
        let mut target = service("prod", &[(1, "1.4.2", 100)]);
        target.traffic[0].revision =
            "projects/acme/locations/us-central1/deliveryPipelines/shop/releases/rel-142/rollouts/rel-142-to-prod-0001".into();
        model.lanes[2].service = Some(target);
        let found = links(&model, 2);
        let urls: Vec<&str> = found.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://console.cloud.google.com/deploy/delivery-pipelines/us-central1/shop/releases/rel-142?project=acme",
                "https://console.cloud.google.com/deploy/delivery-pipelines/us-central1/shop?project=acme",
            ]
        );
        assert!(found.missing.is_empty(), "{:?}", found.missing);
    }
}
