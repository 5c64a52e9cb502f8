//! The ledger's line format: one JSON object per line, hash-chained.
//!
//! ```text
//! {"seq":7,"time":"2025-…Z","actor":{…},"kind":"signoff","payload":{…},"prev":"<64 hex>","hash":"<64 hex>"}
//! ```
//!
//! - `prev` is the hex SHA-256 of the previous entry's line (its exact bytes, without the newline),
//!   or [`GENESIS`] for the first entry.
//! - `hash` is the hex SHA-256 of the entry's canonical form without `hash`: the JSON value with
//!   object keys sorted and no whitespace ([`canonical_json`]). It is computed from the parsed JSON,
//!   not from the Rust types, so entries of kinds this binary does not know still verify.
//! - `sig` (only when the profile turns signing on) is the author's SSHSIG over the `hash` text
//!   ([`super::signing`]); it is not part of `hash`, but it is part of the line, so of the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1 for the first entry, then +1 per entry.
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub actor: Actor,
    #[serde(flatten)]
    pub payload: Payload,
    pub prev: String,
    pub hash: String,
    /// The armored SSHSIG of `hash` by the author's key, when signing is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

/// Who wrote an entry: the operating-system account, its host, and the SSH client if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account: String,
    pub uid: u32,
    pub host: String,
    /// `ip:port` of the SSH client (from `SSH_CONNECTION`), when the session came over SSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_origin: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    #[serde(rename = "go")]
    Go,
    #[serde(rename = "no_go")]
    NoGo,
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
        }
    }
}

/// What an entry records. Serialized as `"kind": "<snake_case>", "payload": {…}`.
/// Add variants at the end; never rename a kind (old ledgers must still read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Payload {
    Signoff {
        env: String,
        release: String,
        item: String,
        role: String,
        decision: Decision,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    Comment {
        env: String,
        release: String,
        item: String,
        role: String,
        text: String,
    },
    /// Written before a command is sent to a provider.
    Command {
        request_id: String,
        action: String,
        env: String,
        release: String,
        #[serde(default)]
        detail: Value,
    },
    /// Written after the provider answered (or gave up) for `request_id`.
    CommandOutcome {
        request_id: String,
        ok: bool,
        #[serde(default)]
        detail: Value,
    },
    Override {
        gate: String,
        reason: String,
        request_id: String,
    },
    /// A rollout's plan or one of its transitions (`event`), with the whole rollout state after it
    /// (`state`) and the driver's lease (`lease`: holder, heartbeat, expires). Any cockpit or CLI
    /// rebuilds rollouts in flight from these (`model::rollouts`).
    Rollout {
        request_id: String,
        env: String,
        event: String,
        #[serde(default)]
        state: Value,
        #[serde(default)]
        lease: Value,
    },
    /// A hand on a rollout someone else drives: pause, resume, advance or abort. The driver obeys it.
    RolloutControl {
        request_id: String,
        env: String,
        control: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl Payload {
    /// The `kind` string as written in the ledger.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Signoff { .. } => "signoff",
            Payload::Comment { .. } => "comment",
            Payload::Command { .. } => "command",
            Payload::CommandOutcome { .. } => "command_outcome",
            Payload::Override { .. } => "override",
            Payload::Rollout { .. } => "rollout",
            Payload::RolloutControl { .. } => "rollout_control",
        }
    }
}

/// The fields an appender needs from the last entry, readable from any entry kind.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ChainFields {
    pub seq: u64,
}

/// Lower-case hex of SHA-256 over `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    out
}

/// Deterministic JSON text of `value`: object keys sorted, no whitespace, serde_json escaping.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(*key) {
                    write_canonical(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The `hash` an entry whose JSON is `value` must carry (its `hash` and `sig` fields are ignored).
pub fn entry_hash(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut without_hash = map.clone();
            without_hash.remove("hash");
            without_hash.remove("sig");
            sha256_hex(canonical_json(&Value::Object(without_hash)).as_bytes())
        }
        other => sha256_hex(canonical_json(other).as_bytes()),
    }
}

/// Object keys whose values never go into the ledger (matched case-insensitively as substrings).
const SECRET_KEYS: [&str; 7] = [
    "token",
    "secret",
    "password",
    "authorization",
    "api_key",
    "apikey",
    "credential",
];

