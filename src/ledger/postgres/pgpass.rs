//! `~/.pgpass` (or `$PGPASSFILE`): `hostname:port:database:username:password` per line, `*` matches
//! anything, `\:` and `\\` escape. Like libpq, a file readable by group or others is ignored.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

pub fn lookup(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(file) => PathBuf::from(file),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let meta = std::fs::metadata(&path).ok()?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(
            "{}: ignored, it is readable by others (chmod 0600 it)",
            path.display()
        );
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    find(&text, host, &port.to_string(), db, user)
}

fn find(text: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(fields)
        .filter(|f| f.len() == 5)
        .find(|f| {
            [host, port, db, user]
                .iter()
                .zip(f.iter())
                .all(|(want, have)| have == "*" || have == want)
        })
        .map(|f| f[4].clone())
}

fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let text =
            "# comment\nother:5432:*:*:nope\nlocalhost:*:fd:alice:pa\\:ss:w\\\\rd\n*:*:*:*:any\n";
        assert_eq!(
            find(text, "localhost", "5433", "fd", "alice").as_deref(),
            Some("pa:ss:w\\rd")
        );
        assert_eq!(
            find(text, "db", "5432", "fd", "bob").as_deref(),
            Some("any")
        );
        assert_eq!(find("h:1:d:u:p\n", "h", "2", "d", "u"), None);
    }
}
