use crate::model::fixtures::{prod_after_rollback, prod_ledger, three_lanes};
use crate::model::lane_detail::{HistoryItem, history};
use crate::model::{Overlay, Pane};
use crate::msg::{Action, Msg};
use crate::update::update;

fn press(model: &mut crate::model::Model, action: Action) {
    update(model, Msg::Action(action));
}

#[test]
fn enter_on_a_lane_opens_it_in_depth_and_esc_closes_it() {
    let mut model = three_lanes(1);
    model.focus = Pane::Lanes;
    press(&mut model, Action::Right);
    press(&mut model, Action::Open);
    assert_eq!(model.overlay, Overlay::LaneDetail { lane: 1, scroll: 0 });
    press(&mut model, Action::Down);
    press(&mut model, Action::Down);
    press(&mut model, Action::Up);
    assert_eq!(model.overlay, Overlay::LaneDetail { lane: 1, scroll: 1 });
    // l shows the next lane (and selects it); it never runs past the last one.
    press(&mut model, Action::Right);
    press(&mut model, Action::Right);
    assert_eq!(model.overlay, Overlay::LaneDetail { lane: 2, scroll: 0 });
    assert_eq!(model.selected_lane, 2);
    // Keys that act on lanes do nothing while it is open.
    press(&mut model, Action::PromoteHere);
    assert_eq!(model.overlay, Overlay::LaneDetail { lane: 2, scroll: 0 });
    press(&mut model, Action::Back);
    assert_eq!(model.overlay, Overlay::None);
    assert!(!model.quitting);
}

#[test]
fn enter_elsewhere_does_not_open_a_lane_and_scrolling_stops_at_the_top() {
    let mut model = three_lanes(1);
    model.focus = Pane::Activity;
    press(&mut model, Action::Open);
    assert_eq!(model.overlay, Overlay::None);
    model.focus = Pane::Lanes;
    press(&mut model, Action::Open);
    press(&mut model, Action::Up);
    assert_eq!(model.overlay, Overlay::LaneDetail { lane: 0, scroll: 0 });
    press(&mut model, Action::Quit);
    assert_eq!(model.overlay, Overlay::None);
    assert!(!model.quitting, "q closes the detail, it does not quit");
}

#[test]
fn the_history_merges_the_cloud_revisions_with_the_ledger_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = three_lanes(1);
    model.lanes[2].service = Some(prod_after_rollback());
    update(&mut model, Msg::LedgerEntries(prod_ledger(dir.path())));
    let prod = model.lanes[2].service.as_ref();
    let items = history(&model.signoffs.entries, "prod", prod);
    let summary: Vec<String> = items
        .iter()
        .map(|item| match item {
            HistoryItem::Revision {
                revision,
                serving,
                deployed_by,
            } => format!(
                "{} {} {:?} {}",
                revision.short,
                revision.version,
                serving,
                deployed_by
                    .as_ref()
                    .map_or("not deployed by flightdeck".into(), |d| format!(
                        "{} by {} {:?} {:?}",
                        d.action, d.who, d.outcome, d.note
                    ))
            ),
            HistoryItem::Deed(d) => format!(
                "{} {} by {} {:?} {:?}",
                d.action, d.release, d.who, d.outcome, d.note
            ),
        })
        .collect();
    assert_eq!(
        summary[..5],
        [
            "promote 1.4.3 by dave@bastion Some(\"refused\") Some(\"[signoff] NO-GO 9/32\")",
            "rollback 1.4.0 by bob@bastion Some(\"done\") None",
            "00008-abc 1.4.2 None not deployed by flightdeck",
            "00007-abc 1.4.0 Some(100) promote by alice@bastion Some(\"done\") Some(\"overrode freeze\")",
            "00006-abc 1.3.6 None not deployed by flightdeck",
        ]
    );
    // Staging's promote is not prod's history; every cloud revision is there once.
    assert_eq!(items.len(), 2 + 8, "{summary:#?}");
    assert!(!summary.iter().any(|s| s.contains("carol")));
}

#[test]
fn a_rollback_that_created_a_revision_is_its_creator() {
    use crate::ledger::{Actor, Ledger, Payload};
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.jsonl")).unwrap();
    let actor = Actor {
        account: "erin".into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    };
    // A Cloud Deploy rollback is a new rollout: created after the command, named by its outcome.
    let mut prod = crate::model::fixtures::service("prod", &[(3, "1.3.1", 100)]);
    let created = prod.revisions[0].created.unwrap();
    let command = Payload::Command {
        request_id: "rb".into(),
        action: "rollback".into(),
        env: "prod".into(),
        release: "1.3.1".into(),
        detail: serde_json::json!({}),
    };
    ledger
        .append_at(&actor, command, created - chrono::Duration::seconds(5))
        .unwrap();
    let outcome = Payload::CommandOutcome {
        request_id: "rb".into(),
        ok: true,
        detail: serde_json::json!({"status": "done", "to_revision": prod.revisions[0].name}),
    };
    ledger.append_at(&actor, outcome, created).unwrap();
    prod.revisions.truncate(2);
    let items = history(&ledger.read_all().unwrap(), "prod", Some(&prod));
    assert_eq!(items.len(), 2, "{items:#?}");
    let HistoryItem::Revision { deployed_by, .. } = &items[0] else {
        panic!("{items:#?}");
    };
    assert_eq!(
        deployed_by.as_ref().map(|d| d.action.as_str()),
        Some("rollback")
    );
}
