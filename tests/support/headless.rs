//! The whole cockpit, headless: the real loop (`runtime::run_on`) on a `TestBackend` the test
//! reads, synthetic keys, waits on the screen or any condition with a deadline.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use flightdeck::cli::{Globals, cockpit};
use flightdeck::model::Model;
use flightdeck::runtime::{self, Screen};
use flightdeck::session::Session;
use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};

/// A `TestBackend` terminal the test can read while the loop draws on it.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Terminal<TestBackend>>>);

impl Screen for Shared {
    fn draw_frame(&mut self, whole: bool, render: impl FnOnce(&mut Frame)) -> std::io::Result<()> {
        self.0.lock().unwrap().draw_frame(whole, render)
    }
}

impl Shared {
    pub fn text(&self) -> String {
        let terminal = self.0.lock().unwrap();
        let buffer = terminal.backend().buffer();
        let width = buffer.area.width as usize;
        buffer
            .content
            .chunks(width)
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub struct Cockpit {
    pub screen: Shared,
    pub keys: UnboundedSender<std::io::Result<Event>>,
    pub done: tokio::task::JoinHandle<std::io::Result<Model>>,
}

impl Cockpit {
    pub fn key(&self, code: KeyCode) {
        let event = Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
        self.keys.unbounded_send(Ok(event)).unwrap();
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self.key(KeyCode::Enter);
    }

    pub async fn wait_screen(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.screen.text().contains(what) {
            assert!(
                !self.done.is_finished(),
                "the cockpit's loop ended while waiting for `{what}`"
            );
            assert!(
                Instant::now() < deadline,
                "timed out waiting for `{what}` on screen:\n{}",
                self.screen.text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub async fn wait(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs the cockpit of `session` on a 120×36 `TestBackend`.
pub async fn start(session: Session, globals: &Globals) -> Cockpit {
    let parts = cockpit::cockpit(&session, globals).await.unwrap();
    let screen = Shared(Arc::new(Mutex::new(
        Terminal::new(TestBackend::new(120, 36)).unwrap(),
    )));
    let (keys, events) = unbounded();
    let mut on = screen.clone();
    let done = tokio::spawn(async move {
        let _session = session;
        runtime::run_on(
            &mut on,
            events,
            None,
            parts.model,
            parts.ui,
            parts.effects,
            parts.probe_reports,
        )
        .await
    });
    Cockpit { screen, keys, done }
}
