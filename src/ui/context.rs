//! How every view draws: the theme and symbol set chosen once at start-up, and the bordered
//! block they make.

use ratatui::widgets::{Block, Borders};

use super::symbols::Symbols;
use super::theme::{Role, Theme};

/// How to draw: chosen once at start-up (theme, Unicode or ASCII).
#[derive(Debug, Clone)]
pub struct UiContext {
    pub theme: Theme,
    pub symbols: Symbols,
}

impl UiContext {
    pub fn block<'a>(&self, title: &'a str, focused: bool) -> Block<'a> {
        let role = if focused {
            Role::BorderFocus
        } else {
            Role::Border
        };
        Block::default()
            .borders(Borders::ALL)
            .border_set(self.symbols.border)
            .border_style(self.theme.style(role))
            .title(title)
            .title_style(self.theme.style(if focused {
                Role::BorderFocus
            } else {
                Role::Title
            }))
    }
}
