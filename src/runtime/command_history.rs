//! The `:` line's history on disk (`STATE_DIR/command_history`, one line each, oldest first), so
//! Up recalls what was typed in an earlier session, as k9s and shells do. Lines are redacted
//! before they are written; a file that cannot be read or written costs only the history.

use std::io::Write;
use std::path::Path;

use crate::model::command_line::HISTORY_CAPACITY;

/// The newest lines of the history file (none when there is no file). A file grown past twice
/// the capacity is rewritten with the lines kept.
pub fn load(path: &Path) -> Result<Vec<String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let kept = lines[lines.len().saturating_sub(HISTORY_CAPACITY)..].to_vec();
    if lines.len() > 2 * HISTORY_CAPACITY {
        let mut text = kept.join("\n");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(kept)
}

/// Appends one line (redacted, on one line) to the history file, creating its directory.
pub fn append(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let line = crate::redact::redact(line).replace(['\n', '\r'], " ");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_written_in_one_session_are_read_back_in_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/command_history");
        assert_eq!(load(&path).unwrap(), Vec::<String>::new(), "no file yet");
        append(&path, "promote staging prod").unwrap();
        append(&path, "rollback prod\n00007-abc").unwrap();
        assert_eq!(
            load(&path).unwrap(),
            ["promote staging prod", "rollback prod 00007-abc"]
        );
    }

    #[test]
    fn a_long_file_keeps_its_newest_lines_and_is_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("command_history");
        let lines: Vec<String> = (0..2 * HISTORY_CAPACITY + 1)
            .map(|i| format!("build 1.0.{i}"))
            .collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let kept = load(&path).unwrap();
        assert_eq!(kept.len(), HISTORY_CAPACITY);
        assert_eq!(kept.last(), lines.last());
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(on_disk.lines().count(), HISTORY_CAPACITY);
    }
}
