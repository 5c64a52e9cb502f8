//! HTTP client builders and where a credential may go. Loading the system's certificate store
//! costs tens of milliseconds of start-up per client; when every endpoint is plain HTTP on
//! loopback (the sandbox) it is skipped.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;

/// A builder with flightdeck's user agent; without TLS roots when `loopback_only`.
pub fn builder(loopback_only: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5));
    if loopback_only {
        // No roots at all: an HTTPS endpoint would fail to verify, never be trusted blindly.
        builder.tls_certs_only(std::iter::empty())
    } else {
        builder
    }
}

/// The URL's host is a loopback address once parsed: `localhost` in any case, `127.0.0.0/8` in
/// any IPv4 spelling (`2130706434`, `0x7f000002`), `[::1]` and `[::ffff:127.x.y.z]`.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).to_canonical().is_loopback(),
        None => false,
    }
}

/// A credential may be sent to `url` only over HTTPS, or over plain HTTP to a loopback host.
pub fn credential_may_go_to(url: &str) -> Result<(), String> {
    let Ok(parsed) = Url::parse(url) else {
        return Err(format!("`{url}` is not a valid URL"));
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_url(url) => Ok(()),
        scheme => Err(format!(
            "refusing to send a credential over {scheme}:// to {}: use https, or a loopback address",
            parsed.host_str().unwrap_or("?")
        )),
    }
}

/// Seconds the server asks us to wait: `Retry-After` as delay-seconds (an HTTP date counts as a
/// minute: clocks differ and the header is advice).
pub fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    value
        .parse()
        .ok()
        .or_else(|| (!value.is_empty()).then_some(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_parsed_not_prefix_matched() {
        for url in [
            "http://127.0.0.1:8080/v2",
            "http://2130706434:8080/",
            "http://0x7f000002:80/",
            "http://LOCALHOST:1/",
            "http://localhost./",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.2]:9/",
            "http://127.1/",
        ] {
            assert!(is_loopback_url(url), "{url} is loopback");
        }
        for url in [
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://10.0.0.1/",
            "http://[::ffff:10.0.0.1]/",
            "http://run.googleapis.com/",
            "not a url",
        ] {
            assert!(!is_loopback_url(url), "{url} is not loopback");
        }
    }

    #[test]
    fn credentials_go_over_https_or_to_loopback_only() {
        assert!(credential_may_go_to("https://run.googleapis.com/v2/x").is_ok());
        assert!(credential_may_go_to("http://0x7f000001:9/").is_ok());
        let refused = credential_may_go_to("http://run.example.com/v2").unwrap_err();
        assert!(refused.contains("run.example.com"), "{refused}");
        assert!(credential_may_go_to("http://127.0.0.1.nip.io/").is_err());
        assert!(credential_may_go_to("ftp://127.0.0.1/").is_err());
    }
}
