//! Following a PostgreSQL ledger in the cockpit: the follower's events become messages.

use tokio::sync::mpsc;

use crate::ledger::postgres::PgLedger;
use crate::ledger::postgres::follow::{FollowEvent, FollowTiming, follow};
use crate::msg::Msg;

/// Rows are checked as they arrive: the chain, and signatures when signing is on.
pub(super) fn follow_database(ledger: &PgLedger, tx: mpsc::UnboundedSender<Msg>) {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (target, signers) = (ledger.target().clone(), ledger.signers().cloned());
    tokio::spawn(follow(target, signers, FollowTiming::default(), events_tx));
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let msg = match event {
                FollowEvent::Reachable => Msg::LedgerReachability(None),
                FollowEvent::Entries(entries) => Msg::LedgerEntries(entries),
                FollowEvent::Unreachable(why) => Msg::LedgerReachability(Some(why)),
                FollowEvent::Broken(why) => Msg::LedgerFailed(why),
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
}
