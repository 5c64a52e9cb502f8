//! The go/no-go sign-off grid of one target environment and one release: rows are the profile's
//! checklist items, columns its roles. Built by folding ledger entries; no I/O.
//!
//! Only entries of the verified prefix are folded in (the caller's duty), and a GO or NO-GO counts
//! only if its signer may sign that role under the profile *now*: others are kept as not counted,
//! with why. Text from entries is made printable ([`printable`]) as it is folded in.
//!
//! Folding is idempotent and order-tolerant: a cell keeps the entry with the highest `seq`, and a
//! comment is attached once per `seq`, so the same entry may arrive twice (from the append result
//! and from the follower) or late (another cockpit's entry polled after our own).

use chrono::{DateTime, Utc};

use crate::config::policy::SignoffConfig;
use crate::ledger::clean::printable;
use crate::ledger::{Decision, Entry, LedgerError, Payload, Setup};

#[derive(Debug, Clone, PartialEq)]
pub struct GridRole {
    pub name: String,
    pub required: bool,
    /// Who may sign this role (the profile's accounts; `"*"` is anyone).
    pub accounts: Vec<String>,
}

/// A GO or NO-GO in the ledger that does not count, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotCounted {
    pub decision: Decision,
    pub account: String,
    pub seq: u64,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub decision: Decision,
    pub account: String,
    pub time: DateTime<Utc>,
    pub comment: Option<String>,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellComment {
    pub account: String,
    pub time: DateTime<Utc>,
    pub text: String,
    pub seq: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// `None` = open (nobody has signed this cell yet).
    pub signature: Option<Signature>,
    /// Comments in seq order.
    pub comments: Vec<CellComment>,
    /// Sign-offs by accounts the profile does not allow for this role, in seq order.
    pub not_counted: Vec<NotCounted>,
}

