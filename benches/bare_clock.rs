//! The floor for terminal bytes while idle: a bare ratatui loop that redraws only a 1 Hz
//! `HH:MM:SS UTC` clock, nothing else. `benches/idle_bytes.sh` runs it in tmux beside the cockpit
//! and counts what reaches the terminal. `--sync` wraps each frame in synchronized output like the
//! cockpit does; `--secs N` quits after N seconds; `q` quits.
//!
//! Under plain `cargo bench` (no terminal) it says so and exits.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{self, Event, KeyCode};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::layout::Alignment;
use ratatui::widgets::Paragraph;

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if !io::stdout().is_terminal() {
        eprintln!("bare_clock: needs a terminal; run benches/idle_bytes.sh");
        return Ok(());
    }
    let sync = args.iter().any(|a| a == "--sync");
    let secs = args
        .iter()
        .position(|a| a == "--secs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<u64>().ok());
    let end = secs.map(|s| Instant::now() + Duration::from_secs(s));
    let mut terminal = ratatui::try_init()?;
    let mut shown = String::new();
    let result = (|| -> io::Result<()> {
        loop {
            let now = Utc::now();
            let text = now.format("%H:%M:%S UTC").to_string();
            if text != shown {
                if sync {
                    execute!(io::stdout(), BeginSynchronizedUpdate)?;
                }
                terminal.draw(|frame| {
                    frame.render_widget(
                        Paragraph::new(text.as_str()).alignment(Alignment::Right),
                        frame.area(),
                    );
                })?;
                if sync {
                    execute!(io::stdout(), EndSynchronizedUpdate)?;
                }
                io::stdout().flush()?;
                shown = text;
            }
            if end.is_some_and(|end| Instant::now() >= end) {
                return Ok(());
            }
            // Sleep until the next second (or a key).
            let to_next = 1000 - u64::from(Utc::now().timestamp_subsec_millis().min(999));
            if event::poll(Duration::from_millis(to_next))?
                && let Event::Key(key) = event::read()?
                && key.code == KeyCode::Char('q')
            {
                return Ok(());
            }
        }
    })();
    ratatui::restore();
    result
}
