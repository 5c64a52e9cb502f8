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

/// A failed request in words a person can act on: timed out, refused, cut off, or an HTTPS
/// request answered by a server that does not speak TLS (rustls would say "received corrupt
/// message of type InvalidContentType").
pub fn transport_words(url: &str, e: &reqwest::Error) -> String {
    let chain = error_chain(e);
    if e.is_timeout() {
        return "timed out".into();
    }
    if speaks_no_tls(e) {
        let origin =
            Url::parse(url).map_or_else(|_| url.to_string(), |u| u.origin().ascii_serialization());
        return format!(
            "the server at {origin} does not speak TLS (is it a plain http:// endpoint?)"
        );
    }
    let innermost = chain.last().cloned().unwrap_or_default();
    if e.is_connect() {
        format!("connection failed ({innermost})")
    } else if e.is_body() || e.is_decode() {
        format!("the answer was cut off ({innermost})")
    } else {
        // reqwest's own text would repeat the URL; callers name it already.
        let outer = e.without_url_ref();
        if innermost.is_empty() || outer == innermost {
            outer
        } else {
            format!("{outer} ({innermost})")
        }
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        match self.url() {
            Some(url) => text.replace(&format!(" for url ({url})"), ""),
            None => text,
        }
    }
}

/// The messages of `e`'s sources, outermost first, looking inside `io::Error` wrappers (whose
/// `source()` skips the error they wrap).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = e.source();
    while let Some(error) = next {
        messages.push(error.to_string());
        next = match error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => {
                messages.push(inner.to_string());
                inner.source()
            }
            None => error.source(),
        };
    }
    messages.dedup();
    messages
}

/// The TLS handshake got bytes that are not a TLS record: a plain-HTTP server.
pub fn speaks_no_tls(e: &reqwest::Error) -> bool {
    let wrong_record = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = next {
        if error.downcast_ref::<rustls::Error>() == Some(&wrong_record) {
            return true;
        }
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if let Some(inner) = inner
            && inner.downcast_ref::<rustls::Error>() == Some(&wrong_record)
        {
            return true;
        }
        next = error.source();
    }
    error_chain(e)
        .iter()
        .any(|m| m.contains("InvalidContentType"))
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

    #[tokio::test]
    async fn https_to_a_plain_http_port_says_the_server_does_not_speak_tls() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut hello = [0u8; 512];
                let _ = socket.read(&mut hello).await;
                let answer = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        let url = format!("https://127.0.0.1:{port}/v2/projects/p");
        let client = builder(false).build().unwrap();
        let error = client.get(&url).send().await.unwrap_err();
        let words = transport_words(&url, &error);
        assert_eq!(
            words,
            format!(
                "the server at https://127.0.0.1:{port} does not speak TLS (is it a plain http:// endpoint?)"
            )
        );
        let refused = client.get("http://127.0.0.1:9/").send().await.unwrap_err();
        let words = transport_words("http://127.0.0.1:9/", &refused);
        assert!(words.starts_with("connection failed ("), "{words}");
    }

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
