//! A validator for Google discovery-document schemas (`run-v2.discovery.json`): every field must
//! be declared, of the declared type and format, and within its enum.

use serde_json::Value;

pub struct Discovery {
    doc: Value,
}

impl Discovery {
    pub fn cloud_run() -> Discovery {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cloudrun/run-v2.discovery.json"
        );
        let text = std::fs::read_to_string(path).expect("discovery document");
        Discovery {
            doc: serde_json::from_str(&text).expect("discovery JSON"),
        }
    }

    /// Problems of `value` as an instance of schema `id`, each with its JSON path; empty when valid.
    pub fn validate(&self, id: &str, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let schema = &self.doc["schemas"][id];
        assert!(schema.is_object(), "no schema {id}");
        self.check(schema, value, "$", &mut problems);
        problems
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = &self.doc["schemas"][reference];
            return self.check(target, value, path, problems);
        }
        let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
        match (kind, value) {
            ("object", Value::Object(map)) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let additional = schema.get("additionalProperties");
                for (key, field) in map {
                    let at = format!("{path}.{key}");
                    match (properties.and_then(|p| p.get(key)), additional) {
                        (Some(declared), _) => self.check(declared, field, &at, problems),
                        (None, Some(additional)) => self.check(additional, field, &at, problems),
                        // `@type` marks an Any (operation metadata/response): allowed by protobuf JSON.
                        (None, None) if key == "@type" => {}
                        (None, None) => problems.push(format!("{at}: not a field of this schema")),
                    }
                }
            }
            ("array", Value::Array(items)) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{path}[{index}]"), problems);
                    }
                }
            }
            ("string", Value::String(text)) => check_string(schema, text, path, problems),
            ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            ("number", Value::Number(_)) | ("boolean", Value::Bool(_)) | ("any", _) => {}
            (expected, other) => {
                problems.push(format!("{path}: expected {expected}, found {other}"))
            }
        }
    }
}

fn check_string(schema: &Value, text: &str, path: &str, problems: &mut Vec<String>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.iter().any(|a| a.as_str() == Some(text))
    {
        problems.push(format!("{path}: `{text}` is not one of the enum values"));
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("int64" | "uint64") if text.parse::<i64>().is_err() => {
            problems.push(format!("{path}: `{text}` is not an int64 string"));
        }
        Some("google-datetime") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
            problems.push(format!("{path}: `{text}` is not an RFC 3339 time"));
        }
        Some("google-duration") if !text.ends_with('s') => {
            problems.push(format!("{path}: `{text}` is not a duration like `30s`"));
        }
        _ => {}
    }
}
