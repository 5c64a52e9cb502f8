//! A rollout this cockpit knows from the ledger, checked against the cloud (a stale record is
//! told), taken over with the lane's whole health probe, and kept here when no background driver
//! could reach the sandbox.

use chrono::Duration;

use super::rollout_tests::{applied, hosted, key, names, on_prod, theirs};
use super::update;
use crate::model::Model;
use crate::model::fixtures::clock;
use crate::msg::{Action, Msg};

#[test]
fn a_rebuilt_rollout_the_cloud_no_longer_shows_is_told_stale_once() {
    let mut model = on_prod();
    // The cloud shows what the ledger says: 00008-new at 10 %.
    let serve = |model: &mut Model, split: &[(&str, u8)]| {
        let state = model.lanes[2].service.as_mut().unwrap();
        state.traffic = split
            .iter()
            .map(|(short, percent)| crate::model::lane::TrafficSlice {
                revision: format!("clarity-backend-prod-{short}"),
                short: (*short).to_string(),
                version: String::new(),
                percent: *percent,
                tag: None,
            })
            .collect();
    };
    serve(&mut model, &[("00007-old", 90), ("00008-new", 10)]);
    update(&mut model, Msg::LedgerEntries(theirs()));
    let stale = |model: &Model| {
        model
            .activity
            .entries
            .iter()
            .filter(|a| a.text.contains("record is stale"))
            .count()
    };
    update(
        &mut model,
        Msg::Tick {
            now: clock() + Duration::seconds(5),
        },
    );
    assert_eq!(stale(&model), 0, "the split agrees with the ledger");
    // Someone set prod back to 100 % outside the rollout.
    serve(&mut model, &[("00007-old", 100)]);
    for secs in [6, 7] {
        update(
            &mut model,
            Msg::Tick {
                now: clock() + Duration::seconds(secs),
            },
        );
    }
    assert_eq!(stale(&model), 1, "told once");
    let told = model
        .activity
        .entries
        .iter()
        .find(|a| a.text.contains("stale"));
    let told = told.unwrap();
    assert_eq!(told.lane.as_deref(), Some("prod"));
    assert!(told.text.contains("00008-new at 10%"), "{}", told.text);
    assert!(told.text.contains("00007-old 100%"), "{}", told.text);
}

#[test]
fn a_cockpit_whose_sandbox_ends_with_it_refuses_to_leave_a_background_driver() {
    let mut model = on_prod();
    model.operations.no_successor = Some("not in the background: the sandbox runs inside".into());
    super::rollouts::planned(&mut model, hosted());
    update(&mut model, applied(Some("00008-new")));
    update(&mut model, applied(None));
    key(&mut model, Action::Quit);
    let cmds = update(&mut model, Msg::PromptSubmitted("b".into()));
    assert!(cmds.is_empty(), "nothing released: {:?}", names(&cmds));
    assert!(!model.quitting);
    assert!(
        model.operations.hosted.contains_key("prod"),
        "still driven here"
    );
    let notice = model.notice.as_ref().map(|n| n.text.clone());
    assert!(notice.is_some_and(|t| t.contains("sandbox runs inside")));
    // Handing over still works.
    key(&mut model, Action::Quit);
    let cmds = update(&mut model, Msg::PromptSubmitted("h".into()));
    assert!(names(&cmds).contains(&"record:released".to_string()));
    assert!(model.quitting);
}

#[test]
fn a_taken_over_rollout_is_guarded_with_the_whole_health_probe() {
    let mut model = on_prod();
    let spec: crate::probes::ProbeSpec = toml::from_str(
        "name = 'health'\npath = '/healthz'\nformat = 'actuator'\n[headers]\nX-Probe-Key = 'k1'",
    )
    .unwrap();
    model.probes = crate::model::probes::Probes::from_profile([
        ("dev", &[][..]),
        ("staging", &[][..]),
        ("prod", std::slice::from_ref(&spec)),
    ]);
    let uris = [None, None, Some("https://prod.example".to_string())];
    model.probes.resolve(&uris);
    update(&mut model, Msg::LedgerEntries(theirs()));
    model.now = clock() + Duration::seconds(16);
    key(&mut model, Action::PauseResume);
    let probe = model.operations.hosted["prod"].health.clone().unwrap();
    assert_eq!(probe.url, "https://prod.example/healthz");
    assert_eq!(
        probe.headers,
        [("X-Probe-Key".to_string(), "k1".to_string())]
    );
    assert_eq!(probe.format, spec.format);
}
