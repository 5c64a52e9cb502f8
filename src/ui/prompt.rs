//! The prompt popup (ratatui-textarea): a multi-line comment editor (Ctrl-S submits, Enter is a
//! new line) or a one-line prompt (Enter submits): confirmation, override reason, version, `:`.
//! Its text is view state owned by the runtime while the popup is open; `update` receives only
//! the submitted text (`Msg::PromptSubmitted`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::symbols::Symbols;
use super::{Role, UiContext, centered};
use crate::ledger::Decision;
use crate::model::Prompt;
use crate::model::command_line::LineKey;
use crate::model::confirm::{Change, Mark};
use crate::model::operations::request_label;
use crate::msg::Msg;

#[derive(Debug)]
pub struct PromptEditor {
    textarea: TextArea<'static>,
    multi_line: bool,
    /// The `:` line: Tab completes and Up/Down recall (both answered by `update`).
    command_line: bool,
    placeholder: &'static str,
    /// Completion candidates under the line, the one shown marked.
    candidates: Option<(Vec<String>, usize)>,
}

impl PromptEditor {
    pub fn new(prompt: &Prompt) -> PromptEditor {
        let mut textarea = TextArea::default();
        let placeholder = match prompt {
            Prompt::Comment(_) => "why? (several lines are fine)",
            Prompt::Trigger { .. } => "version, e.g. 1.5.0",
            Prompt::Confirm { typed: true, .. } => "the environment's name",
            Prompt::Confirm { .. } => "Enter: go ahead",
            Prompt::Override { .. } => "reason for overriding (recorded in the ledger)",
            Prompt::Rollback { .. } => {
                "Enter: the revision before the one serving; or type a revision"
            }
            Prompt::SignColumn { .. } => "Enter: sign them all GO",
            Prompt::Filter => "a word: only activity entries containing it are shown",
            Prompt::Quit { .. } => "b: keep running in the background · h: hand over · a: abort",
            Prompt::Review { .. } => "your comment (optional): Enter sends, Esc gives up",
            Prompt::CommandLine => "a command: Tab completes it (trigger, promote, rollback, …)",
        };
        textarea.set_placeholder_text(placeholder);
        PromptEditor {
            textarea,
            multi_line: prompt.multi_line(),
            command_line: matches!(prompt, Prompt::CommandLine),
            placeholder,
            candidates: None,
        }
    }

    /// Replaces the text (a completion or a recalled line), the cursor at its end; with the
    /// candidates to list when a completion was ambiguous.
    pub fn set_text(&mut self, text: &str, candidates: Option<(Vec<String>, usize)>) {
        self.textarea = TextArea::from([text.to_string()]);
        self.textarea.set_placeholder_text(self.placeholder);
        self.textarea.move_cursor(ratatui_textarea::CursorMove::End);
        self.candidates = candidates;
    }

