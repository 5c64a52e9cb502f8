//! Themes: TOML files mapping roles (`pass`, `fail`, `border_focus` …) to colours and modifiers.
//! Widgets ask for roles, never raw colours. Built-ins: dark (default), light, high-contrast,
//! monochrome (used under `NO_COLOR`). Users add theirs as `themes/NAME.toml` in the config dir.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::colour::Colour;
use super::{ConfigError, Paths};

pub const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// Every role a widget may ask for.
pub const ROLES: [&str; 16] = [
    "text",
    "dim",
    "title",
    "border",
    "border_focus",
    "header",
    "status_bar",
    "key",
    "selected",
    "accent",
    "info",
    "pass",
    "warn",
    "fail",
    "stale",
    "running",
];

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    pub fg: Option<Colour>,
    pub bg: Option<Colour>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub dim: bool,
    #[serde(default)]
    pub italic: bool,
    #[serde(default)]
    pub underlined: bool,
    #[serde(default)]
    pub reversed: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeSpec {
    pub name: String,
    #[serde(default)]
    pub roles: BTreeMap<String, StyleSpec>,
}

impl ThemeSpec {
    pub fn parse(source: &Path, text: &str) -> Result<ThemeSpec, ConfigError> {
        let spec: ThemeSpec = toml::from_str(text).map_err(|e| {
            let error = ConfigError::from_toml(source, text, &e);
            if error.message.contains("is not a colour") {
                error.with_hint(
                    "use a name (green, light_red, dark_gray …), an index 0-255, or \"#rrggbb\"",
                )
            } else {
                error
            }
        })?;
        for role in spec.roles.keys() {
            if !ROLES.contains(&role.as_str()) {
                return Err(ConfigError::at_text(
                    source,
                    text,
                    &format!("{role} ="),
                    format!("roles.{role}: unknown role"),
                )
                .with_hint(format!("known roles: {}", ROLES.join(", "))));
            }
        }
        Ok(spec)
    }

    pub fn built_in(name: &str) -> Option<ThemeSpec> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        let source = format!("<built-in>/themes/{name}.toml");
        ThemeSpec::parse(Path::new(&source), text).ok()
    }

    /// A theme file path, a theme in `./themes` or the config dir, or a built-in.
    pub fn resolve(paths: &Paths, name_or_path: &str) -> Result<ThemeSpec, ConfigError> {
        let as_path = Path::new(name_or_path);
        let file = if as_path.extension().is_some_and(|e| e == "toml") {
            Some(as_path.to_path_buf())
        } else {
            paths.find("themes", name_or_path)
        };
        if let Some(file) = file {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| ConfigError::new(&file, format!("cannot read theme: {e}")))?;
            return ThemeSpec::parse(&file, &text);
        }
        ThemeSpec::built_in(name_or_path).ok_or_else(|| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            ConfigError::new(as_path, format!("no theme named `{name_or_path}`"))
                .with_hint(format!("built-in themes: {}", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_names_only_known_roles() {
        for (name, text) in BUILT_IN {
            let spec = ThemeSpec::parse(Path::new(name), text).unwrap();
            assert_eq!(spec.name, name);
            assert!(spec.roles.len() >= 10, "{name} defines too few roles");
        }
    }

    #[test]
    fn the_monochrome_theme_uses_no_colour() {
        let spec = ThemeSpec::built_in("monochrome").unwrap();
        for (role, style) in spec.roles {
            assert!(
                style.fg.is_none() && style.bg.is_none(),
                "{role} has a colour"
            );
        }
    }
}
