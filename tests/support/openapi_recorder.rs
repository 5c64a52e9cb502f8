//! Serves the sandbox GitHub router on 127.0.0.1:0 behind a recording layer, so a test can
//! check every request the provider sent (and every response) against the OpenAPI spec.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use flightdeck::sandbox::github::{GithubSim, router};
use serde_json::Value;

use super::openapi::Spec;

#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub status: u16,
    pub response: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Exchange>>>);

async fn record(State(rec): State<Recorder>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut ex = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(String::from),
        headers: parts.headers.clone(),
        body: body.to_vec(),
        status: 0,
        response: vec![],
    };
    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (rparts, rbody) = resp.into_parts();
    let rbody = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    ex.status = rparts.status.as_u16();
    ex.response = rbody.to_vec();
    rec.0.lock().unwrap().push(ex);
    Response::from_parts(rparts, Body::from(rbody))
}

pub struct Server {
    pub addr: SocketAddr,
    /// The API base URL to give the provider (`http://127.0.0.1:PORT` + prefix).
    pub base: String,
    pub prefix: String,
    pub sim: GithubSim,
    rec: Recorder,
}

/// Serves `sim` under `prefix` (`""` for api.github.com-style, `/api/v3` for GitHub Enterprise).
pub async fn serve(sim: GithubSim, prefix: &str) -> Server {
    let rec = Recorder::default();
    let api = if prefix.is_empty() {
        router(sim.clone())
    } else {
        Router::new().nest(prefix, router(sim.clone()))
    };
    let app = api.layer(axum::middleware::from_fn_with_state(rec.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        addr,
        base: format!("http://{addr}{prefix}"),
        prefix: prefix.into(),
        sim,
        rec,
    }
}

impl Server {
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.rec.0.lock().unwrap().clone()
    }

    /// Sends a fault plan to the sandbox control endpoint.
    pub async fn faults(&self, plan: Value) {
        let url = format!("{}/_sandbox/github/faults", self.base);
        let r = reqwest::Client::new()
            .post(url)
            .json(&plan)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "fault plan refused: {}",
            r.text().await.unwrap()
        );
    }

    /// Every API request carried the GitHub headers and matched the spec; every success
    /// response matched its schema. Returns the operationIds seen.
    pub fn assert_conformant(&self, spec: &Spec) -> Vec<String> {
        let mut errs = Vec::new();
        let mut ops = Vec::new();
        for ex in self.exchanges() {
            let Some(path) = ex.path.strip_prefix(&self.prefix) else {
                continue;
            };
            if path.starts_with("/_sandbox/") {
                continue;
            }
            let h = |k: &str| {
                ex.headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            if h("accept") != "application/vnd.github+json" {
                errs.push(format!("{path}: Accept {:?}", h("accept")));
            }
            if h("x-github-api-version") != "2022-11-28" {
                errs.push(format!(
                    "{path}: X-GitHub-Api-Version {:?}",
                    h("x-github-api-version")
                ));
            }
            if !h("user-agent").starts_with("flightdeck/") {
                errs.push(format!("{path}: User-Agent {:?}", h("user-agent")));
            }
            let body: Option<Value> = (!ex.body.is_empty())
                .then(|| serde_json::from_slice(&ex.body).expect("request JSON"));
            match spec.check_request(&ex.method, path, ex.query.as_deref(), body.as_ref()) {
                Ok(id) => ops.push(id),
                Err(e) => errs.extend(e),
            }
            if matches!(ex.status, 200..=299) {
                let resp: Option<Value> = (!ex.response.is_empty())
                    .then(|| serde_json::from_slice(&ex.response).expect("response JSON"));
                if let Err(e) = spec.check_response(&ex.method, path, ex.status, resp.as_ref()) {
                    errs.extend(e);
                }
            }
        }
        assert!(errs.is_empty(), "OpenAPI violations:\n{}", errs.join("\n"));
        ops
    }
}
