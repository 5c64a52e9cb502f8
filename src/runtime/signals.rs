//! SIGTERM, SIGHUP and an external SIGINT become a message: `update` hands over what this cockpit
//! drives and quits, and the runtime restores the terminal on its way out (in raw mode Ctrl-C is a
//! key, so a SIGINT comes from outside).

use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct Signals {
    term: Signal,
    hup: Signal,
    int: Signal,
}

impl Signals {
    pub fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The next signal, named for the activity pane and the ledger.
    pub async fn recv(&mut self) -> String {
        tokio::select! {
            Some(()) = self.term.recv() => "SIGTERM".into(),
            Some(()) = self.hup.recv() => "SIGHUP (the terminal went away)".into(),
            Some(()) = self.int.recv() => "SIGINT".into(),
            else => std::future::pending().await,
        }
    }
}
