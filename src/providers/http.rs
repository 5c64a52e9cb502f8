//! HTTP client builders. Loading the system's certificate store costs tens of milliseconds of
//! start-up per client; when every endpoint is plain HTTP on loopback (the sandbox) it is skipped.

use std::time::Duration;

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
