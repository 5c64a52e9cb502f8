//! A loopback HTTP server with hand-written responses for probe tests: it can hang, reset,
//! answer garbage, send a huge body, or serve a fixture; it counts concurrent requests per path.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
pub enum Behaviour {
    Respond {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Accept, read the request, never answer (until the client goes away).
    Hang,
    /// Read the request and reset the connection (RST).
    Reset,
    /// Answer bytes that are not HTTP.
    Garbage,
    /// A 200 with a body of this many bytes.
    Big(usize),
    /// Answer 200 "ok" after a delay.
    Slow(Duration),
}

#[derive(Default)]
pub struct Stats {
    pub hits: AtomicUsize,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

pub struct Server {
    pub base: String,
    pub stats: Arc<Mutex<HashMap<String, Arc<Stats>>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn stats(&self, path: &str) -> Arc<Stats> {
        let mut map = self.stats.lock().expect("stats lock");
        map.entry(path.to_string()).or_default().clone()
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/probes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub async fn serve(routes: Vec<(&'static str, Behaviour)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let routes: Arc<HashMap<&'static str, Behaviour>> = Arc::new(routes.into_iter().collect());
    let stats: Arc<Mutex<HashMap<String, Arc<Stats>>>> = Arc::default();
    let server = Server {
        base,
        stats: stats.clone(),
    };
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let routes = routes.clone();
            let stats = stats.clone();
            tokio::spawn(async move { handle(sock, routes, stats).await });
        }
    });
    server
}

async fn handle(
    mut sock: TcpStream,
    routes: Arc<HashMap<&'static str, Behaviour>>,
    stats: Arc<Mutex<HashMap<String, Arc<Stats>>>>,
) {
    loop {
        let Some(path) = read_request(&mut sock).await else {
            return;
        };
        let stat = stats
            .lock()
            .expect("stats lock")
            .entry(path.clone())
            .or_default()
            .clone();
        stat.hits.fetch_add(1, Ordering::SeqCst);
        let now = stat.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stat.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let behaviour = routes
            .get(path.as_str())
            .cloned()
            .unwrap_or(Behaviour::Respond {
                status: 404,
                content_type: "text/plain",
                body: b"not found".to_vec(),
            });
        let keep = respond(&mut sock, behaviour).await;
        stat.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !keep {
            return;
        }
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 16 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head.split_whitespace().nth(1)?.to_string();
    Some(target.split('?').next().unwrap_or(&target).to_string())
}

/// Writes the response; returns whether the connection stays usable.
async fn respond(sock: &mut TcpStream, behaviour: Behaviour) -> bool {
    match behaviour {
        Behaviour::Respond {
            status,
            content_type,
            body,
        } => write(sock, status, content_type, &body).await,
        Behaviour::Slow(delay) => {
            tokio::time::sleep(delay).await;
            write(sock, 200, "text/plain", b"ok").await
        }
        Behaviour::Hang => {
            let mut sink = [0u8; 256];
            while matches!(sock.read(&mut sink).await, Ok(n) if n > 0) {}
            false
        }
        Behaviour::Reset => {
            let _ = sock.set_zero_linger();
            false
        }
        Behaviour::Garbage => {
            let _ = sock
                .write_all(b"SSH-2.0-OpenSSH_9.6 definitely not http\r\n\r\n")
                .await;
            false
        }
        Behaviour::Big(len) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
            );
            if sock.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let block = vec![b' '; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len());
                if sock.write_all(&block[..n]).await.is_err() {
                    return false;
                }
                left -= n;
            }
            true
        }
    }
}

async fn write(sock: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> bool {
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.is_ok() && sock.write_all(body).await.is_ok()
}