    /// A key while the popup is open: edits the text, or ends the popup with a message.
    pub fn key(&mut self, key: KeyEvent) -> Option<Msg> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => Some(Msg::PromptCancelled),
            KeyCode::Char('c') if ctrl => Some(Msg::PromptCancelled),
            KeyCode::Char('s') if ctrl => Some(Msg::PromptSubmitted(self.text())),
            KeyCode::Enter if !self.multi_line || key.modifiers.contains(KeyModifiers::ALT) => {
                Some(Msg::PromptSubmitted(self.text()))
            }
            KeyCode::Tab | KeyCode::Up | KeyCode::Down if self.command_line => {
                let key = match key.code {
                    KeyCode::Tab => LineKey::Complete,
                    KeyCode::Up => LineKey::Older,
                    _ => LineKey::Newer,
                };
                Some(Msg::CommandLineKey {
                    key,
                    text: self.text(),
                })
            }
            _ => {
                self.candidates = None;
                self.textarea.input(key);
                None
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        if self.multi_line {
            self.textarea.insert_str(text);
        } else {
            self.textarea.insert_str(text.replace('\n', " "));
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn render(&mut self, prompt: &Prompt, ui: &UiContext, frame: &mut Frame, area: Rect) {
        let (title, notes) = describe(prompt, &ui.symbols);
        frame.render_widget(Clear, area);
        let block = ui.block(&title, true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let note_rows = wrapped_rows(&notes, inner.width);
        let [notes_area, text_area, keys_area] = Layout::vertical([
            Constraint::Length(note_rows),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let lines: Vec<Line> = notes
            .into_iter()
            .map(|(role, text)| Line::from(Span::styled(text, ui.theme.style(role))))
            .collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), notes_area);
        self.textarea.set_style(ui.theme.style(Role::Text));
        frame.render_widget(&self.textarea, text_area);
        if let Some((candidates, shown)) = &self.candidates {
            let mut spans = vec![Span::styled("Tab ", ui.theme.style(Role::Key))];
            for (i, candidate) in candidates.iter().enumerate() {
                let role = if i == *shown {
                    Role::Selected
                } else {
                    Role::Dim
                };
                spans.push(Span::styled(candidate.clone(), ui.theme.style(role)));
                spans.push(Span::raw(" "));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), keys_area);
            return;
        }
        let submit = if self.multi_line { "Ctrl-S" } else { "Enter" };
        let mut keys = vec![
            Span::styled(submit, ui.theme.style(Role::Key)),
            Span::styled(" submit  ", ui.theme.style(Role::StatusBar)),
        ];
        if self.multi_line {
            keys.push(Span::styled("Enter", ui.theme.style(Role::Key)));
            keys.push(Span::styled(" new line  ", ui.theme.style(Role::StatusBar)));
        }
        if self.command_line {
            keys.push(Span::styled("Tab", ui.theme.style(Role::Key)));
            keys.push(Span::styled(" complete  ", ui.theme.style(Role::StatusBar)));
            keys.push(Span::styled("↑↓", ui.theme.style(Role::Key)));
            keys.push(Span::styled(" history  ", ui.theme.style(Role::StatusBar)));
        }
        keys.push(Span::styled("Esc", ui.theme.style(Role::Key)));
        keys.push(Span::styled(" cancel", ui.theme.style(Role::StatusBar)));
        frame.render_widget(Paragraph::new(Line::from(keys)), keys_area);
    }
}

/// Where the popup goes: comments get room for several lines; others one line plus their notes.
pub fn area(prompt: &Prompt, screen: Rect) -> Rect {
    let width = 72.min(screen.width);
    let rows = match prompt {
        Prompt::Comment(_) => 12,
        // Symbols of either set take one cell each: the unicode set measures both.
        other => {
            4 + wrapped_rows(
                &describe(other, &Symbols::UNICODE).1,
                width.saturating_sub(2),
            )
        }
    };
    centered(screen, width, rows.min(screen.height))
}

/// Rows the notes take when word-wrapped at `width` cells (greedy, as the paragraph wraps).
fn wrapped_rows(notes: &[(Role, String)], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows = |text: &str| {
        let (mut rows, mut used) = (1usize, 0usize);
        for word in text.split(' ') {
            let len = word.chars().count();
            let needed = if used == 0 { len } else { used + 1 + len };
            if needed <= width {
                used = needed;
            } else {
                rows += 1 + len.saturating_sub(1) / width;
                used = len % width;
            }
        }
        rows as u16
    };
    notes.iter().map(|(_, text)| rows(text)).sum()
}

fn describe(prompt: &Prompt, symbols: &Symbols) -> (String, Vec<(Role, String)>) {
    match prompt {
        Prompt::Comment(purpose) => {
            let title = match purpose.decision {
                Some(Decision::NoGo) => {
                    format!(" NO-GO on {} × {}: reason ", purpose.item, purpose.role)
                }
                Some(Decision::Go) => format!(
                    " GO on {} × {}: why the NO-GO no longer stands ",
                    purpose.item, purpose.role
                ),
                None => format!(" Comment on {} × {} ", purpose.item, purpose.role),
            };
            (title, Vec::new())
        }
        Prompt::Trigger { offered } => {
            let text = match offered.is_empty() {
                true => "No build was seen to succeed yet: any image tag will do.".to_string(),
                false => format!("Built successfully or running: {}", offered.join(", ")),
            };
            (" Trigger a release ".into(), vec![(Role::Text, text)])
        }
        Prompt::Rollback { env, revisions } => {
            let mut notes = vec![(
                Role::Text,
                "Revisions, newest first (Enter alone: the one marked ◀ previous, else the one before the serving one):"
                    .to_string(),
            )];
            notes.extend(revisions.iter().map(|r| (Role::Dim, format!("  {r}"))));
            (format!(" Roll back {env} "), notes)
        }
        Prompt::CommandLine => (" : ".into(), Vec::new()),
        Prompt::SignColumn {
            env,
            release,
            role,
            items,
            objected,
        } => {
            let mut notes = vec![(
                Role::Text,
                format!(
                    "GO as {role} for {release} into {env}, on {} items:",
                    items.len()
                ),
            )];
            notes.push((Role::Dim, format!("  {}", items.join(", "))));
            if *objected > 0 {
                notes.push((
                    Role::Warn,
                    format!("{objected} NO-GO stay: lift each with g and a reason."),
                ));
            }
            notes.push((
                Role::Warn,
                "Each is recorded in the ledger. Enter to sign, Esc: nothing is recorded.".into(),
            ));
            (format!(" Sign the {role} column "), notes)
        }
        Prompt::Filter => (" / filter the activity ".into(), Vec::new()),
        Prompt::Quit { envs } => (
            " Quit while driving ".into(),
            vec![
                (
                    Role::Warn,
                    format!("This cockpit drives the rollout in {}.", envs.join(", ")),
                ),
                (
                    Role::Text,
                    "b + Enter: a background process keeps driving it · h: hand it over (another \
                     cockpit or `flightdeck rollout resume` takes it) · a: abort it (traffic back) \
                     · Esc: stay"
                        .into(),
                ),
            ],
        ),
        Prompt::Review { env, reject } => super::approval::review_prompt(env, *reject),
        Prompt::Confirm {
            change,
            env,
            typed,
            preview,
            ..
        } => {
            let title = match change {
                Change::Command(request) => request_label(request),
                Change::Control(control) => format!("{} the rollout in {env}", control.name()),
            };
            let mut notes: Vec<(Role, String)> = preview
                .changes
                .iter()
                .map(|(label, text)| (Role::Text, format!("{label:<7} {text}")))
                .collect();
            notes.extend(preview.gates.iter().map(|g| match g.mark {
                Mark::Passed => (Role::Pass, format!("{} {}", symbols.pass, g.text)),
                Mark::Unknown => (Role::Dim, format!("{} {}", symbols.unknown, g.text)),
                Mark::Overridden | Mark::Warning => {
                    (Role::Warn, format!("{} {}", symbols.warn, g.text))
                }
            }));
            let ask = match typed {
                true => format!("This changes {env}. Type `{env}` to go ahead."),
                false => format!("This changes {env}. Enter to go ahead, Esc: nothing is sent."),
            };
            notes.push((Role::Warn, ask));
            (format!(" Confirm: {title} "), notes)
        }
        Prompt::Override {
            request, refusals, ..
        } => {
            let mut notes: Vec<(Role, String)> =
                refusals.iter().map(|r| (Role::Fail, r.clone())).collect();
            notes.push((
                Role::Text,
                "Type a reason to override (it is recorded), or Esc.".into(),
            ));
            (format!(" Refused: {} ", request_label(request)), notes)
        }
    }
}
