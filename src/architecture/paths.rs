//! Paths named in Rust source: `crate::…` and `super::…` with their use trees expanded, outside
//! comments.

/// The text without `//` comments (a `//` after `:` or inside a word is a URL, not a comment).
pub(super) fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| {
            let cut = line.match_indices("//").map(|(at, _)| at).find(|&at| {
                line[..at]
                    .chars()
                    .last()
                    .is_none_or(|c| c.is_whitespace() || ";,{}()".contains(c))
            });
            &line[..cut.unwrap_or(line.len())]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text without the bodies of inline `mod name { … }` blocks, where `super` means the file's
/// own module rather than its parent.
pub(super) fn without_inline_modules(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("mod ") {
        let after = &rest[at + 4..];
        let name_end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let opens = after[name_end..].trim_start().starts_with('{');
        let word_start = at == 0 || rest[..at].ends_with(char::is_whitespace);
        if !(opens && word_start && name_end > 0) {
            out.push_str(&rest[..at + 4]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        let body = &after[after.find('{').unwrap_or(0)..];
        let mut depth = 0usize;
        let mut end = body.len();
        for (i, c) in body.char_indices() {
            depth = match c {
                '{' => depth + 1,
                '}' => depth.saturating_sub(1),
                _ => depth,
            };
            if c == '}' && depth == 0 {
                end = i + 1;
                break;
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// Every path named after `prefix` (`crate::`, `super::`), use trees expanded: `crate::{a, b::{c,
/// d as e}}` gives `[a]`, `[b, c]`, `[b, d]`.
pub(super) fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = prefix.chars().collect();
    let mut out = Vec::new();
    for start in 0..chars.len() {
        if !chars[start..].starts_with(&pattern) {
            continue;
        }
        let before = start.checked_sub(1).map(|i| chars[i]);
        if before.is_some_and(|c| c.is_alphanumeric() || "_$:/\"".contains(c)) {
            continue;
        }
        let mut at = start + pattern.len();
        out.extend(use_tree(&chars, &mut at));
    }
    out
}

fn skip_space(chars: &[char], at: &mut usize) {
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
}

fn ident(chars: &[char], at: &mut usize) -> String {
    let mut word = String::new();
    while let Some(&c) = chars.get(*at).filter(|c| c.is_alphanumeric() || **c == '_') {
        word.push(c);
        *at += 1;
    }
    word
}

fn use_tree(chars: &[char], at: &mut usize) -> Vec<Vec<String>> {
    skip_space(chars, at);
    if chars.get(*at) == Some(&'{') {
        *at += 1;
        let mut all = Vec::new();
        loop {
            skip_space(chars, at);
            match chars.get(*at) {
                None => break,
                Some('}') => {
                    *at += 1;
                    break;
                }
                Some(',') => *at += 1,
                Some(_) => {
                    let before = *at;
                    all.extend(use_tree(chars, at));
                    skip_space(chars, at);
                    let mut look = *at;
                    if ident(chars, &mut look) == "as" {
                        *at = look;
                        skip_space(chars, at);
                        ident(chars, at);
                    }
                    if *at == before {
                        *at += 1;
                    }
                }
            }
        }
        return all;
    }
    if chars.get(*at) == Some(&'*') {
        *at += 1;
        return vec![vec!["*".to_string()]];
    }
    let head = ident(chars, at);
    if head.is_empty() {
        return Vec::new();
    }
    if chars[*at..].starts_with(&[':', ':']) {
        *at += 2;
        let rest = use_tree(chars, at);
        if !rest.is_empty() {
            return rest
                .into_iter()
                .map(|mut path| {
                    path.insert(0, head.clone());
                    path
                })
                .collect();
        }
    }
    vec![vec![head]]
}
