//! The styles widgets ask for by role.

use ratatui::style::{Color, Modifier, Style};

use crate::config::colour::Colour;
use crate::config::theme::{StyleSpec, ThemeSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Dim,
    Title,
    Border,
    BorderFocus,
    Header,
    StatusBar,
    Key,
    Selected,
    Accent,
    Info,
    Pass,
    Warn,
    Fail,
    Stale,
    Running,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Dim => "dim",
            Role::Title => "title",
            Role::Border => "border",
            Role::BorderFocus => "border_focus",
            Role::Header => "header",
            Role::StatusBar => "status_bar",
            Role::Key => "key",
            Role::Selected => "selected",
            Role::Accent => "accent",
            Role::Info => "info",
            Role::Pass => "pass",
            Role::Warn => "warn",
            Role::Fail => "fail",
            Role::Stale => "stale",
            Role::Running => "running",
        }
    }

    const ALL: [Role; 16] = [
        Role::Text,
        Role::Dim,
        Role::Title,
        Role::Border,
        Role::BorderFocus,
        Role::Header,
        Role::StatusBar,
        Role::Key,
        Role::Selected,
        Role::Accent,
        Role::Info,
        Role::Pass,
        Role::Warn,
        Role::Fail,
        Role::Stale,
        Role::Running,
    ];
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    styles: [Style; 16],
}

impl Theme {
    pub fn from_spec(spec: &ThemeSpec) -> Theme {
        let styles =
            Role::ALL.map(|role| spec.roles.get(role.key()).map(to_style).unwrap_or_default());
        Theme {
            name: spec.name.clone(),
            styles,
        }
    }

    /// The built-in default (dark), or monochrome when `no_color`.
    pub fn default_for(no_color: bool) -> Theme {
        let name = if no_color { "monochrome" } else { "dark" };
        ThemeSpec::built_in(name).map_or_else(
            || Theme {
                name: "plain".into(),
                styles: [Style::default(); 16],
            },
            |spec| Theme::from_spec(&spec),
        )
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles[role as usize]
    }
}

fn to_style(spec: &StyleSpec) -> Style {
    let mut style = Style::default();
    if let Some(fg) = spec.fg {
        style = style.fg(terminal_colour(fg));
    }
    if let Some(bg) = spec.bg {
        style = style.bg(terminal_colour(bg));
    }
    let flags = [
        (spec.bold, Modifier::BOLD),
        (spec.dim, Modifier::DIM),
        (spec.italic, Modifier::ITALIC),
        (spec.underlined, Modifier::UNDERLINED),
        (spec.reversed, Modifier::REVERSED),
    ];
    for (on, modifier) in flags {
        if on {
            style = style.add_modifier(modifier);
        }
    }
    style
}

fn terminal_colour(colour: Colour) -> Color {
    match colour {
        Colour::Reset => Color::Reset,
        Colour::Black => Color::Black,
        Colour::Red => Color::Red,
        Colour::Green => Color::Green,
        Colour::Yellow => Color::Yellow,
        Colour::Blue => Color::Blue,
        Colour::Magenta => Color::Magenta,
        Colour::Cyan => Color::Cyan,
        Colour::Gray => Color::Gray,
        Colour::DarkGray => Color::DarkGray,
        Colour::LightRed => Color::LightRed,
        Colour::LightGreen => Color::LightGreen,
        Colour::LightYellow => Color::LightYellow,
        Colour::LightBlue => Color::LightBlue,
        Colour::LightMagenta => Color::LightMagenta,
        Colour::LightCyan => Color::LightCyan,
        Colour::White => Color::White,
        Colour::Indexed(index) => Color::Indexed(index),
        Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a white background ANSI 7 ("gray") and the light colours are all but invisible.
    #[test]
    fn the_light_theme_has_no_faint_greys() {
        let spec = ThemeSpec::built_in("light").expect("built in");
        let theme = Theme::from_spec(&spec);
        for role in Role::ALL {
            let fg = theme.style(role).fg;
            let faint = matches!(
                fg,
                Some(Color::Gray | Color::White | Color::LightYellow | Color::LightCyan)
            ) || matches!(fg, Some(Color::Rgb(r, g, b)) if u16::from(r) + u16::from(g) + u16::from(b) > 3 * 0x90);
            let on_its_own_bg = theme.style(role).bg.is_some();
            assert!(
                !faint || on_its_own_bg,
                "{role:?} is faint on white: {fg:?}"
            );
        }
    }
}