/// Replaces the value of every secret-looking key in `value`, at any depth, with `"[redacted]"`.
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEYS.iter().any(|s| key.contains(s)) {
                    *inner = Value::String("[redacted]".into());
                } else {
                    redact_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// Signs an entry's `hash` text; the error is shown to the user as is.
pub type SignFn<'a> = &'a dyn Fn(&[u8]) -> Result<String, String>;

/// Builds the complete line (without newline) for a new entry chained after `prev`, signed by
/// `sign` when given. Secret-looking keys in command details are redacted first.
pub(crate) fn seal_signed(
    seq: u64,
    time: DateTime<Utc>,
    actor: Actor,
    payload: Payload,
    prev: String,
    sign: Option<SignFn<'_>>,
) -> Result<(Entry, String), String> {
    let (mut entry, line) =
        seal(seq, time, actor, payload, prev).map_err(|e| format!("cannot encode entry: {e}"))?;
    let Some(sign) = sign else {
        return Ok((entry, line));
    };
    entry.sig = Some(sign(entry.hash.as_bytes())?);
    let line = serde_json::to_string(&entry).map_err(|e| format!("cannot encode entry: {e}"))?;
    Ok((entry, line))
}

/// [`seal_signed`] without a signature.
pub(crate) fn seal(
    seq: u64,
    time: DateTime<Utc>,
    actor: Actor,
    mut payload: Payload,
    prev: String,
) -> Result<(Entry, String), serde_json::Error> {
    if let Payload::Command { detail, .. } | Payload::CommandOutcome { detail, .. } = &mut payload {
        redact_secrets(detail);
    }
    let mut entry = Entry {
        seq,
        time,
        actor,
        payload,
        prev,
        hash: String::new(),
        sig: None,
    };
    entry.hash = entry_hash(&serde_json::to_value(&entry)?);
    let line = serde_json::to_string(&entry)?;
    Ok((entry, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            account: "alice".into(),
            uid: 1000,
            host: "bastion".into(),
            ssh_origin: Some("10.0.0.7:52144".into()),
        }
    }

    #[test]
    fn sha256_hex_matches_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value: Value = serde_json::from_str(r#"{"b":1,"a":{"y":[2,{"d":1,"c":0}],"x":"q"}}"#)
            .expect("test json");
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"x":"q","y":[2,{"c":0,"d":1}]},"b":1}"#
        );
    }

    #[test]
    fn sealed_line_has_kind_and_payload_at_top_level_and_round_trips() {
        let payload = Payload::Signoff {
            env: "prod".into(),
            release: "v1".into(),
            item: "Database".into(),
            role: "Technical Lead".into(),
            decision: Decision::NoGo,
            comment: Some("migration untested".into()),
        };
        let (entry, line) = seal(1, Utc::now(), actor(), payload, GENESIS.into()).expect("seal");
        let value: Value = serde_json::from_str(&line).expect("line is json");
        assert_eq!(value["kind"], "signoff");
        assert_eq!(value["payload"]["decision"], "no_go");
        assert_eq!(value["hash"], entry.hash.as_str());
        assert_eq!(entry_hash(&value), entry.hash);
        let back: Entry = serde_json::from_str(&line).expect("entry parses");
        assert_eq!(back, entry);
    }

    #[test]
    fn command_details_never_carry_secrets() {
        let payload = Payload::Command {
            request_id: "r1".into(),
            action: "promote".into(),
            env: "prod".into(),
            release: "v1".into(),
            detail: serde_json::json!({
                "steps": [10, 50, 100],
                "headers": {"Authorization": "Bearer abc", "x": "y"},
                "calls": [{"access_token": "abc"}],
            }),
        };
        let (_, line) = seal(1, Utc::now(), actor(), payload, GENESIS.into()).expect("seal");
        assert!(!line.contains("abc"), "{line}");
        let value: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(
            value["payload"]["detail"]["headers"]["Authorization"],
            "[redacted]"
        );
        assert_eq!(value["payload"]["detail"]["headers"]["x"], "y");
        assert_eq!(value["payload"]["detail"]["steps"][2], 100);
    }

    #[test]
    fn editing_any_field_changes_the_hash() {
        let payload = Payload::Override {
            gate: "freeze".into(),
            reason: "sev1 fix".into(),
            request_id: "r1".into(),
        };
        let (entry, line) = seal(3, Utc::now(), actor(), payload, GENESIS.into()).expect("seal");
        let edited = line.replace("sev1 fix", "sev2 fix");
        let value: Value = serde_json::from_str(&edited).expect("json");
        assert_ne!(entry_hash(&value), entry.hash);
    }
}
