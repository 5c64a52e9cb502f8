//! Themes (in progress).
#[derive(Debug, Clone, Default)]
pub struct ThemeSpec;
