#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = match flightdeck::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `probe` follows the monitoring-plugin convention: a usage error is UNKNOWN (3).
        Err(e) if e.use_stderr() && std::env::args().nth(1).as_deref() == Some("probe") => {
            let _ = e.print();
            return std::process::ExitCode::from(3);
        }
        Err(e) => e.exit(),
    };
    install_log();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("flightdeck: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let code = runtime.block_on(flightdeck::cli::main(cli));
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Logs go to a file only when `FLIGHTDECK_LOG` names one: never to the screen.
fn install_log() {
    let Some(path) = std::env::var_os("FLIGHTDECK_LOG") else {
        return;
    };
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLIGHTDECK_LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(flightdeck::redact::RedactingWriter(
            file,
        )))
        .try_init();
}
