//! What the fault switchboard is set to and what a fault rule says, as JSON
//! (`POST /_sandbox/faults`) or as a `--fault` spec.

use serde::{Deserialize, Serialize};

/// The body of an injected error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorBody {
    /// Google's error JSON on Google routes, GitHub's on GitHub routes.
    #[default]
    Auto,
    Google,
    Github,
    /// An HTML page from a proxy in front of the API.
    Html,
}

/// One fault, as a real outage would show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer, `ms` milliseconds late.
    Latency { ms: u64 },
    /// An error status with a realistic body.
    Error {
        status: u16,
        #[serde(default)]
        body: ErrorBody,
    },
    /// 429 with `Retry-After` (or, on Google routes with `retry_info`, a `google.rpc.RetryInfo`).
    Throttle {
        #[serde(default = "default_retry_after")]
        retry_after_secs: u64,
        #[serde(default)]
        retry_info: bool,
    },
    /// The connection is dropped before the answer is complete.
    Reset,
    /// The full length is announced, half the body is sent, the connection is dropped.
    Truncated,
    /// A complete answer whose JSON stops halfway.
    Malformed,
    /// The request is accepted and never answered.
    Stall,
    /// The body arrives a few bytes at a time.
    Drip {
        #[serde(default = "default_drip")]
        bytes_per_sec: u64,
    },
    /// The service's health endpoints (`/apps/…`) answer as a failing revision does.
    BadRevision,
}

fn default_retry_after() -> u64 {
    30
}

fn default_drip() -> u64 {
    64
}

/// What the switchboard is set to (the body of `POST /_sandbox/faults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Real milliseconds added to every Cloud Run API answer (`/v2/…`).
    pub slow_ms: u64,
    /// Percent of Cloud Run API requests answered 503 UNAVAILABLE.
    pub error_rate_pct: u8,
    /// The next N Cloud Run API requests are answered 429 RESOURCE_EXHAUSTED with Retry-After.
    pub throttle_next: u32,
    pub retry_after_secs: u64,
    /// Faults by path pattern, on every route; the first matching rule applies.
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// The fault for this request, if a rule matches (consuming one use of a counted rule).
    pub(super) fn take_match(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.rules.iter().position(|r| r.matches(method, path))?;
        let rule = &mut self.rules[index];
        let fault = rule.fault.clone();
        if let Some(left) = rule.count.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// A fault on the requests whose path matches `path`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// `*` matches any run of characters: `/v2/*`, `/repos/*/jobs`, `*/revisions*`, `*`.
    pub path: String,
    /// Only this method (`GET`, `PATCH` …); default: every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub fault: Fault,
    /// Only the next N matching requests; default: until the faults are cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl FaultRule {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && glob(&self.path, path)
    }

    /// `KIND[:ARG…][@PATTERN][#COUNT]`, e.g. `error:503:html@/v2/*`, `throttle:30@/repos/*`,
    /// `throttle:30:retryinfo`, `latency:800`, `stall@/v2/*#3`, `reset`, `truncated`,
    /// `malformed`, `drip:64`, `bad-revision@/apps/clarity-backend-prod/*`. The pattern
    /// defaults to `*` (every route).
    pub fn parse(spec: &str) -> Result<FaultRule, String> {
        let (rest, count) = match spec.rsplit_once('#') {
            Some((rest, n)) => (
                rest,
                Some(
                    n.parse()
                        .map_err(|_| format!("fault `{spec}`: count `{n}` is not a number"))?,
                ),
            ),
            None => (spec, None),
        };
        let (kind, path) = rest.split_once('@').unwrap_or((rest, "*"));
        let mut args = kind.split(':');
        let name = args.next().unwrap_or_default();
        let args: Vec<&str> = args.collect();
        let number = |i: usize, default: u64| -> Result<u64, String> {
            args.get(i).map_or(Ok(default), |a| {
                a.parse()
                    .map_err(|_| format!("fault `{spec}`: `{a}` is not a number"))
            })
        };
        let fault = match name {
            "latency" => Fault::Latency {
                ms: number(0, 1000)?,
            },
            "error" => Fault::Error {
                status: u16::try_from(number(0, 503)?).map_err(|e| e.to_string())?,
                body: match args.get(1).copied() {
                    None => ErrorBody::Auto,
                    Some("google") => ErrorBody::Google,
                    Some("github") => ErrorBody::Github,
                    Some("html") => ErrorBody::Html,
                    Some(other) => {
                        return Err(format!(
                            "fault `{spec}`: body `{other}` is not google, github or html"
                        ));
                    }
                },
            },
            "throttle" => Fault::Throttle {
                retry_after_secs: number(0, default_retry_after())?,
                retry_info: args.get(1) == Some(&"retryinfo"),
            },
            "reset" => Fault::Reset,
            "truncated" => Fault::Truncated,
            "malformed" => Fault::Malformed,
            "stall" => Fault::Stall,
            "drip" => Fault::Drip {
                bytes_per_sec: number(0, default_drip())?,
            },
            "bad-revision" => Fault::BadRevision,
            other => {
                return Err(format!(
                    "fault `{spec}`: `{other}` is not one of latency, error, throttle, reset, truncated, malformed, stall, drip, bad-revision"
                ));
            }
        };
        Ok(FaultRule {
            path: path.to_string(),
            method: None,
            fault,
            count,
        })
    }
}

/// `pattern` with `*` as "any run of characters" matches all of `text`.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_paths() {
        assert!(glob("*", "/v2/projects/p"));
        assert!(glob("/v2/*", "/v2/projects/p/locations/r/services/s"));
        assert!(glob(
            "*/revisions*",
            "/v2/projects/p/services/s/revisions?x"
        ));
        assert!(glob("/repos/*/jobs", "/repos/o/r/actions/runs/1/jobs"));
        assert!(!glob("/repos/*/jobs", "/repos/o/r/actions/runs/1"));
        assert!(!glob("/v2/*", "/repos/o/r"));
        assert!(glob("/exact", "/exact") && !glob("/exact", "/exact/more"));
        assert!(!glob("/a*a", "/a"));
    }

    #[test]
    fn specs_parse_into_rules() {
        let rule = FaultRule::parse("error:502:html@/v2/*#2").unwrap();
        assert_eq!(rule.path, "/v2/*");
        assert_eq!(rule.count, Some(2));
        assert_eq!(
            rule.fault,
            Fault::Error {
                status: 502,
                body: ErrorBody::Html
            }
        );
        assert_eq!(FaultRule::parse("stall").unwrap().path, "*");
        assert_eq!(
            FaultRule::parse("throttle:7:retryinfo@/v2/*")
                .unwrap()
                .fault,
            Fault::Throttle {
                retry_after_secs: 7,
                retry_info: true
            }
        );
        assert!(
            FaultRule::parse("explode")
                .unwrap_err()
                .contains("not one of")
        );
        assert!(
            FaultRule::parse("latency:soon")
                .unwrap_err()
                .contains("not a number")
        );
    }

    #[test]
    fn rules_read_as_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"path": "/repos/*", "method": "get", "fault": {"kind": "throttle", "retry_after_secs": 5}}"#,
        )
        .unwrap();
        assert!(rule.matches("GET", "/repos/o/r/actions/runs"));
        assert!(!rule.matches("POST", "/repos/o/r/actions/runs"));
        assert!(
            serde_json::from_str::<FaultRule>(r#"{"path": "*", "fault": {"kind": "nap"}}"#)
                .is_err()
        );
    }
}
