//! Keys → messages, per mode. k9s / lazygit habits: hjkl and arrows, Tab, `?`, Esc, `q`. The mouse
//! too: a click or the wheel on what the view drew there.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use crate::model::Model;
use crate::msg::{Action, Msg, PointerKind};

pub fn map(key: KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let action = match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab => Action::NextPane,
        KeyCode::BackTab => Action::PrevPane,
        KeyCode::Left | KeyCode::Char('h') => Action::Left,
        KeyCode::Right | KeyCode::Char('l') => Action::Right,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Char('[') => Action::PrevLane,
        KeyCode::Char(']') => Action::NextLane,
        KeyCode::Char('g') => Action::SignGo,
        KeyCode::Char('G') => Action::SignColumn,
        KeyCode::Char('n') => Action::SignNoGo,
        KeyCode::Char('c') => Action::Comment,
        KeyCode::Char('t') => Action::Trigger,
        KeyCode::Char('p') => Action::PromoteHere,
        KeyCode::Char('R') => Action::RollbackHere,
        KeyCode::Char(' ') => Action::PauseResume,
        KeyCode::Char('a') => Action::Advance,
        KeyCode::Char('A') => Action::Acknowledge,
        KeyCode::Char('x') => Action::Abort,
        KeyCode::Char('v') => Action::Approve,
        KeyCode::Char('V') => Action::Reject,
        KeyCode::Char(':') => Action::CommandLine,
        KeyCode::Enter => Action::Open,
        KeyCode::Char('/') => Action::Filter,
        _ => return None,
    };
    Some(Msg::Action(action))
}

/// The message for a mouse event on a screen of `area`; `None` for moves, drags, releases and
/// anything outside the panes.
pub fn mouse(model: &Model, area: Rect, event: MouseEvent) -> Option<Msg> {
    let kind = match event.kind {
        MouseEventKind::Down(MouseButton::Left) => PointerKind::Click,
        MouseEventKind::ScrollUp => PointerKind::WheelUp,
        MouseEventKind::ScrollDown => PointerKind::WheelDown,
        _ => return None,
    };
    let (pane, item) = crate::ui::pointer::target(model, area, event.column, event.row)?;
    Some(Msg::Pointer { pane, item, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> Option<Msg> {
        map(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn vim_keys_and_arrows_mean_the_same() {
        let pairs = [
            (KeyCode::Char('h'), KeyCode::Left),
            (KeyCode::Char('l'), KeyCode::Right),
            (KeyCode::Char('k'), KeyCode::Up),
            (KeyCode::Char('j'), KeyCode::Down),
        ];
        for (vim, arrow) in pairs {
            assert_eq!(format!("{:?}", press(vim)), format!("{:?}", press(arrow)));
        }
    }

    #[test]
    fn ctrl_c_quits_and_unbound_keys_do_nothing() {
        let ctrl_c = map(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(matches!(ctrl_c, Some(Msg::Action(Action::Quit))));
        assert!(press(KeyCode::Char('z')).is_none());
    }
}
