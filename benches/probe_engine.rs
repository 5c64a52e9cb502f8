//! Probe engine cost: N loopback endpoints probed every I seconds for D seconds.
//!
//! `cargo bench --bench probe_engine` (env: PROBES=1000 INTERVAL_SECS=5 DURATION_SECS=30).
//! The server runs in a child process (this binary with `--serve N`), so the figures are the
//! engine's own: CPU time from /proc/self/stat (utime+stime), peak RSS from VmHWM.
//! With BASE_URL set, no server is spawned (probe_vs_watch.sh shares one server).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use flightdeck::probes::http::default_client;
use flightdeck::probes::{Health, ProbeEngine, ProbeId, ResolvedProbe};
use tokio::sync::mpsc;

const BODY: &str = r#"{"status":"healthy","version":"2.1.0","checks":{"database":{"status":"healthy","latency_ms":0},"pubsub":{"status":"healthy"},"ml_service":{"status":"healthy"}}}"#;

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        serve();
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("probe_engine: benchmark");
        return;
    }
    let probes = env_num("PROBES", 1000.0) as usize;
    let interval = env_num("INTERVAL_SECS", 5.0);
    let duration = env_num("DURATION_SECS", 30.0);
    let (base, child) = match std::env::var("BASE_URL") {
        Ok(base) => (base, None),
        Err(_) => spawn_server(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cpu0 = cpu_secs();
    let started = Instant::now();
    let (reports, failures, mut lat) = rt.block_on(run(&base, probes, interval, duration));
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    drop(rt);
    if let Some(mut c) = child {
        let _ = c.kill();
        let _ = c.wait();
    }
    lat.sort_unstable_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "probes={probes} interval={interval}s duration={wall:.1}s reports={reports} failures={failures}"
    );
    println!(
        "cpu_total={cpu:.3}s cpu_per_probe={:.1}us cpu_share={:.2}% of one core",
        cpu / reports.max(1) as f64 * 1e6,
        cpu / wall * 100.0
    );
    println!(
        "latency_ms p50={:.2} p99={:.2} peak_rss={} KiB",
        pct(0.5),
        pct(0.99),
        vm_hwm_kib()
    );
}

async fn run(base: &str, n: usize, interval: f64, duration: f64) -> (u64, u64, Vec<f64>) {
    let (tx, mut rx) = mpsc::channel(1024);
    let set = (0..n)
        .map(|i| {
            let mut p = ResolvedProbe::get(format!("{base}/h/{i}"));
            p.interval = Duration::from_secs_f64(interval);
            (ProbeId::new("bench", format!("p{i}")), p)
        })
        .collect();
    let handle = ProbeEngine::start(default_client().expect("client"), set, tx).expect("engine");
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(duration);
    let (mut reports, mut failures, mut lat) = (0u64, 0u64, Vec::new());
    while let Ok(Some(r)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        reports += 1;
        if r.outcome.status != Health::Pass {
            failures += 1;
        }
        lat.push(r.outcome.latency.as_secs_f64() * 1000.0);
    }
    handle.stop();
    (reports, failures, lat)
}

fn spawn_server() -> (String, Option<std::process::Child>) {
    let exe = std::env::current_exe().expect("exe");
    let mut child = Command::new(exe)
        .arg("--serve")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("port line");
    (line.trim().to_string(), Some(child))
}

/// Serves `/h/{id}` with a healthy JSON body on a loopback port; prints the base URL.
fn serve() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let app = Router::new().route(
            "/h/{id}",
            get(|| async { ([(CONTENT_TYPE, "application/json")], BODY) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("http://{}", listener.local_addr().expect("addr"));
        axum::serve(listener, app).await.expect("serve");
    });
}

fn clk_tck() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of this process (all threads), in seconds.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / clk_tck()
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