impl Cell {
    pub fn decision(&self) -> Option<Decision> {
        self.signature.as_ref().map(|s| s.decision)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub row: usize,
    pub col: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorMove {
    Up,
    Down,
    Left,
    Right,
    RowStart,
    RowEnd,
    Top,
    Bottom,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignoffGrid {
    pub env: String,
    pub release: String,
    pub items: Vec<String>,
    pub roles: Vec<GridRole>,
    /// Row-major: `cells[row * roles.len() + col]`.
    cells: Vec<Cell>,
    pub cursor: Cursor,
    /// Highest seq folded in, for "last change" displays.
    pub last_seq: u64,
    /// The ledger did not verify: what is wrong (the decision is NO-GO whatever the cells say).
    pub broken: Option<String>,
}

impl SignoffGrid {
    /// The sign-off grid of `env` / `release` from the verified prefix of `setup`'s ledger; when
    /// the ledger does not verify, the grid says so (and its decision is NO-GO). What the gates
    /// look at.
    pub fn from_ledger(
        setup: &Setup,
        config: &SignoffConfig,
        env: &str,
        release: &str,
    ) -> Result<SignoffGrid, LedgerError> {
        let checked = setup.read_or_empty()?;
        let mut grid = SignoffGrid::from_entries(config, env, release, &checked.entries);
        grid.broken = checked
            .report
            .first_error()
            .map(|issue| checked.report.locate(issue));
        Ok(grid)
    }

    /// An all-open grid.
    pub fn new(config: &SignoffConfig, env: &str, release: &str) -> SignoffGrid {
        SignoffGrid {
            env: env.into(),
            release: release.into(),
            items: config.items.clone(),
            roles: config
                .roles
                .iter()
                .map(|r| GridRole {
                    name: r.name.clone(),
                    required: r.required,
                    accounts: r.accounts.clone(),
                })
                .collect(),
            cells: vec![Cell::default(); config.items.len() * config.roles.len()],
            cursor: Cursor::default(),
            last_seq: 0,
            broken: None,
        }
    }

    pub fn from_entries<'a>(
        config: &SignoffConfig,
        env: &str,
        release: &str,
        entries: impl IntoIterator<Item = &'a Entry>,
    ) -> SignoffGrid {
        let mut grid = SignoffGrid::new(config, env, release);
        for entry in entries {
            grid.apply(entry);
        }
        grid
    }

    /// Folds one entry in; returns whether the grid changed. Entries of other environments,
    /// releases, items or roles not in the profile, and other kinds are ignored.
    pub fn apply(&mut self, entry: &Entry) -> bool {
        let (env, release, item, role) = match &entry.payload {
            Payload::Signoff {
                env,
                release,
                item,
                role,
                ..
            }
            | Payload::Comment {
                env,
                release,
                item,
                role,
                ..
            } => (env, release, item, role),
            _ => return false,
        };
        if *env != self.env || *release != self.release {
            return false;
        }
        let Some(index) = self.index_of(item, role) else {
            return false;
        };
        let allowed = self.role_allows(role, &entry.actor.account);
        let account = printable(&entry.actor.account, false);
        let cell = &mut self.cells[index];
        let changed = match &entry.payload {
            Payload::Signoff { decision, .. } if !allowed => {
                let known = cell.not_counted.iter().any(|n| n.seq == entry.seq);
                if !known {
                    cell.not_counted.push(NotCounted {
                        decision: *decision,
                        why: format!("{account} may not sign {role} under this profile"),
                        account,
                        seq: entry.seq,
                    });
                    cell.not_counted.sort_by_key(|n| n.seq);
                }
                !known
            }
            Payload::Signoff {
                decision, comment, ..
            } => {
                let newer = cell.signature.as_ref().is_none_or(|s| s.seq < entry.seq);
                if newer {
                    cell.signature = Some(Signature {
                        decision: *decision,
                        account,
                        time: entry.time,
                        comment: comment.as_deref().map(|c| printable(c, true)),
                        seq: entry.seq,
                    });
                }
                newer
            }
            Payload::Comment { text, .. } => {
                match cell.comments.binary_search_by_key(&entry.seq, |c| c.seq) {
                    Ok(_) => false,
                    Err(at) => {
                        cell.comments.insert(
                            at,
                            CellComment {
                                account,
                                time: entry.time,
                                text: printable(text, true),
                                seq: entry.seq,
                            },
                        );
                        true
                    }
                }
            }
            _ => false,
        };
        if changed {
            self.last_seq = self.last_seq.max(entry.seq);
        }
        changed
    }

    /// Whether the profile lets `account` sign `role` (checked at read time, for every entry).
    fn role_allows(&self, role: &str, account: &str) -> bool {
        // The same rule as `RoleConfig::allows`, which signing checks.
        self.roles
            .iter()
            .any(|r| r.name == role && r.accounts.iter().any(|a| a == "*" || a == account))
    }

    fn index_of(&self, item: &str, role: &str) -> Option<usize> {
        let row = self.items.iter().position(|i| i == item)?;
        let col = self.roles.iter().position(|r| r.name == role)?;
        Some(row * self.roles.len() + col)
    }

    pub fn rows(&self) -> usize {
        self.items.len()
    }

    pub fn cols(&self) -> usize {
        self.roles.len()
    }

    pub fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        if row >= self.rows() || col >= self.cols() {
            return None;
        }
        self.cells.get(row * self.cols() + col)
    }

    pub fn cell_by_name(&self, item: &str, role: &str) -> Option<&Cell> {
        self.index_of(item, role).and_then(|i| self.cells.get(i))
    }

    /// The cell under the cursor, with its item and role names.
    pub fn selected(&self) -> Option<(&str, &str, &Cell)> {
        let Cursor { row, col } = self.cursor;
        Some((
            self.items.get(row)?.as_str(),
            self.roles.get(col)?.name.as_str(),
            self.cell(row, col)?,
        ))
    }

    /// Moves the cursor, clamped to the grid (no wrap-around).
    pub fn move_cursor(&mut self, movement: CursorMove) {
        let last_row = self.rows().saturating_sub(1);
        let last_col = self.cols().saturating_sub(1);
        let Cursor { row, col } = self.cursor;
        self.cursor = match movement {
            CursorMove::Up => Cursor {
                row: row.saturating_sub(1),
                col,
            },
            CursorMove::Down => Cursor {
                row: (row + 1).min(last_row),
                col,
            },
            CursorMove::Left => Cursor {
                row,
                col: col.saturating_sub(1),
            },
            CursorMove::Right => Cursor {
                row,
                col: (col + 1).min(last_col),
            },
            CursorMove::RowStart => Cursor { row, col: 0 },
            CursorMove::RowEnd => Cursor { row, col: last_col },
            CursorMove::Top => Cursor { row: 0, col },
            CursorMove::Bottom => Cursor { row: last_row, col },
        };
    }

    /// Every cell with its item and role, row by row.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &GridRole, &Cell)> {
        let cols = self.cols().max(1);
        self.cells.iter().enumerate().filter_map(move |(i, cell)| {
            let item = self.items.get(i / cols)?;
            let role = self.roles.get(i % cols)?;
            Some((item.as_str(), role, cell))
        })
    }
}
