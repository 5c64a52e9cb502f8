//! Mutating routes of the sandbox's GitHub subset (dispatch, review, cancel) and the
//! sandbox-only fault and stats endpoints.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::fault_plan::Faults;
use super::json as body;
use super::repo::DECLARED_INPUTS;
use super::routes::{check_repo, ctx, err, find_run, parse_json};
use super::sim::PROD_ENV_ID;
use super::state::{GithubSim, GithubStats, Review};

type RunPath = Path<(String, String, u64)>;
type WorkflowPath = Path<(String, String, String)>;

pub async fn review_pending(
    State(sim): State<GithubSim>,
    Path((owner, repo, id)): RunPath,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let v = match parse_json(&bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let ids: Option<Vec<u64>> = v["environment_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect());
    let state = v["state"]
        .as_str()
        .filter(|s| *s == "approved" || *s == "rejected");
    let (Some(ids), Some(state), Some(comment)) = (ids, state, v["comment"].as_str()) else {
        return err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request: environment_ids, state (approved|rejected) and comment are required.",
        );
    };
    let mut st = sim.lock();
    let i = match find_run(&st, &owner, &repo, id) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let now = st.now();
    // GitHub counts only the requests the token's user may review: to a user who is not a
    // required reviewer (`current_user_can_approve` false) there are none.
    if st.faults.not_reviewer
        || st.runs[i].view(now).waiting_since.is_none()
        || !ids.contains(&PROD_ENV_ID)
    {
        return err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No pending deployment requests to approve or reject",
        );
    }
    let run = &mut st.runs[i];
    if state == "approved" {
        run.approved_at = Some(now);
    } else {
        run.rejected_at = Some(now);
    }
    st.reviews.push(Review {
        run_id: id,
        environment_ids: ids,
        state: state.into(),
        comment: comment.into(),
    });
    if let Some(status) = st.faults.review_status.take() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        return err(status, "Server Error");
    }
    let c = ctx(&st, &headers);
    Json(json!([body::deployment(&c, &st.runs[i], now)])).into_response()
}

fn input_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 0-based failing phase: input `fail_at_phase`, else `fail-at-N` in the version.
fn fail_at(inputs: &serde_json::Map<String, Value>, version: &str) -> Option<usize> {
    let n: usize = match inputs.get("fail_at_phase").and_then(input_str) {
        Some(s) => s.trim().parse().ok()?,
        None => {
            let rest = &version[version.find("fail-at-")? + "fail-at-".len()..];
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()?
        }
    };
    (1..=10).contains(&n).then(|| n - 1)
}

pub async fn dispatch(
    State(sim): State<GithubSim>,
    Path((owner, repo, wf)): WorkflowPath,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let v = match parse_json(&bytes) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let mut st = sim.lock();
    if let Err(r) = check_repo(&st, &owner, &repo) {
        return r.into_response();
    }
    if wf != st.workflow && wf != st.workflow_id.to_string() {
        return err(StatusCode::NOT_FOUND, "Not Found");
    }
    let Some(git_ref) = v["ref"].as_str() else {
        return err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request.\n\n\"ref\" wasn't supplied.",
        );
    };
    let empty = serde_json::Map::new();
    let inputs = match v.get("inputs") {
        None => &empty,
        Some(Value::Object(m)) if m.len() <= 25 => m,
        Some(_) => {
            return err(
                StatusCode::UNPROCESSABLE_ENTITY,
                "inputs must be an object with at most 25 keys",
            );
        }
    };
    if let Some(refusal) = check_inputs(inputs) {
        return refusal;
    }
    let version = inputs
        .get("version")
        .and_then(input_str)
        .unwrap_or_else(|| "0.0.0-sandbox".into());
    let now = st.now();
    let fail = fail_at(inputs, &version).or_else(|| {
        st.faults
            .fail_at_phase
            .take()
            .and_then(|n| n.checked_sub(1))
    });
    let gate = st.faults.approval_gate
        || inputs
            .get("require_approval")
            .and_then(input_str)
            .as_deref()
            == Some("true");
    let id = st.add_run(&version, "workflow_dispatch", now);
    let listed_from = now + st.list_delay * st.speed;
    if let Some(run) = st.runs.last_mut() {
        (run.fail_at, run.gate, run.git_ref) = (fail, gate, git_ref.into());
        run.listed_from = listed_from;
    }
    if let Some(status) = st.faults.dispatch_status.take() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        return err(status, "Server Error");
    }
    if v["return_run_details"].as_bool() != Some(true) || st.faults.no_run_details {
        return StatusCode::NO_CONTENT.into_response();
    }
    let c = ctx(&st, &headers);
    Json(json!({"workflow_run_id": id, "run_url": c.run_api(id), "html_url": c.run_html(id)}))
        .into_response()
}

const DISPATCH_DOCS: &str =
    "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event";

/// GitHub's 422s for inputs the workflow file does not declare, or required ones left out.
fn check_inputs(inputs: &serde_json::Map<String, Value>) -> Option<Response> {
    let unexpected: Vec<&String> = inputs
        .keys()
        .filter(|k| !DECLARED_INPUTS.iter().any(|(name, _)| name == k))
        .collect();
    let message = if !unexpected.is_empty() {
        let names: Vec<String> = unexpected.iter().map(|k| format!("{k:?}")).collect();
        format!("Unexpected inputs provided: [{}]", names.join(", "))
    } else {
        let (missing, _) = DECLARED_INPUTS
            .iter()
            .find(|(name, required)| *required && !inputs.contains_key(*name))?;
        format!("Required input '{missing}' not provided")
    };
    let body = body::error_at(&message, 422, DISPATCH_DOCS);
    Some((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}

pub async fn cancel(State(sim): State<GithubSim>, Path((owner, repo, id)): RunPath) -> Response {
    let mut st = sim.lock();
    let i = match find_run(&st, &owner, &repo, id) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let now = st.now();
    if st.runs[i].view(now).status == "completed" {
        return err(
            StatusCode::CONFLICT,
            "Cannot cancel a workflow run that is completed.",
        );
    }
    st.runs[i].cancelled_at = Some(now);
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

pub async fn faults(State(sim): State<GithubSim>, bytes: Bytes) -> Response {
    let f: Faults = match serde_json::from_slice(&bytes) {
        Ok(f) => f,
        Err(e) => return err(StatusCode::BAD_REQUEST, &format!("bad fault plan: {e}")),
    };
    let mut st = sim.lock();
    st.apply_faults(f);
    Json(st.faults.clone()).into_response()
}

pub async fn stats(State(sim): State<GithubSim>) -> Json<GithubStats> {
    Json(sim.stats())
}

pub async fn reviews(State(sim): State<GithubSim>) -> Json<Vec<Review>> {
    Json(sim.reviews())
}
