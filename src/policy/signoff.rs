//! The go/no-go decision of a sign-off grid and the rules every sign-off passes.

use super::SignoffConfig;
use crate::ledger::Decision;
use crate::model::signoff::SignoffGrid;

/// One attempt to sign a cell of the grid, as typed in the TUI or on the command line.
#[derive(Debug, Clone, Copy)]
pub struct SignoffAttempt<'a> {
    pub account: &'a str,
    pub role: &'a str,
    pub item: &'a str,
    pub decision: Decision,
    pub comment: Option<&'a str>,
}

/// Why a sign-off is refused; `Display` is the message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignoffRefusal {
    ReadOnly,
    UnknownRole {
        role: String,
        known: Vec<String>,
    },
    UnknownItem {
        item: String,
        known: Vec<String>,
    },
    NotAllowed {
        account: String,
        role: String,
        allowed: Vec<String>,
    },
    NoGoNeedsComment,
}

impl std::fmt::Display for SignoffRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignoffRefusal::ReadOnly => write!(
                f,
                "read-only mode: signing is disabled (restart without --read-only)"
            ),
            SignoffRefusal::UnknownRole { role, known } => {
                write!(
                    f,
                    "no role named \"{role}\" in the sign-off grid (roles: {})",
                    known.join(", ")
                )
            }
            SignoffRefusal::UnknownItem { item, known } => {
                write!(
                    f,
                    "no checklist item named \"{item}\" (items: {})",
                    known.join(", ")
                )
            }
            SignoffRefusal::NotAllowed {
                account,
                role,
                allowed,
            } => {
                let allowed = if allowed.is_empty() {
                    "nobody; add accounts to this role in the profile's [signoff] section"
                        .to_string()
                } else {
                    allowed.join(", ")
                };
                write!(
                    f,
                    "{account} is not allowed to sign {role} (allowed: {allowed})"
                )
            }
            SignoffRefusal::NoGoNeedsComment => write!(f, "a NO-GO needs a comment saying why"),
        }
    }
}

/// Whether `account` may sign column `role` at all (the TUI greys out the other columns).
pub fn may_sign_role(
    config: &SignoffConfig,
    account: &str,
    role: &str,
) -> Result<(), SignoffRefusal> {
    let Some(role_config) = config.roles.iter().find(|r| r.name == role) else {
        return Err(SignoffRefusal::UnknownRole {
            role: role.into(),
            known: config.roles.iter().map(|r| r.name.clone()).collect(),
        });
    };
    if role_config.allows(account) {
        Ok(())
    } else {
        Err(SignoffRefusal::NotAllowed {
            account: account.into(),
            role: role.into(),
            allowed: role_config.accounts.clone(),
        })
    }
}

/// The rules every sign-off passes, in the grid and on the command line.
pub fn authorize_signoff(
    config: &SignoffConfig,
    attempt: &SignoffAttempt<'_>,
    read_only: bool,
) -> Result<(), SignoffRefusal> {
    if read_only {
        return Err(SignoffRefusal::ReadOnly);
    }
    may_sign_role(config, attempt.account, attempt.role)?;
    if !config.items.iter().any(|i| i == attempt.item) {
        return Err(SignoffRefusal::UnknownItem {
            item: attempt.item.into(),
            known: config.items.clone(),
        });
    }
    let has_comment = attempt.comment.is_some_and(|c| !c.trim().is_empty());
    if attempt.decision == Decision::NoGo && !has_comment {
        return Err(SignoffRefusal::NoGoNeedsComment);
    }
    Ok(())
}

/// A required role that has not signed some items yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSignoff {
    pub role: String,
    pub items: Vec<String>,
}

/// A NO-GO that stands (the latest sign-off of its cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub role: String,
    pub item: String,
    pub account: String,
    pub comment: Option<String>,
}

