//! The sandbox's GitHub side answers as GitHub does: repository and workflow endpoints, the
//! workflow file, weak ETags, `Link` paging past 100 jobs, a dispatched run listed only after a
//! delay, GitHub's 422 for undeclared inputs and 401 without a token. Plain HTTP over loopback.

use std::time::Duration;

use flightdeck::providers::github::{GithubClient, PipelineConfig, parse_dispatch_inputs};
use flightdeck::sandbox::github::{Faults, GithubSim, router};
use serde_json::{Value, json};

const REPO: &str = "repos/clarity/clarity-backend";

async fn serve(sim: GithubSim) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(sim)).await.ok() });
    format!("http://{addr}")
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(base: &str, path: &str) -> reqwest::Response {
    http().get(format!("{base}/{path}")).send().await.unwrap()
}

async fn dispatch(base: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!(
            "{base}/{REPO}/actions/workflows/release.yml/dispatches"
        ))
        .bearer_auth("ghp_test")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn github_sandbox_serves_repository_workflows_and_the_workflow_file() {
    let base = serve(GithubSim::new(100.0)).await;
    let repo: Value = get(&base, REPO).await.json().await.unwrap();
    assert_eq!(repo["full_name"], "clarity/clarity-backend");
    assert_eq!(repo["default_branch"], "main");
    assert_eq!(repo["owner"]["login"], "clarity");
    let list: Value = get(&base, &format!("{REPO}/actions/workflows"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_count"], 1);
    let wf = &list["workflows"][0];
    assert_eq!(
        (wf["path"].as_str(), wf["state"].as_str()),
        (Some(".github/workflows/release.yml"), Some("active"))
    );
    let by_id: Value = get(&base, &format!("{REPO}/actions/workflows/{}", wf["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(&by_id, wf, "by id and in the list: the same workflow");
    let by_name = get(&base, &format!("{REPO}/actions/workflows/release.yml")).await;
    assert_eq!(by_name.status(), 200);
    assert_eq!(
        get(&base, &format!("{REPO}/actions/workflows/nope.yml"))
            .await
            .status(),
        404
    );
    let file: Value = get(
        &base,
        &format!("{REPO}/contents/.github/workflows/release.yml?ref=main"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(file["encoding"], "base64");
    use base64::Engine;
    let packed: String = file["content"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    let yaml = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .unwrap();
    let inputs = parse_dispatch_inputs(std::str::from_utf8(&yaml).unwrap()).unwrap();
    assert_eq!(inputs.get("version"), Some(&true));
    assert_eq!(inputs.get("fail_at_phase"), Some(&false));
}

#[tokio::test]
async fn github_sandbox_etags_are_weak_and_answer_304() {
    let base = serve(GithubSim::new(100.0)).await;
    let first = get(&base, &format!("{REPO}/actions/runs/9000001")).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with("W/\"") && etag.ends_with('"'),
        "weak ETag: {etag}"
    );
    let again = http()
        .get(format!("{base}/{REPO}/actions/runs/9000001"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn github_sandbox_pages_jobs_past_100_with_link_headers() {
    let sim = GithubSim::new(1.0);
    sim.set_faults(Faults {
        jobs: Some(150),
        job_secs: Some(60.0),
        list_delay_secs: Some(0.0),
        ..Faults::default()
    });
    let base = serve(sim).await;
    let out: Value = dispatch(
        &base,
        json!({"ref": "main", "inputs": {"version": "7.0.0"}, "return_run_details": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = out["workflow_run_id"].as_u64().unwrap();
    let jobs_path = format!("{REPO}/actions/runs/{id}/jobs");
    let page1 = get(&base, &format!("{jobs_path}?filter=latest&per_page=100")).await;
    let link = page1.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains(&format!(
            "<{base}/{jobs_path}?filter=latest&per_page=100&page=2>; rel=\"next\""
        )),
        "{link}"
    );
    assert!(link.contains("page=2>; rel=\"last\""), "{link}");
    let page1: Value = page1.json().await.unwrap();
    assert_eq!(
        (
            page1["total_count"].as_u64(),
            page1["jobs"].as_array().unwrap().len()
        ),
        (Some(150), 100)
    );
    let page2 = get(
        &base,
        &format!("{jobs_path}?filter=latest&per_page=100&page=2"),
    )
    .await;
    let link2 = page2.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link2.contains("rel=\"prev\"") && link2.contains("rel=\"first\""),
        "{link2}"
    );
    assert!(!link2.contains("rel=\"next\""), "{link2}");
    let page2: Value = page2.json().await.unwrap();
    assert_eq!(page2["jobs"].as_array().unwrap().len(), 50);
    assert_eq!(
        page2["jobs"][49]["name"],
        "Post-Deployment Verification (150/150)"
    );

    // The provider follows the pages; the second read is all 304s.
    let cfg: PipelineConfig = toml::from_str(&format!(
        "base_url = \"{base}\"\nowner = \"clarity\"\nrepo = \"clarity-backend\"\nworkflow = \"release.yml\""
    ))
    .unwrap();
    let client = GithubClient::new(&cfg, None).unwrap();
    let jobs = client.list_jobs(id).await.unwrap().changed().unwrap();
    assert_eq!(jobs.jobs.len(), 150);
    assert_eq!(
        client.list_jobs(id).await.unwrap(),
        flightdeck::providers::github::Fetched::Unchanged
    );
    assert_eq!(client.cached_jobs(id).unwrap().jobs.len(), 150);
}

#[tokio::test]
async fn github_sandbox_lists_a_dispatched_run_only_after_a_delay() {
    let sim = GithubSim::new(100.0);
    sim.set_faults(Faults {
        list_delay_secs: Some(1.0),
        ..Faults::default()
    });
    let base = serve(sim).await;
    let started = tokio::time::Instant::now();
    let out: Value = dispatch(
        &base,
        json!({"ref": "main", "inputs": {"version": "8.0.0"}, "return_run_details": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = out["workflow_run_id"].as_u64().unwrap();
    assert_eq!(
        get(&base, &format!("{REPO}/actions/runs/{id}"))
            .await
            .status(),
        200,
        "the run itself is there at once"
    );
    let listed = || async {
        let list: Value = get(&base, &format!("{REPO}/actions/workflows/release.yml/runs"))
            .await
            .json()
            .await
            .unwrap();
        list["workflow_runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id)
    };
    let mut seen_absent = false;
    let deadline = started + Duration::from_secs(10);
    loop {
        if listed().await {
            break;
        }
        seen_absent = true;
        assert!(tokio::time::Instant::now() < deadline, "never listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen_absent, "listed at once, not after a delay");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn github_sandbox_refuses_undeclared_inputs_and_missing_tokens_as_github_does() {
    let base = serve(GithubSim::new(100.0)).await;
    let resp = dispatch(
        &base,
        json!({"ref": "main", "inputs": {"version": "1", "region": "eu", "color": "red"}}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "message": "Unexpected inputs provided: [\"color\", \"region\"]",
            "documentation_url": "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
            "status": "422"
        })
    );
    let missing: Value = dispatch(&base, json!({"ref": "main", "inputs": {}}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(missing["message"], "Required input 'version' not provided");

    let anonymous = http()
        .post(format!("{base}/{REPO}/actions/runs/9000001/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(
        body,
        json!({"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest", "status": "401"})
    );
    let empty = http()
        .get(format!("{base}/{REPO}"))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 401);
    assert_eq!(
        empty.json::<Value>().await.unwrap()["message"],
        "Bad credentials"
    );
    // The provider sends its token; the sandbox placeholder is accepted.
    let ok = http()
        .post(format!("{base}/{REPO}/actions/runs/9000001/cancel"))
        .bearer_auth("flightdeck-sandbox")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 409, "authenticated: the run is done, so 409");
}
