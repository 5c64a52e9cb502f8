//! `promote --detach`: the same command re-run by a background process in its own process group
//! (a dropped SSH session's SIGHUP does not reach it, and it ignores SIGHUP anyway), stdin closed,
//! output to a log in the state directory. This process returns once the child has recorded the
//! rollout's plan in the ledger (or has ended, whichever comes first).

use std::process::Stdio;
use std::time::Duration;

use super::commands::{DETACHED_ENV, PromoteArgs};
use super::exit;
use super::globals::Globals;
use crate::ledger::Payload;
use crate::ledger::store::LedgerStore;

pub async fn promote(globals: &Globals, args: &PromoteArgs) -> i32 {
    let session = match crate::session::Session::open(&globals.profile, globals.sandbox).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    if let Some(refusal) = in_process_sandbox(&session) {
        eprintln!("flightdeck: {refusal}");
        return exit::USAGE;
    }
    let address =
        args.common.ledger.clone().unwrap_or_else(|| {
            crate::ledger::store::ledger_address(&session.profile, &session.paths)
        });
    // Read only: this process records nothing; the child records the rollout.
    let ledger = match LedgerStore::writer(&session.profile, &address, true, "") {
        Ok(ledger) => ledger,
        Err(e) => {
            eprintln!("flightdeck: {e}");
            return exit::USAGE;
        }
    };
    let logs = session.paths.state_dir.join("rollouts");
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let log_path = logs.join(format!("promote-{}-{stamp}.log", args.to));
    let log = std::fs::create_dir_all(&logs).and_then(|()| std::fs::File::create(&log_path));
    let (log, log_err) = match log.and_then(|f| Ok((f.try_clone()?, f))) {
        Ok(files) => files,
        Err(e) => {
            eprintln!(
                "flightdeck: cannot write the log {}: {e}",
                log_path.display()
            );
            return exit::FAILURE;
        }
    };
    let seen = match ledger.read_verified().await {
        Ok(entries) => entries.len(),
        Err(e) => {
            eprintln!("flightdeck: nothing started: {e}");
            return exit::FAILURE;
        }
    };
    let argv: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--detach")
        .collect();
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("flightdeck: cannot find this program to re-run it: {e}");
            return exit::FAILURE;
        }
    };
    let mut child = match tokio::process::Command::from(std::process::Command::new(exe))
        .args(&argv)
        .env(DETACHED_ENV, "1")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .process_group(0)
        .kill_on_drop(false)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            eprintln!("flightdeck: cannot start the background process: {e}");
            return exit::FAILURE;
        }
    };
    let pid = child.id().unwrap_or_default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            eprintln!(
                "flightdeck: the background promote ended before a rollout started ({status}); see {}",
                log_path.display()
            );
            return status.code().unwrap_or(exit::FAILURE);
        }
        let planned = ledger.read_verified().await.ok().and_then(|entries| {
            entries
                .into_iter()
                .skip(seen)
                .find_map(|e| match e.payload {
                    Payload::Rollout {
                        request_id,
                        env,
                        event,
                        ..
                    } if env == args.to && event == "plan" => Some(request_id),
                    _ => None,
                })
        });
        if let Some(request_id) = planned {
            println!(
                "promote {} → {} runs in the background (pid {pid}, rollout {request_id}); log: {}\n\
                 follow it with `flightdeck rollout status {}`",
                args.from,
                args.to,
                log_path.display(),
                args.to
            );
            return exit::OK;
        }
        if tokio::time::Instant::now() >= deadline {
            eprintln!(
                "flightdeck: the background promote (pid {pid}) has not started a rollout after 120 s; see {}",
                log_path.display()
            );
            return exit::FAILURE;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sandbox this process started lives only as long as this process: a background driver
/// would start a sandbox of its own and drive a rollout nobody sees. Refused, with what to do.
fn in_process_sandbox(session: &crate::session::Session) -> Option<String> {
    session.owns_sandbox().then(|| {
        "--detach needs a sandbox that outlives this process: start one with `flightdeck sandbox` \
         and give its address with `--sandbox ADDR` (nothing was started)"
            .to_string()
    })
}
