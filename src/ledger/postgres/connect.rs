//! Where a PostgreSQL ledger lives and how to reach it, the libpq way.
//!
//! - The URL is a libpq URI (`postgres://user@host:port/db?sslmode=…`, `?host=/dir` for a unix
//!   socket). It never carries a password: the password comes from `password_command` (an argv whose
//!   stdout is the password), else `PGPASSWORD`, else `PGPASSFILE` / `~/.pgpass`.
//! - `sslmode`: `disable` (plain), `prefer` (TLS if offered, unverified; libpq's default), `require`
//!   (TLS, unverified), `verify-full` (TLS, certificate chain and host name checked against the
//!   system trust store, or against `sslrootcert=FILE` when given).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_postgres::config::Host;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::pgpass;
pub use crate::config::ledger_url::{LedgerUrl, SslMode, is_postgres_url};

/// A parsed ledger URL plus how to find its password. Displays without any secret.
#[derive(Clone)]
pub struct PgTarget {
    config: Arc<tokio_postgres::Config>,
    ssl: SslMode,
    root_cert: Option<PathBuf>,
    password_command: Option<Vec<String>>,
    display: String,
}

impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl fmt::Display for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl PgTarget {
    pub fn parse(url: &str, password_command: Option<Vec<String>>) -> Result<PgTarget, String> {
        let LedgerUrl {
            mut config,
            ssl,
            root_cert,
        } = LedgerUrl::parse(url)?;
        if config.get_user().is_none() {
            let user = match std::env::var("PGUSER") {
                Ok(user) if !user.is_empty() => user,
                _ => super::super::identity::current_actor()
                    .map(|a| a.account)
                    .map_err(|e| format!("no user in the ledger URL and {e}"))?,
            };
            config.user(user);
        }
        if config.get_application_name().is_none() {
            config.application_name("flightdeck");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let display = describe(&config);
        Ok(PgTarget {
            config: Arc::new(config),
            ssl,
            root_cert,
            password_command,
            display,
        })
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.ssl
    }

    /// Connects; the caller drives the returned connection (spawn it, or poll it for notifications).
    pub async fn connect(
        &self,
    ) -> Result<
        (
            tokio_postgres::Client,
            tokio_postgres::Connection<
                tokio_postgres::Socket,
                <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<
                    tokio_postgres::Socket,
                >>::Stream,
            >,
        ),
        String,
    > {
        let mut config = (*self.config).clone();
        if let Some(password) = self.password().await? {
            config.password(password);
        }
        let tls = MakeRustlsConnect::new(self.tls_config()?);
        config
            .connect(tls)
            .await
            .map_err(|e| format!("{}: cannot connect: {}", self.display, describe_error(&e)))
    }

    async fn password(&self) -> Result<Option<String>, String> {
        if let Some(argv) = &self.password_command {
            return run_password_command(argv).await.map(Some);
        }
        if let Ok(password) = std::env::var("PGPASSWORD") {
            return Ok(Some(password));
        }
        let (host, port) = self.first_host_port();
        let db = self.config.get_dbname().unwrap_or_default().to_string();
        let user = self.config.get_user().unwrap_or_default().to_string();
        Ok(pgpass::lookup(&host, port, &db, &user))
    }

    /// libpq's names for the first host: a socket directory counts as `localhost`.
    fn first_host_port(&self) -> (String, u16) {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            _ => "localhost".to_string(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        (host, port)
    }

    fn tls_config(&self) -> Result<ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?;
        let config = match (self.ssl, &self.root_cert) {
            (SslMode::VerifyFull, Some(file)) => {
                let mut roots = rustls::RootCertStore::empty();
                let certs = CertificateDer::pem_file_iter(file)
                    .map_err(|e| format!("sslrootcert {}: {e}", file.display()))?;
                for cert in certs {
                    let cert = cert.map_err(|e| format!("sslrootcert {}: {e}", file.display()))?;
                    roots
                        .add(cert)
                        .map_err(|e| format!("sslrootcert {}: {e}", file.display()))?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            (SslMode::VerifyFull, None) => {
                use rustls_platform_verifier::BuilderVerifierExt;
                builder
                    .with_platform_verifier()
                    .map_err(|e| format!("TLS trust store: {e}"))?
                    .with_no_client_auth()
            }
            // prefer / require encrypt without checking who answers, as libpq does.
            _ => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
                .with_no_client_auth(),
        };
        Ok(config)
    }
}

/// `postgres://user@host:port/db` (first host), for messages; never a password.
fn describe(config: &tokio_postgres::Config) -> String {
    let user = config.get_user().unwrap_or("?");
    let db = config.get_dbname().unwrap_or(user);
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(Host::Tcp(name)) => format!("postgres://{user}@{name}:{port}/{db}"),
        Some(Host::Unix(dir)) => {
            format!("postgres://{user}@/{db}?host={}&port={port}", dir.display())
        }
        None => format!("postgres://{user}@localhost:{port}/{db}"),
    }
}

/// tokio-postgres's Display hides the cause ("error connecting to server"); show the whole chain.
pub fn describe_error(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

async fn run_password_command(argv: &[String]) -> Result<String, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err(
            "[ledger] password_command is empty: give the program and its arguments".into(),
        );
    };
    let output = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("[ledger] password_command {program}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "[ledger] password_command {program} failed ({})",
            output.status
        ));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| format!("[ledger] password_command {program} printed non-UTF-8"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// `sslmode=prefer|require`: encryption against passive listeners, no identity check (libpq's
/// meaning). Signatures are still checked so the handshake is well-formed.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_password_in_the_url() {
        let err = PgTarget::parse("postgres://alice:hunter2@db.example/ledger", None)
            .expect_err("password refused");
        assert!(err.contains("PGPASSWORD"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn reads_sslmode_and_shows_no_secret() {
        let target = PgTarget::parse(
            "postgres://alice@db.example:6432/fd?sslmode=verify-full",
            None,
        )
        .expect("parse");
        assert_eq!(target.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(target.to_string(), "postgres://alice@db.example:6432/fd");
        let plain = PgTarget::parse("postgres://alice@/fd?host=/tmp/s&sslmode=disable", None)
            .expect("socket url");
        assert_eq!(plain.ssl_mode(), SslMode::Disable);
        assert!(plain.to_string().contains("host=/tmp/s"), "{plain}");
        let err = PgTarget::parse("postgres://a@h/d?sslmode=verify-ca", None).expect_err("ca");
        assert!(err.contains("verify-full"), "{err}");
    }
}
