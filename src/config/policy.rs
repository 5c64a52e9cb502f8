//! What a profile says about sign-offs and the gates in front of commands (read by `policy`).

use serde::Deserialize;

/// The sign-off grid of a profile: checklist items × roles (seed 001 / 004 defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignoffConfig {
    #[serde(default = "default_items")]
    pub items: Vec<String>,
    #[serde(default = "default_roles")]
    pub roles: Vec<RoleConfig>,
}

impl Default for SignoffConfig {
    fn default() -> Self {
        SignoffConfig {
            items: default_items(),
            roles: default_roles(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    pub name: String,
    /// Operating-system accounts allowed to sign this role; `"*"` allows any account.
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

pub fn default_items() -> Vec<String> {
    [
        "Components",
        "API Server",
        "Database",
        "Infrastructure",
        "Security",
        "Monitoring",
        "Documentation",
        "Team",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

pub fn default_roles() -> Vec<RoleConfig> {
    [
        "Technical Lead",
        "Operations Lead",
        "Security Officer",
        "Project Manager",
    ]
    .into_iter()
    .map(|name| RoleConfig {
        name: name.into(),
        accounts: vec!["*".into()],
        required: true,
    })
    .collect()
}

/// Gates in front of commands that change an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvPolicy {
    /// Promotion into this environment needs the sign-off grid's GO for the release.
    #[serde(default)]
    pub require_signoff: bool,
    /// Promotion into this environment needs the source lane's probes green.
    #[serde(default)]
    pub require_source_green: bool,
    /// Whoever promotes must not be the only GO signer.
    #[serde(default)]
    pub two_person_rule: bool,
    /// Ask to type the environment's name to confirm.
    #[serde(default)]
    pub confirm_by_name: bool,
    /// Freeze windows during which commands are refused.
    #[serde(default)]
    pub freeze: Vec<FreezeWindow>,
    /// Roll back automatically after this many consecutive failing probes during a canary.
    pub auto_rollback_after: Option<u32>,
}

/// A weekly window (`days`, `start`–`end` local time in `timezone`) or a one-off date range.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeWindow {
    pub name: String,
    #[serde(default = "utc")]
    pub timezone: String,
    /// Weekdays such as `["Fri", "Sat"]`; empty with `from`/`until` for a one-off window.
    #[serde(default)]
    pub days: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// One-off: RFC 3339 or `YYYY-MM-DD HH:MM` in `timezone`.
    pub from: Option<String>,
    pub until: Option<String>,
}

fn utc() -> String {
    "UTC".into()
}

impl RoleConfig {
    /// Whether `account` may sign this role (`"*"` in `accounts` allows anyone).
    pub fn allows(&self, account: &str) -> bool {
        self.accounts.iter().any(|a| a == "*" || a == account)
    }
}
