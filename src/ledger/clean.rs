//! Text that came from a ledger (anyone who can write the file chose it) made safe to print:
//! escape sequences, control characters and bidirectional overrides are removed, so a comment
//! cannot move the cursor, retitle the terminal, hide text or fake a line of a report.

/// `text` without escape sequences (CSI, OSC, DCS … and single ESC pairs), C0/C1 controls and
/// bidi overrides; a tab becomes a space; line breaks stay when `keep_newlines`, else become spaces.
pub fn printable(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '_' | '^' | 'X') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Parameters and intermediates up to the final byte (`@` … `~`).
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            return;
        }
    }
}

/// A string sequence up to BEL, ST (`ESC \`) or the C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn removes_escape_sequences_and_controls_but_keeps_text() {
        let nasty = "ok\u{1b}[2J\u{1b}[31mred\u{1b}[0m \u{1b}]0;pwned\u{7}title \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ bell\u{7} cr\rx \u{9b}1Aup \u{202e}gnp.exe";
        assert_eq!(
            printable(nasty, false),
            "okred title link bell crx up gnp.exe"
        );
        assert_eq!(printable("a\nb\tc", true), "a\nb c");
        assert_eq!(printable("a\nb", false), "a b");
        assert_eq!(printable("Grüße ✓", false), "Grüße ✓");
    }
}
