//! A theme's colours as written: the sixteen ANSI names (`light_red`, `dark-gray`, `bright
//! blue` …, spelled as terminals and ratatui spell them), an index `0`-`255`, or `"#rrggbb"`.
//! Plain data; the views turn it into a terminal colour.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Reset,
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
    Indexed(u8),
    Rgb(u8, u8, u8),
}

impl FromStr for Colour {
    type Err = String;

    fn from_str(text: &str) -> Result<Colour, String> {
        let name = text
            .to_lowercase()
            .replace([' ', '-', '_'], "")
            .replace("bright", "light")
            .replace("grey", "gray")
            .replace("silver", "gray")
            .replace("lightblack", "darkgray")
            .replace("lightwhite", "white")
            .replace("lightgray", "white");
        Ok(match name.as_str() {
            "reset" => Colour::Reset,
            "black" => Colour::Black,
            "red" => Colour::Red,
            "green" => Colour::Green,
            "yellow" => Colour::Yellow,
            "blue" => Colour::Blue,
            "magenta" => Colour::Magenta,
            "cyan" => Colour::Cyan,
            "gray" => Colour::Gray,
            "darkgray" => Colour::DarkGray,
            "lightred" => Colour::LightRed,
            "lightgreen" => Colour::LightGreen,
            "lightyellow" => Colour::LightYellow,
            "lightblue" => Colour::LightBlue,
            "lightmagenta" => Colour::LightMagenta,
            "lightcyan" => Colour::LightCyan,
            "white" => Colour::White,
            _ => match (text.parse::<u8>(), hex(text)) {
                (Ok(index), _) => Colour::Indexed(index),
                (_, Some((r, g, b))) => Colour::Rgb(r, g, b),
                _ => return Err(format!("`{text}` is not a colour")),
            },
        })
    }
}

fn hex(text: &str) -> Option<(u8, u8, u8)> {
    let digits = text.strip_prefix('#').filter(|d| d.len() == 6)?;
    let byte = |at: usize| u8::from_str_radix(digits.get(at..at + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Colour, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_indexes_and_hex_are_colours_and_nothing_else_is() {
        for (text, colour) in [
            ("light_red", Colour::LightRed),
            ("Dark-Gray", Colour::DarkGray),
            ("bright blue", Colour::LightBlue),
            ("grey", Colour::Gray),
            ("244", Colour::Indexed(244)),
            ("#0a1B2c", Colour::Rgb(0x0a, 0x1b, 0x2c)),
        ] {
            assert_eq!(text.parse::<Colour>(), Ok(colour), "{text}");
        }
        for text in ["purple", "256", "#12345", "#gg0000", ""] {
            assert_eq!(
                text.parse::<Colour>(),
                Err(format!("`{text}` is not a colour"))
            );
        }
    }
}