/// The computed go/no-go of a grid; `reason` is the one line shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffVerdict {
    pub go: bool,
    pub missing: Vec<MissingSignoff>,
    pub objections: Vec<Objection>,
    pub reason: String,
}

/// GO only when every required role has signed every item GO and no NO-GO stands (from any
/// role, required or not). A grid without items or required roles is NO-GO: nothing vouches for it.
/// A grid read from a ledger that did not verify is NO-GO, whatever its cells say.
pub fn decide(grid: &SignoffGrid) -> SignoffVerdict {
    if let Some(broken) = &grid.broken {
        return SignoffVerdict {
            go: false,
            missing: Vec::new(),
            objections: Vec::new(),
            reason: format!("NO-GO: the ledger does not verify ({broken})"),
        };
    }
    let mut objections = Vec::new();
    for (item, role, cell) in grid.iter() {
        if let Some(sig) = cell
            .signature
            .as_ref()
            .filter(|s| s.decision == Decision::NoGo)
        {
            objections.push(Objection {
                role: role.name.clone(),
                item: item.into(),
                account: sig.account.clone(),
                comment: sig.comment.clone(),
            });
        }
    }
    let missing: Vec<MissingSignoff> = grid
        .roles
        .iter()
        .enumerate()
        .filter(|(_, role)| role.required)
        .filter_map(|(col, role)| {
            let items: Vec<String> = (0..grid.rows())
                .filter(|row| grid.cell(*row, col).is_some_and(|c| c.signature.is_none()))
                .map(|row| grid.items[row].clone())
                .collect();
            (!items.is_empty()).then(|| MissingSignoff {
                role: role.name.clone(),
                items,
            })
        })
        .collect();
    let nothing_to_sign = grid.rows() == 0 || !grid.roles.iter().any(|r| r.required);
    let go = objections.is_empty() && missing.is_empty() && !nothing_to_sign;
    let reason = verdict_reason(grid, go, nothing_to_sign, &missing, &objections);
    SignoffVerdict {
        go,
        missing,
        objections,
        reason,
    }
}

fn verdict_reason(
    grid: &SignoffGrid,
    go: bool,
    nothing_to_sign: bool,
    missing: &[MissingSignoff],
    objections: &[Objection],
) -> String {
    if nothing_to_sign {
        return "NO-GO: the sign-off grid has no items or no required roles; fix the profile's [signoff] section".into();
    }
    let required = grid.roles.iter().filter(|r| r.required).count();
    if go {
        return format!(
            "GO: all {required} required roles signed all {} items GO",
            grid.rows()
        );
    }
    let mut parts = Vec::new();
    for o in objections {
        let why = o
            .comment
            .as_deref()
            .map_or_else(String::new, |c| format!(": \"{c}\""));
        parts.push(format!(
            "NO-GO from {} ({}) on {}{why}",
            o.account, o.role, o.item
        ));
    }
    if grid.iter().all(|(_, _, cell)| cell.signature.is_none()) {
        parts.push("nobody has signed yet".into());
    } else if !missing.is_empty() {
        let waiting: Vec<String> = missing
            .iter()
            .map(|m| format!("{} ({})", m.role, summarize_items(&m.items, grid.rows())))
            .collect();
        parts.push(format!("waiting for {}", waiting.join(", ")));
    }
    let mut not_counted: Vec<&str> = grid
        .iter()
        .flat_map(|(_, _, cell)| cell.not_counted.iter().map(|n| n.why.as_str()))
        .collect();
    not_counted.sort_unstable();
    not_counted.dedup();
    if !not_counted.is_empty() {
        parts.push(format!("not counted: {}", not_counted.join(", ")));
    }
    format!("NO-GO: {}", parts.join("; "))
}

fn summarize_items(items: &[String], total: usize) -> String {
    const SHOWN: usize = 3;
    if items.len() == total && total > 1 {
        return format!("all {total} items");
    }
    if items.len() <= SHOWN + 1 {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}
