//! Kubernetes `/livez`, `/readyz`, `/healthz`: plain text; the HTTP code is the contract.
//! `?verbose` lists `[+]name ok` / `[-]name failed: reason` lines and a final
//! `livez check passed` / `readyz check failed` line; `[-]` lines are the failing checks.

use super::body::{BodyHealth, note};
use crate::probes::outcome::MAX_CHECKS;
use crate::probes::{CheckDetail, Health};

/// `[+]`/`[-]` lines or a `… check passed|failed` line.
pub fn looks_like(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("[+]")
            || l.starts_with("[-]")
            || l.ends_with("check passed")
            || l.ends_with("check failed")
    })
}

pub fn parse(text: &str) -> BodyHealth {
    let mut checks = Vec::new();
    let mut verdict_line: Option<Health> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("[+]") {
            push(&mut checks, rest, Health::Pass);
        } else if let Some(rest) = line.strip_prefix("[-]") {
            push(&mut checks, rest, Health::Fail);
        } else if line.ends_with("check passed") || line.eq_ignore_ascii_case("ok") {
            verdict_line = Some(Health::Pass);
        } else if line.ends_with("check failed") {
            verdict_line = Some(Health::Fail);
        }
    }
    let failing = checks.iter().any(|c| c.status == Health::Fail);
    let status = match (verdict_line, failing) {
        (_, true) | (Some(Health::Fail), _) => Some(Health::Fail),
        (Some(h), false) => Some(h),
        (None, false) if !checks.is_empty() => Some(Health::Pass),
        (None, false) => None,
    };
    let what = if status == Some(Health::Fail) {
        "check failed"
    } else {
        "check passed"
    };
    BodyHealth {
        status,
        note: Some(note(what, &checks)),
        checks,
    }
}

fn push(checks: &mut Vec<CheckDetail>, rest: &str, status: Health) {
    if checks.len() >= MAX_CHECKS {
        return;
    }
    let (name, message) = match rest.split_once(' ') {
        Some((name, tail)) => {
            let tail = tail.trim();
            let msg = tail.strip_prefix("failed:").map(str::trim).unwrap_or(tail);
            (
                name,
                (msg != "ok" && !msg.is_empty()).then(|| msg.to_string()),
            )
        }
        None => (rest, None),
    };
    checks.push(CheckDetail {
        name: name.to_string(),
        status,
        message,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_failure_lists_failing_lines() {
        let b = parse(
            "[+]ping ok\n[+]etcd ok\n[-]poststarthook/x-controller failed: reason withheld\nreadyz check failed\n",
        );
        assert_eq!(b.status, Some(Health::Fail));
        assert_eq!(b.checks.len(), 3);
        assert_eq!(b.checks[2].name, "poststarthook/x-controller");
        assert_eq!(b.checks[2].message.as_deref(), Some("reason withheld"));
        assert_eq!(
            b.note.as_deref(),
            Some("check failed (not passing: poststarthook/x-controller)")
        );
    }

    #[test]
    fn passing_and_terse() {
        assert_eq!(
            parse("[+]ping ok\nlivez check passed").status,
            Some(Health::Pass)
        );
        assert_eq!(parse("ok").status, Some(Health::Pass));
        assert_eq!(parse("").status, None);
    }
}
