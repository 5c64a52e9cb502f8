//! The health formats a probe's body may be read as, named in profiles and on the command line.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeFormat {
    #[default]
    Auto,
    Ietf,
    Actuator,
    K8s,
    Json,
    Status,
}

impl ProbeFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeFormat::Auto => "auto",
            ProbeFormat::Ietf => "ietf",
            ProbeFormat::Actuator => "actuator",
            ProbeFormat::K8s => "k8s",
            ProbeFormat::Json => "json",
            ProbeFormat::Status => "status",
        }
    }
}

impl std::str::FromStr for ProbeFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(ProbeFormat::Auto),
            "ietf" | "health+json" => Ok(ProbeFormat::Ietf),
            "actuator" | "spring" => Ok(ProbeFormat::Actuator),
            "k8s" | "kubernetes" => Ok(ProbeFormat::K8s),
            "json" => Ok(ProbeFormat::Json),
            "status" => Ok(ProbeFormat::Status),
            other => Err(format!(
                "unknown probe format {other:?} (auto, ietf, actuator, k8s, json, status)"
            )),
        }
    }
}
