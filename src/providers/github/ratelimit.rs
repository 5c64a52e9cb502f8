//! `x-ratelimit-*` and `retry-after` headers, and when a response means "rate limited".

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderMap;

/// The budget GitHub reported on the last response (shown by the UI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u64,
    pub remaining: u64,
    pub used: u64,
    /// When the window resets (`x-ratelimit-reset`, UTC epoch seconds).
    pub reset: DateTime<Utc>,
    /// `core`, `search`, … (`x-ratelimit-resource`).
    pub resource: String,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn num(h: &HeaderMap, name: &str) -> Option<u64> {
    header(h, name).and_then(|v| v.parse().ok())
}

impl RateLimit {
    /// Parses the `x-ratelimit-*` headers; `None` when limit, remaining or reset is missing.
    pub fn from_headers(h: &HeaderMap) -> Option<RateLimit> {
        let limit = num(h, "x-ratelimit-limit")?;
        let remaining = num(h, "x-ratelimit-remaining")?;
        let reset = i64::try_from(num(h, "x-ratelimit-reset")?).ok()?;
        Some(RateLimit {
            limit,
            remaining,
            used: num(h, "x-ratelimit-used").unwrap_or(limit.saturating_sub(remaining)),
            reset: DateTime::from_timestamp(reset, 0)?,
            resource: header(h, "x-ratelimit-resource")
                .unwrap_or("core")
                .to_string(),
        })
    }
}

/// If this response is a rate-limit refusal, until when to hold off and why.
///
/// Rules (GitHub docs): 429, or 403 with `x-ratelimit-remaining: 0`, a `retry-after`, or a
/// "rate limit" message. Wait `retry-after` seconds if given; else until `x-ratelimit-reset`
/// when the budget is exhausted; else at least 60 s.
pub fn limited_until(
    status: u16,
    headers: &HeaderMap,
    message: &str,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let retry_after = num(headers, "retry-after");
    let exhausted = num(headers, "x-ratelimit-remaining") == Some(0);
    let says_limit = message.to_ascii_lowercase().contains("rate limit");
    let limited =
        status == 429 || (status == 403 && (exhausted || retry_after.is_some() || says_limit));
    if !limited {
        return None;
    }
    if let Some(s) = retry_after {
        let secs = i64::try_from(s).unwrap_or(i64::MAX).min(86_400);
        return Some((
            now + TimeDelta::seconds(secs),
            format!("HTTP {status}, retry-after {s}s"),
        ));
    }
    if exhausted && let Some(rl) = RateLimit::from_headers(headers) {
        let reason = format!(
            "HTTP {status}, {} budget of {} used up",
            rl.resource, rl.limit
        );
        return Some((rl.reset.max(now), reason));
    }
    Some((
        now + TimeDelta::seconds(60),
        format!("HTTP {status}, secondary rate limit"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn github_parses_budget() {
        let h = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4990"),
            ("x-ratelimit-used", "10"),
            ("x-ratelimit-reset", "1700003600"),
            ("x-ratelimit-resource", "core"),
        ]);
        let rl = RateLimit::from_headers(&h).unwrap();
        assert_eq!((rl.limit, rl.remaining, rl.used), (5000, 4990, 10));
        assert_eq!(rl.reset.timestamp(), 1_700_003_600);
        assert_eq!(rl.resource, "core");
    }

    #[test]
    fn github_429_uses_retry_after() {
        let h = headers(&[("retry-after", "30")]);
        let (until, _) = limited_until(429, &h, "", t0()).unwrap();
        assert_eq!(until, t0() + TimeDelta::seconds(30));
    }

    #[test]
    fn github_403_exhausted_waits_for_reset() {
        let h = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000900"),
        ]);
        let (until, _) = limited_until(403, &h, "API rate limit exceeded", t0()).unwrap();
        assert_eq!(until.timestamp(), 1_700_000_900);
    }

    #[test]
    fn github_403_secondary_waits_a_minute_and_plain_403_is_not_limited() {
        let secondary = limited_until(
            403,
            &HeaderMap::new(),
            "You have exceeded a secondary rate limit",
            t0(),
        );
        assert_eq!(secondary.unwrap().0, t0() + TimeDelta::seconds(60));
        assert!(
            limited_until(
                403,
                &HeaderMap::new(),
                "Resource not accessible by integration",
                t0()
            )
            .is_none()
        );
        assert!(limited_until(404, &headers(&[("retry-after", "5")]), "", t0()).is_none());
    }
}
