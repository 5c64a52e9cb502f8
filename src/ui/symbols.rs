//! Symbols with an ASCII fallback for terminals (or locales) without Unicode.

use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbols {
    pub pass: &'static str,
    pub warn: &'static str,
    pub fail: &'static str,
    pub stale: &'static str,
    pub unknown: &'static str,
    pub running: &'static str,
    /// A paused rollout (never the play symbol).
    pub paused: &'static str,
    pub pending: &'static str,
    pub skipped: &'static str,
    pub bar_full: &'static str,
    pub bar_empty: &'static str,
    pub sep: &'static str,
    pub arrow: &'static str,
    pub selected: &'static str,
    pub border: border::Set<'static>,
    pub spark: [&'static str; 8],
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Symbols {
    pub const UNICODE: Symbols = Symbols {
        pass: "✓",
        warn: "▲",
        fail: "✗",
        stale: "◌",
        unknown: "?",
        running: "▶",
        paused: "‖",
        pending: "·",
        skipped: "↷",
        bar_full: "█",
        bar_empty: "░",
        sep: "·",
        arrow: "→",
        selected: "▸",
        border: border::ROUNDED,
        spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    };

    pub const ASCII: Symbols = Symbols {
        // Not `+`: that is every box corner.
        pass: "v",
        warn: "!",
        fail: "x",
        stale: "~",
        unknown: "?",
        running: ">",
        paused: "=",
        pending: ".",
        skipped: "-",
        bar_full: "#",
        bar_empty: "-",
        sep: "|",
        arrow: "->",
        selected: ">",
        border: ASCII_BORDER,
        spark: ["_", ".", "-", "-", "=", "=", "^", "^"],
    };

    /// Unicode when the locale says UTF-8 (`LC_ALL`, then `LC_CTYPE`, then `LANG`).
    pub fn detect(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> Symbols {
        let locale = [lc_all, lc_ctype, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        let lower = locale.to_ascii_lowercase();
        if lower.contains("utf-8") || lower.contains("utf8") {
            Symbols::UNICODE
        } else {
            Symbols::ASCII
        }
    }

    pub fn from_env() -> Symbols {
        let var = |name| std::env::var(name).ok();
        Symbols::detect(
            var("LC_ALL").as_deref(),
            var("LC_CTYPE").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// A `width`-cell bar filled to `ratio`.
    pub fn bar(&self, ratio: f64, width: usize) -> String {
        let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
        format!(
            "{}{}",
            self.bar_full.repeat(filled),
            self.bar_empty.repeat(width - filled)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_decides_unicode() {
        assert_eq!(
            Symbols::detect(None, None, Some("en_US.UTF-8")),
            Symbols::UNICODE
        );
        assert_eq!(
            Symbols::detect(Some("C"), None, Some("en_US.UTF-8")),
            Symbols::ASCII
        );
        assert_eq!(
            Symbols::detect(Some(""), Some("de_DE.utf8"), None),
            Symbols::UNICODE
        );
        assert_eq!(Symbols::detect(None, None, None), Symbols::ASCII);
    }

    #[test]
    fn bars_fill_proportionally() {
        assert_eq!(Symbols::ASCII.bar(0.5, 4), "##--");
        assert_eq!(Symbols::ASCII.bar(2.0, 3), "###");
    }
}
