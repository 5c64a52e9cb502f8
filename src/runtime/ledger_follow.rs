//! Following a PostgreSQL ledger in the cockpit: the follower's events become messages.

use tokio::sync::mpsc;

use crate::ledger::postgres::PgTarget;
use crate::ledger::postgres::follow::{FollowEvent, FollowTiming, follow};
use crate::msg::Msg;

pub(super) fn follow_database(target: PgTarget, tx: mpsc::UnboundedSender<Msg>) {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    tokio::spawn(follow(target, FollowTiming::default(), events_tx));
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
