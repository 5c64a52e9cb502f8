//! The protobuf JSON mapping as Cloud Run answers it: enums arrive as names or as numbers (the
//! REST transports of the official clients ask for `enum-encoding=int`), int64 as strings or
//! numbers. These deserializers accept both and keep names and strings, what we always send.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `TrafficTargetAllocationType`, in proto order.
pub const TRAFFIC_TYPES: &[&str] = &[
    "TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED",
    "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
    "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
];

/// `Condition.State`, in proto order.
pub const CONDITION_STATES: &[&str] = &[
    "STATE_UNSPECIFIED",
    "CONDITION_PENDING",
    "CONDITION_RECONCILING",
    "CONDITION_FAILED",
    "CONDITION_SUCCEEDED",
];

/// `Condition.Severity`, in proto order.
pub const SEVERITIES: &[&str] = &["SEVERITY_UNSPECIFIED", "ERROR", "WARNING", "INFO"];

/// The name of an enum value given as a name or as its number (unknown numbers stay numbers).
pub fn enum_name(value: &Value, names: &[&str]) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(
            n.as_u64()
                .and_then(|i| names.get(usize::try_from(i).ok()?))
                .map_or_else(|| n.to_string(), |name| (*name).to_string()),
        ),
        _ => None,
    }
}

fn de_enum<'de, D: Deserializer<'de>>(d: D, names: &[&str]) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(|v| enum_name(v, names)))
}

pub fn de_traffic_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    de_enum(d, TRAFFIC_TYPES)
}

pub fn de_condition_state<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    de_enum(d, CONDITION_STATES)
}

pub fn de_severity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    de_enum(d, SEVERITIES)
}

/// int64 as `"7"` or `7`; kept as the decimal string.
pub fn de_int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an int64 as a string or a number, got {other}"
        ))),
    }
}

/// int32 as `10` or `"10"`.
pub fn de_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an int32"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not an int32"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an int32, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_read_as_names_or_numbers() {
        assert_eq!(
            enum_name(&Value::from(1), TRAFFIC_TYPES).as_deref(),
            Some("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST")
        );
        assert_eq!(
            enum_name(&Value::from("CONDITION_FAILED"), CONDITION_STATES).as_deref(),
            Some("CONDITION_FAILED")
        );
        assert_eq!(
            enum_name(&Value::from(4), CONDITION_STATES).as_deref(),
            Some("CONDITION_SUCCEEDED")
        );
        assert_eq!(enum_name(&Value::from(9), SEVERITIES).as_deref(), Some("9"));
    }
}
