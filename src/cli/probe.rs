//! `flightdeck probe URL [--format F] [--timeout T] [--json] [--header K:V]`: one probe now.
//!
//! Exit codes follow the monitoring-plugin convention: 0 pass, 1 warn, 2 fail, 3 unknown or
//! usage error. (Wire clap with `try_parse` and map its usage errors to 3 as well.)

use std::io::Write;
use std::time::Duration;

use serde_json::{Value, json};

use crate::probes::http::{default_client, probe_once};
use crate::probes::outcome::redact_url;
use crate::probes::{Health, ProbeFormat, ProbeOutcome, ResolvedProbe};

use super::exit::{PROBE_FAIL, PROBE_PASS, PROBE_UNKNOWN, PROBE_WARN};

/// Arguments of `flightdeck probe`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// The URL to probe (http or https).
    pub url: String,
    /// Health format: auto, ietf, actuator, k8s, json or status.
    #[arg(long, default_value = "auto")]
    pub format: ProbeFormat,
    /// Timeout for the whole exchange: `2000`, `2000ms`, `2s` or `1.5s`.
    #[arg(long, default_value = "2000ms", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// An extra request header `Name: value` (repeatable). Values are never printed.
    #[arg(long = "header", short = 'H', value_name = "K:V")]
    pub headers: Vec<String>,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// Only this HTTP status passes (default: the format decides; 2xx passes).
    #[arg(long)]
    pub expect_status: Option<u16>,
}

/// Parses `2000`, `2000ms`, `2s`, `1.5s` into a duration (at least 1 ms).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("invalid timeout {s:?} (e.g. 2000ms or 2s)"))?;
    if !value.is_finite() || value <= 0.0 || value * scale > 3_600_000.0 {
        return Err(format!("timeout {s:?} out of range"));
    }
    Ok(Duration::from_millis(
        (value * scale).round().max(1.0) as u64
    ))
}

/// Runs the probe, prints to stdout (errors to stderr) and returns the exit code.
pub async fn run_probe_cli(args: ProbeArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    run_probe_cli_to(args, &mut out, &mut err).await
}

/// As [`run_probe_cli`], writing to the given streams (for tests).
pub async fn run_probe_cli_to(args: ProbeArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let probe = match build(&args) {
        Ok(p) => p,
        Err(why) => {
            let _ = writeln!(err, "flightdeck probe: {why}");
            return PROBE_UNKNOWN;
        }
    };
    let client = match default_client() {
        Ok(c) => c,
        Err(why) => {
            let _ = writeln!(err, "flightdeck probe: {why}");
            return PROBE_UNKNOWN;
        }
    };
    let outcome = probe_once(&client, &probe).await;
    let code = exit_code(outcome.status);
    let url = redact_url(&args.url);
    let written = if args.json {
        writeln!(out, "{}", to_json(&url, code, &outcome))
    } else {
        write_human(out, &url, &outcome)
    };
    match written {
        // A reader that stopped reading (`| head -c 0`) does not change what the probe found.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => PROBE_UNKNOWN,
        _ => code,
    }
}

pub fn exit_code(status: Health) -> i32 {
    match status {
        Health::Pass => PROBE_PASS,
        Health::Warn => PROBE_WARN,
        Health::Fail => PROBE_FAIL,
    }
}

fn build(args: &ProbeArgs) -> Result<ResolvedProbe, String> {
    let parsed = reqwest::Url::parse(&args.url).map_err(|e| format!("invalid URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported URL scheme {:?} (http or https)",
            parsed.scheme()
        ));
    }
    let mut probe = ResolvedProbe::get(args.url.clone());
    probe.method = args.method.to_ascii_uppercase();
    probe.timeout = args.timeout;
    probe.format = args.format;
    probe.expect_status = args.expect_status;
    for raw in &args.headers {
        let (name, value) = raw
            .split_once(':')
            .ok_or_else(|| "a header must be `Name: value`".to_string())?;
        let name = name.trim();
        if name.is_empty() {
            return Err("a header needs a name before `:`".into());
        }
        probe
            .headers
            .push((name.to_string(), value.trim().to_string()));
    }
    Ok(probe)
}

fn to_json(url: &str, code: i32, outcome: &ProbeOutcome) -> Value {
    let mut value = serde_json::to_value(outcome).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("url".into(), json!(url));
        map.insert("verdict".into(), json!(outcome.status.as_str()));
        map.insert("exit_code".into(), json!(code));
    }
    value
}

fn write_human(out: &mut dyn Write, url: &str, o: &ProbeOutcome) -> std::io::Result<()> {
    let http = o
        .http_status
        .map_or_else(|| "no response".to_string(), |c| format!("HTTP {c}"));
    let format = o.format.map_or("-", ProbeFormat::as_str);
    let ms = o.latency.as_secs_f64() * 1000.0;
    let verdict = o.status.as_str().to_ascii_uppercase();
    write!(out, "{verdict} {url} {http} {ms:.1} ms format={format}")?;
    match &o.reason {
        Some(reason) => writeln!(out, " - {reason}")?,
        None => writeln!(out)?,
    }
    for check in &o.checks {
        let status = check.status.as_str().to_ascii_uppercase();
        match &check.message {
            Some(msg) => writeln!(out, "  {status:<4} {}: {msg}", check.name)?,
            None => writeln!(out, "  {status:<4} {}", check.name)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_timeout("2000").unwrap(), Duration::from_millis(2000));
        assert_eq!(parse_timeout("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_timeout("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_timeout("soon").is_err());
        assert!(parse_timeout("0").is_err());
    }
}
