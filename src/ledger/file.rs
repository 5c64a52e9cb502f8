//! The ledger file itself: opened for append (group-writable in a setgid directory), and read
//! from its end to find the last whole entry and any torn line after it.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::Path;

use super::entry;
use super::error::LedgerError;

/// In a setgid directory, the group is the point of the directory: add group read/write.
pub(super) fn share_with_group_if_setgid(file: &File, dir: &Path) -> io::Result<()> {
    const SETGID: u32 = 0o2000;
    let dir_mode = std::fs::metadata(dir)?.permissions().mode();
    if dir_mode & SETGID == 0 {
        return Ok(());
    }
    let mode = file.metadata()?.permissions().mode() & 0o7777;
    file.set_permissions(std::fs::Permissions::from_mode(mode | 0o060))
}

pub(super) fn open_for_append(path: &Path) -> Result<File, LedgerError> {
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| LedgerError::io(path, "open the ledger", e))
}

pub(super) struct Tail {
    /// The file is non-empty and does not end with a newline: a crash interrupted an append.
    pub(super) torn: bool,
    /// Length up to and including the last newline: the whole entries.
    pub(super) whole: u64,
    /// seq and line hash of the last complete line that is an entry.
    pub(super) last: Option<(u64, String)>,
}

/// Reads backwards from the end, in growing windows, until the last complete entry line is found.
pub(super) fn scan_tail(file: &File) -> io::Result<Tail> {
    let len = file.metadata()?.len();
    let mut window: u64 = 16 * 1024;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = vec![0u8; usize::try_from(len - start).unwrap_or(usize::MAX)];
        file.read_exact_at(&mut buf, start)?;
        let torn = buf.last().is_some_and(|b| *b != b'\n');
        let whole_in_buf = buf.iter().rposition(|b| *b == b'\n').map(|p| p + 1);
        // Bytes before the first newline may be the middle of a line unless we read from offset 0.
        let complete_from = if start == 0 {
            0
        } else {
            buf.iter()
                .position(|b| *b == b'\n')
                .map_or(buf.len(), |p| p + 1)
        };
        let complete_to = buf.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        if let (true, None) = (torn, whole_in_buf)
            && start > 0
        {
            window = window.saturating_mul(4);
            continue;
        }
        let whole = start + whole_in_buf.map_or(0, |p| p as u64);
        if complete_from < complete_to {
            let region = &buf[complete_from..complete_to - 1];
            for line in region.split(|b| *b == b'\n').rev() {
                if let Ok(fields) = serde_json::from_slice::<entry::ChainFields>(line) {
                    let last = Some((fields.seq, entry::sha256_hex(line)));
                    return Ok(Tail { torn, whole, last });
                }
            }
        }
        if start == 0 {
            return Ok(Tail {
                torn,
                whole,
                last: None,
            });
        }
        window = window.saturating_mul(4);
    }
}
