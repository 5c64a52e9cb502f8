//! What a user sees: the whole screen at fixed sizes with an injected clock.

use chrono::Duration;
use flightdeck::model::fixtures::{clock, three_lanes};
use flightdeck::model::lane::Readiness;
use flightdeck::model::{Level, Model, Overlay};
use flightdeck::ui::{self, Symbols, Theme, UiContext};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model, symbols: Symbols, width: u16, height: u16) -> String {
    let ui = UiContext {
        theme: Theme::default_for(false),
        symbols,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::view(model, &ui, frame)).unwrap();
    terminal.backend().to_string()
}

fn with_activity(mut model: Model) -> Model {
    model.log(Some("prod"), Level::Info, "new revision 00008-abc (1.4.2)");
    model.now += Duration::seconds(1);
    model.log(
        Some("prod"),
        Level::Info,
        "traffic now 00007-abc 90% · 00008-abc 10%",
    );
    model.log(None, Level::Good, "all lanes answered");
    model
}

#[test]
fn three_live_lanes_at_80x24() {
    let model = with_activity(three_lanes(1));
    insta::assert_snapshot!(screen(&model, Symbols::UNICODE, 80, 24));
}

#[test]
fn three_live_lanes_at_120x32() {
    let model = with_activity(three_lanes(1));
    insta::assert_snapshot!(screen(&model, Symbols::UNICODE, 120, 32));
}

#[test]
fn ascii_fallback_at_80x24() {
    let model = with_activity(three_lanes(1));
    let text = screen(&model, Symbols::ASCII, 80, 24);
    assert!(text.is_ascii(), "ASCII mode drew a non-ASCII cell");
    insta::assert_snapshot!(text);
}

#[test]
fn stale_and_unreachable_lanes_say_so() {
    let mut model = three_lanes(9);
    model.lanes[1].error = Some("GET http://127.0.0.1:9/v2/…: connection failed".into());
    model.lanes[2].fetched_at = Some(clock() - Duration::seconds(1));
    let text = screen(&model, Symbols::UNICODE, 100, 24);
    assert!(text.contains("dev ? no probes ◌ STALE"), "{text}");
    assert!(text.contains("STALE: data 9s old"));
    assert!(text.contains("connection failed"));
    insta::assert_snapshot!(text);
}

#[test]
fn an_operation_in_flight_shows_progress() {
    let mut model = three_lanes(1);
    let dev = &mut model.lanes[0];
    dev.reconciling_since = Some(clock() - Duration::seconds(20));
    if let Some(service) = dev.service.as_mut() {
        service.reconciling = true;
        service.generation += 1;
        service.condition.readiness = Readiness::Reconciling;
        service.condition.message = Some("Deploying revision.".into());
    }
    insta::assert_snapshot!(screen(&model, Symbols::UNICODE, 80, 24));
}

#[test]
fn help_overlay_lists_the_keys() {
    let mut model = three_lanes(1);
    model.overlay = Overlay::Help;
    let text = screen(&model, Symbols::UNICODE, 80, 24);
    assert!(text.contains("quit (the terminal is restored)"));
    insta::assert_snapshot!(text);
}

#[test]
fn before_the_first_poll_nothing_looks_healthy() {
    let envs = ["dev".to_string(), "staging".to_string(), "prod".to_string()];
    let model = Model::new("clarity-backend", "sandbox", &envs, 2, clock());
    let text = screen(&model, Symbols::UNICODE, 80, 24);
    assert!(!text.contains("Ready"));
    assert!(!text.contains('✓'));
    insta::assert_snapshot!(text);
}
