//! `flightdeck sandbox`: the embedded cloud alone, for tests and for other cockpits to share.

use std::net::SocketAddr;

use super::exit;
use crate::sandbox;

pub(super) async fn run_sandbox(
    addr: SocketAddr,
    speed: f64,
    faults: &[crate::sandbox::faults::FaultRule],
    auth: Option<sandbox::google_auth::AuthRule>,
) -> i32 {
    match sandbox::start(addr, speed).await {
        Ok(running) => {
            if let Some(rule) = auth {
                println!(
                    "Google APIs require a bearer token: GCE_METADATA_HOST={} mints them (good for {} s)",
                    running.addr,
                    rule.metadata_token_ttl_secs.unwrap_or(3600)
                );
                running.state.lock_google_auth().rule = Some(rule);
            }
            running
                .state
                .lock_faults()
                .rules
                .extend(faults.iter().cloned());
            for rule in faults {
                println!("fault on {}: {:?}", rule.path, rule.fault);
            }
            println!(
                "flightdeck sandbox listening on {} (speed {speed}x)",
                running.base_url()
            );
            println!("use it with: flightdeck --sandbox {}", running.addr);
            let _ = tokio::signal::ctrl_c().await;
            exit::OK
        }
        Err(e) => {
            eprintln!("flightdeck sandbox: cannot listen on {addr}: {e}");
            exit::FAILURE
        }
    }
}
