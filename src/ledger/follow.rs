//! Incremental reading: entries other processes appended since the last poll.
//!
//! The TUI polls about every 500 ms. A poll with nothing new costs one `stat`.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::{Entry, LedgerError};

#[derive(Debug, Clone)]
pub struct Follower {
    path: PathBuf,
    /// Bytes consumed: always just after a newline (a partial last line is left for later).
    offset: u64,
    /// Complete lines consumed, so the next line's number is `lines + 1`.
    lines: usize,
}

impl Follower {
    /// A follower that will return every entry of the file on its first poll.
    pub fn new(path: impl Into<PathBuf>) -> Follower {
        Follower {
            path: path.into(),
            offset: 0,
            lines: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Byte offset just after the last complete line read.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Number of complete lines read so far.
    pub fn lines_read(&self) -> usize {
        self.lines
    }

    /// New complete entries since the previous poll, in file order. Lines that are not entries of
    /// a known kind (a terminated torn fragment, a newer binary's kind) are skipped. A missing file
    /// is an empty ledger.
    pub fn poll(&mut self) -> Result<Vec<Entry>, LedgerError> {
        let size = match std::fs::metadata(&self.path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(LedgerError::io(&self.path, "stat the ledger", e)),
        };
        if size < self.offset {
            return Err(LedgerError::Shrunk {
                path: self.path.clone(),
                was: self.offset,
                now: size,
            });
        }
        if size == self.offset {
            return Ok(Vec::new());
        }
        let file = File::open(&self.path)
            .map_err(|e| LedgerError::io(&self.path, "open the ledger", e))?;
        let mut buf = vec![0u8; usize::try_from(size - self.offset).unwrap_or(usize::MAX)];
        let read = read_up_to(&file, &mut buf, self.offset)
            .map_err(|e| LedgerError::io(&self.path, "read the ledger", e))?;
        buf.truncate(read);
        let Some(last_newline) = buf.iter().rposition(|b| *b == b'\n') else {
            return Ok(Vec::new());
        };
        let complete = &buf[..last_newline];
        let mut entries = Vec::new();
        for line in complete.split(|b| *b == b'\n') {
            self.lines += 1;
            if let Ok(entry) = serde_json::from_slice::<Entry>(line) {
                entries.push(entry);
            }
        }
        self.offset += u64::try_from(last_newline + 1).unwrap_or(u64::MAX);
        Ok(entries)
    }
}

/// Like `read_exact_at`, but a file that shrank meanwhile yields fewer bytes instead of an error.
fn read_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let at = offset + u64::try_from(filled).unwrap_or(u64::MAX);
        match file.read_at(&mut buf[filled..], at) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::{Ledger, Payload, tests::actor};
    use super::*;

    fn note(text: &str) -> Payload {
        Payload::Override {
            gate: "freeze".into(),
            reason: text.into(),
            request_id: "r".into(),
        }
    }

    #[test]
    fn returns_only_entries_appended_since_last_poll() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ledger.jsonl");
        let mut follower = Follower::new(&path);
        assert!(follower.poll().expect("missing file is empty").is_empty());
        let ledger = Ledger::open(&path).expect("open");
        let a = ledger.append(&actor("alice"), note("a")).expect("append");
        assert_eq!(follower.poll().expect("poll"), vec![a]);
        assert!(follower.poll().expect("poll").is_empty());
        let b = ledger.append(&actor("bob"), note("b")).expect("append");
        let c = ledger.append(&actor("bob"), note("c")).expect("append");
        assert_eq!(follower.poll().expect("poll"), vec![b, c]);
        assert_eq!(follower.lines_read(), 3);
    }

    #[test]
    fn leaves_a_partial_line_until_it_is_complete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ledger.jsonl");
        let ledger = Ledger::open(&path).expect("open");
        let a = ledger.append(&actor("alice"), note("a")).expect("append");
        let mut follower = Follower::new(&path);
        assert_eq!(follower.poll().expect("poll"), vec![a]);
        let offset = follower.offset();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("reopen");
        file.write_all(b"{\"seq\":2,").expect("partial");
        assert!(follower.poll().expect("poll").is_empty());
        assert_eq!(follower.offset(), offset);
        let b = ledger.append(&actor("bob"), note("b")).expect("append");
        assert_eq!(follower.poll().expect("poll"), vec![b]);
    }

    #[test]
    fn reports_a_ledger_that_shrank() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ledger.jsonl");
        let ledger = Ledger::open(&path).expect("open");
        ledger.append(&actor("alice"), note("a")).expect("append");
        let mut follower = Follower::new(&path);
        follower.poll().expect("poll");
        std::fs::write(&path, b"").expect("truncate");
        let err = follower.poll().expect_err("shrink is an error");
        assert!(err.to_string().contains("shrank"), "{err}");
    }
}
