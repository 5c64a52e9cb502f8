//! The terminal, taken over for the cockpit and given back on exit, on error and on panic.

use std::io::{self, Write};

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::DefaultTerminal;

/// Owns the terminal while the cockpit runs. `ratatui::init` installs a panic hook that restores
/// the terminal before the panic message prints; `Drop` restores it on every other exit path.
/// Mouse capture, when on, is turned off on both paths too (a shell left capturing the mouse
/// prints escape codes on every click).
pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
    mouse: bool,
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        if mouse {
            let restore = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let _ = execute!(io::stdout(), DisableMouseCapture);
                restore(info);
            }));
            execute!(io::stdout(), EnableMouseCapture)?;
        }
        Ok(TerminalGuard { terminal, mouse })
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
        if self.mouse {
            let _ = execute!(io::stdout(), DisableMouseCapture);
        }
        ratatui::restore();
        let _ = execute!(io::stdout(), Show);
    }
}
