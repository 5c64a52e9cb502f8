//! HTTP behaviour shared by every GitHub route: injected rate-limit faults, ETag / 304,
//! and the `x-ratelimit-*` budget (304s and refusals are not counted, as on GitHub).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::json;
use super::state::{GithubSim, RATE_LIMIT, SimState, sha_hex};

/// Largest response body the layer buffers (our bodies are a few hundred KB at most).
const MAX_BODY: usize = 16 * 1024 * 1024;

fn set(h: &mut HeaderMap, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        h.insert(name, v);
    }
}

fn budget_headers(st: &SimState, h: &mut HeaderMap) {
    set(h, "x-ratelimit-limit", RATE_LIMIT);
    set(h, "x-ratelimit-remaining", st.remaining);
    set(h, "x-ratelimit-used", RATE_LIMIT - st.remaining);
    set(h, "x-ratelimit-reset", st.reset);
    set(h, "x-ratelimit-resource", "core");
}

/// If a rate-limit fault is armed, consumes one and builds the refusal.
fn injected_refusal(st: &mut SimState) -> Option<Response> {
    let fault = st.faults.rate_limit.as_mut().filter(|f| f.count > 0)?;
    fault.count -= 1;
    let (status, retry_after) = (fault.status, fault.retry_after);
    if fault.count == 0 {
        st.faults.rate_limit = None;
    }
    st.stats.rate_limited += 1;
    let mut resp = if status == 403 {
        let mut r = (
            StatusCode::FORBIDDEN,
            axum::Json(json::error("API rate limit exceeded for 127.0.0.1.", 403)),
        )
            .into_response();
        budget_headers(st, r.headers_mut());
        set(r.headers_mut(), "x-ratelimit-remaining", 0);
        set(r.headers_mut(), "x-ratelimit-used", RATE_LIMIT);
        let reset = st.wall_now().timestamp() + i64::try_from(retry_after).unwrap_or(60);
        set(r.headers_mut(), "x-ratelimit-reset", reset);
        r
    } else {
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json::error(msg, 429)),
        )
            .into_response();
        budget_headers(st, r.headers_mut());
        r
    };
    if status != 403 {
        set(resp.headers_mut(), "retry-after", retry_after);
    }
    Some(resp)
}

/// GitHub's answer to a request without usable credentials: a malformed `Authorization`
/// ("Bad credentials"), or none on a request that needs one (every mutation: "Requires
/// authentication"). Reads need none: the sandbox repository is public.
fn unauthorized(method: &Method, authorization: Option<&HeaderValue>) -> Option<&'static str> {
    match authorization.map(|v| v.to_str().unwrap_or("")) {
        Some(v) => {
            let token = v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .or_else(|| v.strip_prefix("token "))
                .map(str::trim)
                .unwrap_or("");
            token.is_empty().then_some("Bad credentials")
        }
        None => {
            (method != Method::GET && method != Method::HEAD).then_some("Requires authentication")
        }
    }
}

/// A client's name from its `User-Agent`: `flightdeck/0.1.0` → `flightdeck`,
/// `GitHub CLI 2.23.0` → `GitHub CLI`.
fn client_name(user_agent: Option<&HeaderValue>) -> String {
    let ua = user_agent.and_then(|v| v.to_str().ok()).unwrap_or("");
    let product = ua.split('/').next().unwrap_or("").trim();
    let words: Vec<&str> = product
        .split_whitespace()
        .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    if words.is_empty() {
        "unknown".into()
    } else {
        words.join(" ")
    }
}

fn etag_matches(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(v) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    v.split(',')
        .any(|t| t.trim() == "*" || strip(t) == strip(etag))
}

pub async fn github_http(State(sim): State<GithubSim>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let is_get = req.method() == Method::GET;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let refused = unauthorized(req.method(), req.headers().get(header::AUTHORIZATION));
    let client = client_name(req.headers().get(header::USER_AGENT));
    {
        let mut st = sim.lock();
        st.stats.requests += 1;
        let now = st.wall_now().timestamp();
        if now >= st.reset {
            st.remaining = RATE_LIMIT;
            st.reset = now + 3600;
        }
        if let Some(refusal) = injected_refusal(&mut st) {
            return refusal;
        }
        if let Some(message) = refused {
            let mut r = (
                StatusCode::UNAUTHORIZED,
                axum::Json(json::error(message, 401)),
            )
                .into_response();
            budget_headers(&st, r.headers_mut());
            return r;
        }
    }
    let resp = next.run(req).await;
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut st = sim.lock();
    if is_get && parts.status == StatusCode::OK {
        // Weak, as GitHub's are: the body is equivalent, not byte-for-byte promised.
        let etag = format!("W/\"{}\"", &sha_hex(&bytes)[..32]);
        if etag_matches(if_none_match.as_ref(), &etag) {
            st.stats.not_modified += 1;
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            set(r.headers_mut(), "etag", &etag);
            budget_headers(&st, r.headers_mut());
            return r;
        }
        set(&mut parts.headers, "etag", &etag);
    }
    st.remaining = st.remaining.saturating_sub(1);
    st.stats.counted += 1;
    *st.stats.counted_by_client.entry(client).or_default() += 1;
    budget_headers(&st, &mut parts.headers);
    Response::from_parts(parts, Body::from(bytes))
}
