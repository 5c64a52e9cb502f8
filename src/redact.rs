//! The one redaction filter. Every string that reaches the screen, the ledger, a log or stderr
//! passes [`redact`]: it replaces the tokens this process holds (registered by
//! [`remember`] when a token is read) and anything shaped like a credential: GitHub tokens
//! (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`), Google access tokens (`ya29.`),
//! JWTs (`eyJ….….…`) and whatever follows `Bearer`, `Basic` or `token`.

use std::borrow::Cow;
use std::sync::{PoisonError, RwLock};

/// What a secret is replaced with.
pub const MASK: &str = "<redacted>";

static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Shorter values are not remembered: masking them would garble ordinary text.
const MIN_SECRET_LEN: usize = 8;

const TOKEN_PREFIXES: [&str; 7] = [
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "ghr_",
    "github_pat_",
    "ya29.",
];

/// Words after which the next word is a credential (`Bearer x`, `Basic x`).
const CREDENTIAL_SCHEMES: [&str; 2] = ["bearer", "basic"];
/// Field names whose value is a credential (`token: x`, `"access_token": "x"`, `password=x`).
const CREDENTIAL_FIELDS: [&str; 6] = [
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "client_secret",
];

#[derive(Clone, Copy, PartialEq)]
enum Before {
    Nothing,
    Scheme,
    Field,
}

/// Registers a secret in use so that [`redact`] masks it wherever it appears.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(PoisonError::into_inner);
    if !known.iter().any(|k| k == secret) {
        known.push(secret.to_string());
    }
}

/// A header whose value is a credential (`Authorization`, `Cookie`, `X-Api-Key`, `*-Token` …).
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth", "cookie", "token", "key", "secret", "password", "session",
    ]
    .iter()
    .any(|part| name.contains(part))
}

/// Registers the value of a sensitive header (and its credential after `Bearer `/`Basic `).
pub fn remember_header(name: &str, value: &str) {
    if !is_sensitive_header(name) {
        return;
    }
    remember(value);
    if let Some((_, credential)) = value.trim().split_once(' ') {
        remember(credential);
    }
}

/// `text` with every known secret and every credential-shaped word masked.
pub fn redact(text: &str) -> String {
    redact_cow(text).into_owned()
}

/// As [`redact`], borrowing when nothing needed masking.
pub fn redact_cow(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    {
        let known = KNOWN.read().unwrap_or_else(PoisonError::into_inner);
        for secret in known.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
    }
    match mask_shapes(&out) {
        Some(masked) => Cow::Owned(masked),
        None => out,
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '~' | '+' | '/')
}

fn looks_like_credential(word: &str) -> bool {
    let word = word.trim_end_matches('.');
    if TOKEN_PREFIXES
        .iter()
        .any(|p| word.len() > p.len() + 3 && word.starts_with(p))
    {
        return true;
    }
    // A JWT: three base64url parts, the first a JSON object (`eyJ` is `{"`).
    word.starts_with("eyJ") && word.split('.').filter(|p| !p.is_empty()).count() >= 3
}

/// Masks credential-shaped words; `None` when there are none.
fn mask_shapes(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut before = Before::Nothing;
    let mut rest = text;
    while let Some(start) = rest.find(is_token_char) {
        let (gap, tail) = rest.split_at(start);
        let end = tail.find(|c| !is_token_char(c)).unwrap_or(tail.len());
        let (word, next) = tail.split_at(end);
        out.push_str(gap);
        let follows = match before {
            Before::Nothing => false,
            Before::Scheme => !gap.is_empty() && gap.chars().all(|c| c == ' '),
            Before::Field => {
                gap.contains([':', '='])
                    && gap
                        .chars()
                        .all(|c| matches!(c, ' ' | '"' | '\'' | ':' | '='))
            }
        };
        if (follows && word.len() >= MIN_SECRET_LEN) || looks_like_credential(word) {
            out.push_str(MASK);
            changed = true;
            before = Before::Nothing;
        } else {
            out.push_str(word);
            let lower = word.to_ascii_lowercase();
            before = if CREDENTIAL_SCHEMES.contains(&lower.as_str()) {
                Before::Scheme
            } else if CREDENTIAL_FIELDS.contains(&lower.as_str()) {
                Before::Field
            } else {
                Before::Nothing
            };
        }
        rest = next;
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `value` with every string inside it redacted (ledger payloads, JSON output); unchanged
/// when nothing needed masking or when the value does not survive a JSON round trip.
pub fn redact_serde<T: serde::Serialize + serde::de::DeserializeOwned>(value: T) -> T {
    let Ok(mut json) = serde_json::to_value(&value) else {
        return value;
    };
    if !redact_json(&mut json) {
        return value;
    }
    serde_json::from_value(json).unwrap_or(value)
}

/// Redacts every string (and object key) in `json` in place; true when anything changed.
pub fn redact_json(json: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match json {
        Value::String(s) => match redact_cow(s) {
            Cow::Borrowed(_) => false,
            Cow::Owned(masked) => {
                *s = masked;
                true
            }
        },
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact_json(v) | c),
        Value::Object(map) => map.values_mut().fold(false, |c, v| redact_json(v) | c),
        _ => false,
    }
}

/// An `io::Write` that redacts what passes through it: the log file's writer.
pub struct RedactingWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact_cow(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes_are_masked() {
        let cases = [
            (
                "HTTP 401 Bad credentials: Bearer ghp_abcdefABCDEF0123456789",
                "HTTP 401 Bad credentials: Bearer <redacted>",
            ),
            (
                "token github_pat_11ABCDEFG0123456789_abcdef",
                "token <redacted>",
            ),
            (
                "the token invalidated yesterday",
                "the token invalidated yesterday",
            ),
            ("password=hunter2hunter2&x=1", "password=<redacted>&x=1"),
            ("got ya29.a0AfH6SMBx-yz_12 back", "got <redacted> back"),
            (
                "Authorization: Bearer opaque-secret-value",
                "Authorization: Bearer <redacted>",
            ),
            (
                "{\"token\": \"s3cr3t-v4lue-here\"}",
                "{\"token\": \"<redacted>\"}",
            ),
            (
                "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end",
                "jwt <redacted> end",
            ),
            (
                "gho_x is too short to be a token",
                "gho_x is too short to be a token",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn ordinary_text_is_untouched_and_borrowed() {
        for text in [
            "GET https://run.googleapis.com/v2/projects/p/locations/r/services/s: HTTP 404",
            "promote dev → staging: bearer of bad news",
            "revision s-00002-abc serves 100%",
        ] {
            assert!(matches!(redact_cow(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn json_values_are_redacted_inside() {
        let mut v = serde_json::json!({"detail": {"msg": ["Bearer ghp_0123456789abcdef"]}, "n": 1});
        assert!(redact_json(&mut v));
        assert_eq!(v["detail"]["msg"][0], "Bearer <redacted>");
        assert!(!redact_json(&mut v));
    }

    #[test]
    fn remembered_secrets_are_masked_whatever_their_shape() {
        remember("plain-looking-secret-42");
        remember("short");
        assert_eq!(
            redact("echo: plain-looking-secret-42!"),
            "echo: <redacted>!"
        );
        assert_eq!(redact("a short word"), "a short word");
    }
}
