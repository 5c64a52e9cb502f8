//! The terminal, taken over for the cockpit and given back on exit, on error and on panic.

use std::io::{self, Write};

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::DefaultTerminal;

/// Owns the terminal while the cockpit runs. `ratatui::init` installs a panic hook that restores
/// the terminal before the panic message prints; `Drop` restores it on every other exit path.
pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        Ok(TerminalGuard { terminal })
    }

    /// Draws one frame; inside a synchronized update when `whole` (the terminal then shows it all
    /// at once). A frame that only moves the clock's digits needs no such care.
    pub fn draw(
        &mut self,
        whole: bool,
        render: impl FnOnce(&mut ratatui::Frame),
    ) -> io::Result<()> {
        let mut out = io::stdout();
        if whole {
            execute!(out, BeginSynchronizedUpdate)?;
        }
        let drawn = self.terminal.draw(render).map(|_| ());
        if whole {
            execute!(out, EndSynchronizedUpdate)?;
        }
        out.flush()?;
        drawn
    }

    /// Bytes outside any frame (the bell, a notification sequence): they move no cell.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout();
        out.write_all(bytes)?;
        out.flush()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
        let _ = execute!(io::stdout(), Show);
    }
}
