//! The `:` line's memory: what was submitted (Up/Down recall it, as in a shell) and the Tab
//! completion in progress. The text itself lives in the editor; `update` hands it a new text
//! through [`CommandLine::replace`].

/// Lines kept in the history (oldest dropped first).
pub const HISTORY_CAPACITY: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// Submitted lines, oldest first, without consecutive repeats.
    pub history: Vec<String>,
    /// The history entry shown while recalling (`None`: the line being typed).
    pub recall: Option<usize>,
    /// The line as typed before Up, given back by Down past the newest entry.
    pub draft: String,
    /// Tab cycling through the candidates for one word.
    pub cycle: Option<Cycle>,
    /// The text the editor should show now: set by `update`, taken by the runtime.
    pub replace: Option<String>,
}

/// Candidates for the word under completion, and which one the line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The line before the word being completed (kept as typed).
    pub head: String,
    pub candidates: Vec<String>,
    pub index: usize,
}

impl Cycle {
    /// The line this cycle shows now.
    pub fn line(&self) -> String {
        format!("{}{}", self.head, self.candidates[self.index])
    }
}

impl CommandLine {
    /// Remembers a submitted line (blank lines and an immediate repeat are not kept); the line
    /// when it was kept.
    pub fn remember(&mut self, line: &str) -> Option<String> {
        self.reset();
        let line = line.trim();
        if line.is_empty() || self.history.last().map(String::as_str) == Some(line) {
            return None;
        }
        self.history.push(line.to_string());
        let excess = self.history.len().saturating_sub(HISTORY_CAPACITY);
        self.history.drain(..excess);
        Some(line.to_string())
    }

    /// A new line begins: no recall, no completion.
    pub fn reset(&mut self) {
        self.recall = None;
        self.draft.clear();
        self.cycle = None;
    }
}

/// Every `:` command with its arguments: completion offers these names, help lists them.
pub const COMMANDS: &[(&str, &str)] = &[
    ("trigger", "V"),
    ("build", "V"),
    ("promote", "FROM TO"),
    ("rollback", "[ENV] [REV]"),
    ("pause", "[ENV]"),
    ("resume", "[ENV]"),
    ("advance", "[ENV]"),
    ("abort", "[ENV]"),
    ("approve", "[ENV] [COMMENT]"),
    ("reject", "[ENV] [COMMENT]"),
    ("cancel", "[ENV]"),
    ("refresh", ""),
    ("help", ""),
    ("quit", ""),
];

/// A key of the `:` line that needs the model: Tab completes, Up / Down recall the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKey {
    Complete,
    Older,
    Newer,
}

/// Every `:` command with its arguments, those taking the same ones grouped:
/// `trigger|build V, promote FROM TO, …` (for help and for "not a command").
pub fn summary() -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (name, args) in COMMANDS {
        match groups.last_mut() {
            Some((names, same)) if same == args => names.push(name),
            _ => groups.push((vec![name], args)),
        }
    }
    let words: Vec<String> = groups
        .iter()
        .map(|(names, args)| format!("{} {args}", names.join("|")).trim_end().to_string())
        .collect();
    words.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_summary_names_every_command_once_grouped_by_arguments() {
        let summary = super::summary();
        assert!(summary.starts_with("trigger|build V, promote FROM TO, rollback [ENV] [REV], "));
        assert!(
            summary.contains("pause|resume|advance|abort [ENV]"),
            "{summary}"
        );
        assert!(
            summary.ends_with("cancel [ENV], refresh|help|quit"),
            "{summary}"
        );
        for (name, _) in super::COMMANDS {
            assert_eq!(summary.matches(name).count(), 1, "{name} in {summary}");
        }
    }
}
