//! Text fitted to the room a view has: cut, wrapped, placed in a long list, ages in words.

/// `text` cut to `width` characters, with an ellipsis when something was cut.
pub fn ellipsize(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// ` 12–20/57 ` for a list showing rows `first..first+shown` of `total`; empty when all fit.
pub fn position_marker(first: usize, shown: usize, total: usize) -> String {
    if total <= shown || shown == 0 {
        return String::new();
    }
    let last = (first + shown).min(total);
    format!(" {}–{last}/{total} ", first + 1)
}

/// `text` broken into lines of at most `width` characters, at spaces where it can be.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    lines
}

/// The age of fresh data: within one poll interval it is shown as `≤2s`, so it does not change
/// every second (each change is bytes to a terminal over SSH); older data shows its exact age.
pub fn data_age(age_secs: i64, poll_interval_secs: u64) -> String {
    if age_secs <= poll_interval_secs as i64 {
        format!("≤{poll_interval_secs}s")
    } else {
        human_secs(age_secs)
    }
}

/// `42s`, `3m05s`, `2h10m`.
pub fn human_secs(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_text_ends_with_an_ellipsis_and_long_lists_say_where_they_are() {
        assert_eq!(ellipsize("Security objects", 8), "Securit…");
        assert_eq!(ellipsize("short", 8), "short");
        assert_eq!(position_marker(0, 10, 8), "");
        assert_eq!(position_marker(10, 10, 57), " 11–20/57 ");
    }

    #[test]
    fn long_text_wraps_at_spaces_and_long_words_are_split() {
        assert_eq!(wrap("aaa bbb ccc", 8), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghijk", 8), ["abcdefgh", "ijk"]);
        assert_eq!(wrap("", 8), [""]);
    }
}
