//! The comment editor popup (ratatui-textarea): multi-line, paste works, Ctrl-S submits, Esc cancels.
//! Its text is view state owned by the runtime while the popup is open; `update` receives only the
//! submitted text (`Msg::CommentSubmitted`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui_textarea::TextArea;

use super::{Role, UiContext};
use crate::ledger::Decision;
use crate::model::CommentPurpose;
use crate::msg::Msg;

#[derive(Debug, Default)]
pub struct CommentEditor {
    textarea: TextArea<'static>,
}

impl CommentEditor {
    pub fn new() -> CommentEditor {
        let mut textarea = TextArea::default();
        textarea.set_placeholder_text("why? (several lines are fine)");
        CommentEditor { textarea }
    }

    /// A key while the popup is open: edits the text, or ends the popup with a message.
    pub fn key(&mut self, key: KeyEvent) -> Option<Msg> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => Some(Msg::CommentCancelled),
            KeyCode::Char('s') if ctrl => Some(Msg::CommentSubmitted(self.text())),
            KeyCode::Enter if key.modifiers.contains(KeyModifiers::ALT) => {
                Some(Msg::CommentSubmitted(self.text()))
            }
            _ => {
                self.textarea.input(key);
                None
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.textarea
            .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn render(
        &mut self,
        purpose: &CommentPurpose,
        ui: &UiContext,
        frame: &mut Frame,
        area: Rect,
    ) {
        let title = match purpose.decision {
            Some(Decision::NoGo) => {
                format!(" NO-GO on {} × {}: reason ", purpose.item, purpose.role)
            }
            Some(Decision::Go) => format!(" GO on {} × {} ", purpose.item, purpose.role),
            None => format!(" Comment on {} × {} ", purpose.item, purpose.role),
        };
        frame.render_widget(Clear, area);
        let block = ui.block(&title, true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [text_area, keys_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        self.textarea.set_style(ui.theme.style(Role::Text));
        frame.render_widget(&self.textarea, text_area);
        let keys = Line::from(vec![
            Span::styled("Ctrl-S", ui.theme.style(Role::Key)),
            Span::styled(" submit (or Alt-Enter)  ", ui.theme.style(Role::StatusBar)),
            Span::styled("Enter", ui.theme.style(Role::Key)),
            Span::styled(" new line  ", ui.theme.style(Role::StatusBar)),
            Span::styled("Esc", ui.theme.style(Role::Key)),
            Span::styled(" cancel", ui.theme.style(Role::StatusBar)),
        ]);
        frame.render_widget(Paragraph::new(keys), keys_area);
    }
}
