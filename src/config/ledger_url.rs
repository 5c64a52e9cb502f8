//! The `[ledger] url` of a profile, read the libpq way: which server, whether TLS and how it is
//! checked. Checked when the profile loads (so a bad URL names its file and line); the ledger
//! fills in the user and connects (`ledger::postgres::PgTarget`).

use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

/// Is `text` a PostgreSQL URL (rather than a file path)?
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// A ledger URL as written, with its TLS settings taken out of the query.
#[derive(Debug, Clone)]
pub struct LedgerUrl {
    /// The URL's settings with `sslmode` as tokio-postgres understands it.
    pub config: tokio_postgres::Config,
    pub ssl: SslMode,
    /// `sslrootcert=FILE`: the roots `verify-full` checks against instead of the system's.
    pub root_cert: Option<PathBuf>,
}

impl LedgerUrl {
    pub fn parse(url: &str) -> Result<LedgerUrl, String> {
        if !is_postgres_url(url) {
            return Err("a ledger URL starts with postgres:// or postgresql://".into());
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut ssl = SslMode::Prefer;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl = match value {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-full" => SslMode::VerifyFull,
                        other => {
                            return Err(format!(
                                "sslmode={other} is not supported: use disable, prefer, require or \
                                 verify-full"
                            ));
                        }
                    }
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(value)),
                "password" => return Err(password_in_url()),
                _ => kept.push(pair),
            }
        }
        let wire = match ssl {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require | SslMode::VerifyFull => "require",
        };
        kept.push(match wire {
            "disable" => "sslmode=disable",
            "prefer" => "sslmode=prefer",
            _ => "sslmode=require",
        });
        let rebuilt = format!("{base}?{}", kept.join("&"));
        let config = tokio_postgres::Config::from_str(&rebuilt)
            .map_err(|e| format!("the ledger URL {} is not valid: {e}", strip_userinfo(base)))?;
        if config.get_password().is_some() {
            return Err(password_in_url());
        }
        Ok(LedgerUrl {
            config,
            ssl,
            root_cert,
        })
    }
}

fn password_in_url() -> String {
    "the ledger URL must not carry a password: use PGPASSWORD, ~/.pgpass, or \
     `password_command = [\"…\"]` in the profile's [ledger] section"
        .into()
}

fn strip_userinfo(base: &str) -> String {
    match base.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://{host}"),
            None => base.to_string(),
        },
        None => base.to_string(),
    }
}
