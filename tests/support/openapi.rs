//! A small OpenAPI 3.0 checker for tests: finds an operation by method + path template,
//! checks path/query parameters and request bodies, and validates JSON against schemas
//! (type, nullable, required, enum, properties, additionalProperties, items, allOf/anyOf/oneOf,
//! $ref). The subset's one dangling ref, `pull-request-minimal`, is treated as any object.
#![allow(dead_code)]

use std::collections::HashMap;

use serde_json::Value;

pub const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/github/github-actions-deployments.openapi.json"
);

pub struct Spec {
    doc: Value,
}

pub struct Found<'a> {
    pub template: String,
    pub op: &'a Value,
    pub path_params: HashMap<String, String>,
}

impl Spec {
    pub fn load() -> Spec {
        let text = std::fs::read_to_string(SPEC_PATH).expect("read OpenAPI spec");
        Spec {
            doc: serde_json::from_str(&text).expect("parse OpenAPI spec"),
        }
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> Option<&'a Value> {
        match v.get("$ref").and_then(Value::as_str) {
            None => Some(v),
            Some(r) => {
                let ptr = r.strip_prefix('#')?;
                self.doc.pointer(ptr).and_then(|t| self.resolve(t))
            }
        }
    }

    /// The operation for `method` and a concrete `path` (no query), with its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Result<Found<'_>, String> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let paths = self.doc["paths"].as_object().ok_or("no paths")?;
        for (template, item) in paths {
            let tsegs: Vec<&str> = template.trim_matches('/').split('/').collect();
            if tsegs.len() != segs.len() {
                continue;
            }
            let mut params = HashMap::new();
            let ok = tsegs.iter().zip(&segs).all(|(t, s)| {
                match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => {
                        params.insert(name.to_string(), (*s).to_string());
                        !s.is_empty()
                    }
                    None => t == s,
                }
            });
            if let (true, Some(op)) = (ok, item.get(method.to_ascii_lowercase())) {
                return Ok(Found {
                    template: template.clone(),
                    op,
                    path_params: params,
                });
            }
        }
        Err(format!("{method} {path}: no such operation in the spec"))
    }

    fn params<'a>(&'a self, op: &'a Value) -> Vec<&'a Value> {
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| self.resolve(p))
            .collect()
    }

    /// Checks a request; returns the operationId.
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Option<&Value>,
    ) -> Result<String, Vec<String>> {
        let found = self.find(method, path).map_err(|e| vec![e])?;
        let id = found.op["operationId"].as_str().unwrap_or("?").to_string();
        let mut errs = Vec::new();
        let params = self.params(found.op);
        let query: Vec<(String, String)> = query
            .map(|q| {
                q.split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (decode(k), decode(v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for p in &params {
            let name = p["name"].as_str().unwrap_or("");
            let place = p["in"].as_str().unwrap_or("");
            let value = match place {
                "path" => found.path_params.get(name).cloned(),
                "query" => query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
                _ => continue,
            };
            match value {
                None if p["required"].as_bool() == Some(true) => {
                    errs.push(format!("{id}: missing required {place} parameter {name}"))
                }
                None => {}
                Some(v) => {
                    let schema = self.resolve(&p["schema"]).unwrap_or(&p["schema"]);
                    let json = if schema["format"] == "date-time" {
                        // The description allows search syntax: `>=T`, `<=T`, `A..B`, dates.
                        Value::String(search_date(&v))
                    } else if schema["type"] == "string" {
                        Value::String(v)
                    } else {
                        param_value(&v)
                    };
                    self.validate(schema, &json, &format!("{id} {place} {name}"), &mut errs)
                }
            }
        }
        for (k, _) in &query {
            if !params
                .iter()
                .any(|p| p["in"] == "query" && p["name"] == k.as_str())
            {
                errs.push(format!("{id}: undeclared query parameter {k}"));
            }
        }
        let schema = found
            .op
            .pointer("/requestBody/content/application~1json/schema");
        match (schema, body) {
            (Some(s), Some(b)) => self.validate(s, b, &format!("{id} body"), &mut errs),
            (Some(_), None) if found.op["requestBody"]["required"].as_bool() == Some(true) => {
                errs.push(format!("{id}: request body required"))
            }
            (None, Some(_)) => errs.push(format!("{id}: takes no request body")),
            _ => {}
        }
        if errs.is_empty() { Ok(id) } else { Err(errs) }
    }

    /// Checks a response body against the schema declared for its status.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let found = self.find(method, path).map_err(|e| vec![e])?;
        let id = found.op["operationId"].as_str().unwrap_or("?");
        let Some(resp) = found.op["responses"]
            .get(status.to_string())
            .and_then(|r| self.resolve(r))
        else {
            return Err(vec![format!("{id}: status {status} not declared")]);
        };
        let mut errs = Vec::new();
        match (resp.pointer("/content/application~1json/schema"), body) {
            (Some(s), Some(b)) => self.validate(s, b, &format!("{id} {status}"), &mut errs),
            (Some(_), None) => errs.push(format!("{id} {status}: body expected")),
            (None, Some(_)) => errs.push(format!("{id} {status}: no body expected")),
            (None, None) => {}
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    pub fn validate(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match self.resolve(schema) {
                Some(s) => return self.validate(s, v, at, errs),
                None if r.ends_with("/pull-request-minimal") => {
                    if !v.is_object() {
                        errs.push(format!("{at}: expected object (pull-request-minimal)"));
                    }
                    return;
                }
                None => return errs.push(format!("{at}: unresolved {r}")),
            }
        }
        if v.is_null() && schema["nullable"].as_bool() == Some(true) {
            return;
        }
        if let Some(all) = schema["allOf"].as_array() {
            all.iter().for_each(|s| self.validate(s, v, at, errs));
        }
        for (key, want_one) in [("anyOf", false), ("oneOf", true)] {
            if let Some(alts) = schema[key].as_array() {
                let passing = alts.iter().filter(|s| self.accepts(s, v)).count();
                if passing == 0 || (want_one && passing > 1) {
                    errs.push(format!("{at}: {passing} of the {key} alternatives match"));
                }
            }
        }
        if let Some(e) = schema["enum"].as_array()
            && !e.contains(v)
            && !(v.is_null() && schema["nullable"].as_bool() == Some(true))
        {
            errs.push(format!("{at}: {v} not in enum {e:?}"));
        }
        let ok = match schema["type"].as_str() {
            None => true,
            Some("object") => v.is_object(),
            Some("array") => v.is_array(),
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64() || v.is_u64(),
            Some("number") => v.is_number(),
            Some("boolean") => v.is_boolean(),
            Some(_) => true,
        };
        if !ok {
            return errs.push(format!("{at}: expected {}, got {v}", schema["type"]));
        }
        if schema["format"] == "date-time"
            && let Some(s) = v.as_str()
            && chrono::DateTime::parse_from_rfc3339(s).is_err()
        {
            errs.push(format!("{at}: not a date-time: {s}"));
        }
        if let Some(obj) = v.as_object() {
            for r in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !obj.contains_key(r) {
                    errs.push(format!("{at}: missing required {r}"));
                }
            }
            let props = schema["properties"].as_object();
            if let Some(max) = schema["maxProperties"].as_u64()
                && obj.len() as u64 > max
            {
                errs.push(format!("{at}: more than {max} properties"));
            }
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => self.validate(s, val, &format!("{at}.{k}"), errs),
                    None => match &schema["additionalProperties"] {
                        Value::Bool(false) => errs.push(format!("{at}: unexpected property {k}")),
                        s @ Value::Object(_) => self.validate(s, val, &format!("{at}.{k}"), errs),
                        _ => {}
                    },
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                self.validate(items, item, &format!("{at}[{i}]"), errs);
            }
        }
    }

    fn accepts(&self, schema: &Value, v: &Value) -> bool {
        let mut e = Vec::new();
        self.validate(schema, v, "", &mut e);
        e.is_empty()
    }
}

/// A path/query string as JSON: integers become numbers, `true`/`false` booleans.
fn param_value(s: &str) -> Value {
    if let Ok(n) = s.parse::<i64>() {
        return Value::from(n);
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(s.to_string()),
    }
}

/// The first date of a search-syntax date qualifier (`>=2024-01-01T00:00:00Z`, `A..B`, a bare date).
fn search_date(q: &str) -> String {
    let first = q
        .split("..")
        .next()
        .unwrap_or(q)
        .trim_start_matches(['>', '<', '=']);
    if first.len() == 10 {
        format!("{first}T00:00:00Z")
    } else {
        first.to_string()
    }
}

/// Percent-decoding for query strings.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
