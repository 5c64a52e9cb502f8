//! Arbitrary bytes where input enters: the health-format parsers, the profile loader, the ledger
//! reader and verifier, the API decoders and the redaction filter. Never a panic; a failure is an
//! error that says what it is about.

use std::path::Path;

use flightdeck::config::Profile;
use flightdeck::ledger::{Ledger, verify};
use flightdeck::probes::ProbeFormat;
use flightdeck::probes::formats::{Response, evaluate};
use flightdeck::providers::cloudrun_wire as cloudrun;
use flightdeck::providers::github::wire as github;
use proptest::prelude::*;

/// Bytes that are often almost valid: JSON-ish and TOML-ish fragments as well as noise.
fn inputs() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "[{}\\[\\]\":,a-z0-9 =\n.-]{0,200}".prop_map(String::into_bytes),
        "\\{\"(status|checks|components|name|error|traffic)\": ?(\"UP\"|\"DOWN\"|\\{|\\[|1|null)[}\\]]{0,3}"
            .prop_map(String::into_bytes),
    ]
}

const FORMATS: [ProbeFormat; 6] = [
    ProbeFormat::Auto,
    ProbeFormat::Status,
    ProbeFormat::Ietf,
    ProbeFormat::Actuator,
    ProbeFormat::K8s,
    ProbeFormat::Json,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn health_parsers_judge_any_body(body in inputs(), status in 100u16..600, ct in 0usize..4) {
        let content_type = [None, Some("application/json"), Some("application/health+json"), Some("text/plain")][ct];
        for format in FORMATS {
            let resp = Response { http_status: status, content_type, body: &body };
            let eval = evaluate(format, None, &resp);
            if eval.status == flightdeck::probes::Health::Fail {
                prop_assert!(eval.reason.as_deref().is_some_and(|r| !r.is_empty()), "a failure says why");
            }
        }
    }

    #[test]
    fn the_profile_loader_names_the_file(bytes in inputs()) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Profile::parse(Path::new("fuzz.toml"), &text) {
            prop_assert!(e.to_string().contains("fuzz.toml"), "{e}");
        }
    }

    #[test]
    fn the_ledger_reader_and_verifier_take_any_file(bytes in inputs()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.jsonl");
        std::fs::write(&path, &bytes).unwrap();
        let _ = Ledger::open(&path).and_then(|l| l.read_all());
        let _ = verify::verify_bytes(&path, &bytes);
        let _ = verify(&path);
    }

    #[test]
    fn api_decoders_refuse_garbage_with_an_error(bytes in inputs()) {
        let _ = serde_json::from_slice::<cloudrun::Service>(&bytes);
        let _ = serde_json::from_slice::<cloudrun::ListRevisionsResponse>(&bytes);
        let _ = serde_json::from_slice::<cloudrun::Operation>(&bytes);
        let _ = serde_json::from_slice::<cloudrun::ErrorBody>(&bytes);
        let _ = serde_json::from_slice::<github::WorkflowRunList>(&bytes);
        let _ = serde_json::from_slice::<github::JobList>(&bytes);
    }

    #[test]
    fn redaction_never_grows_a_secret_and_is_stable(text in "(Bearer |token: |ghp_|ya29\\.|eyJ[a-z]{4}\\.[a-z]{4}\\.|[ -~]){0,80}") {
        let once = flightdeck::redact::redact(&text);
        prop_assert_eq!(flightdeck::redact::redact(&once), once.clone());
    }
}
