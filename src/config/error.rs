use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration problem, located: `file:line:column: message`, then what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigError {
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Locates a TOML parse or schema error by its byte span in `text`.
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        let (line, column) = match err.span() {
            Some(span) => line_and_column(text, span.start),
            None => (None, None),
        };
        let message = err.message().trim();
        // toml names the problem but not the key; the key is on the line the span points at.
        let key = line
            .and_then(|n| text.lines().nth(n - 1))
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty() && !message.contains(&format!("`{k}`")));
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message: match key {
                Some(key) => format!("`{key}`: {message}"),
                None => message.to_string(),
            },
            hint: None,
        }
    }

    /// Locates a semantic error at the `nth` (0-based) line where `needle` occurs.
    pub fn at_nth_text(
        file: &Path,
        text: &str,
        needle: &str,
        nth: usize,
        message: impl Into<String>,
    ) -> Self {
        let offset = text.match_indices(needle).nth(nth).map(|(i, _)| i);
        let (line, column) = offset.map_or((None, None), |o| line_and_column(text, o));
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }

    /// A file that is not UTF-8 text, located at the first byte that is not.
    pub fn not_utf8(file: &Path, err: &std::string::FromUtf8Error) -> Self {
        let valid = err.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&err.as_bytes()[..valid]);
        let (line, column) = line_and_column(&before, before.len());
        ConfigError {
            line,
            column,
            ..ConfigError::new(file, format!("not UTF-8 text (byte {valid})"))
        }
        .with_hint("save the file as UTF-8")
    }

    /// Locates a semantic error at the first line where `needle` (e.g. `name = "prod"`) occurs.
    pub fn at_text(file: &Path, text: &str, needle: &str, message: impl Into<String>) -> Self {
        ConfigError::at_nth_text(file, text, needle, 0, message)
    }
}

fn line_and_column(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (Some(line), Some(column))
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_and_column(text, 0), (Some(1), Some(1)));
        assert_eq!(line_and_column(text, 6), (Some(2), Some(1)));
        assert_eq!(line_and_column(text, 9), (Some(2), Some(4)));
    }
}
