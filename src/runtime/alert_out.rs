//! An alert reaching the user outside the cockpit's frame: the terminal bell, a desktop
//! notification by escape sequence where the terminal understands one, and the profile's
//! `notify_command` (argv, no shell, the event JSON on stdin).

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::config::notify::NotifySection;
use crate::model::alerts::Alert;

/// Which desktop-notification sequence the terminal understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesktopNotify {
    /// None known (or inside tmux/screen, which would swallow or garble it): the bell alone.
    None,
    /// `ESC ] 9 ; text BEL`: iTerm2, Windows Terminal, WezTerm, kitty, Ghostty.
    Osc9,
    /// `ESC ] 777 ; notify ; title ; body BEL`: rxvt-unicode, foot, VTE-based terminals.
    Osc777,
}

impl DesktopNotify {
    /// From the environment the cockpit runs in (`TERM_PROGRAM`, `TERM`, `WT_SESSION`,
    /// `VTE_VERSION`, `TMUX`/`STY`); pure so it can be tested.
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> DesktopNotify {
        if var("TMUX").is_some() || var("STY").is_some() {
            return DesktopNotify::None;
        }
        let program = var("TERM_PROGRAM").unwrap_or_default();
        let term = var("TERM").unwrap_or_default();
        if ["iTerm.app", "WezTerm", "ghostty"].contains(&program.as_str())
            || var("WT_SESSION").is_some()
            || term.contains("kitty")
            || term.contains("ghostty")
        {
            DesktopNotify::Osc9
        } else if term.starts_with("rxvt")
            || term.starts_with("foot")
            || var("VTE_VERSION").is_some()
        {
            DesktopNotify::Osc777
        } else {
            DesktopNotify::None
        }
    }

    pub fn from_env() -> DesktopNotify {
        DesktopNotify::detect(|name| std::env::var(name).ok())
    }
}

/// The bytes written to the terminal for `alert`: BEL, then the notification if supported.
pub fn terminal_bytes(alert: &Alert, service: &str, notify: DesktopNotify) -> Vec<u8> {
    // Text from APIs must not end the sequence early or smuggle escapes into the terminal.
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() || c == ';' { ' ' } else { c })
            .collect()
    };
    let title = clean(&format!("flightdeck {service}"));
    let body = match &alert.lane {
        Some(lane) => clean(&format!("{lane}: {}", alert.text)),
        None => clean(&alert.text),
    };
    let mut out = vec![0x07];
    match notify {
        DesktopNotify::None => {}
        DesktopNotify::Osc9 => out.extend(format!("\x1b]9;{title}: {body}\x07").bytes()),
        DesktopNotify::Osc777 => out.extend(format!("\x1b]777;notify;{title};{body}\x07").bytes()),
    }
    out
}

/// Runs the profile's command for this event, if any; its failure is logged, never shown raw.
pub fn run_command(notify: &NotifySection, alert: &Alert, service: &str) {
    let Some(argv) = notify.command_for(alert.kind.name()) else {
        return;
    };
    let argv = argv.to_vec();
    let json = alert.to_json(service);
    tokio::spawn(async move {
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                tracing::warn!("notify command {:?}: {e}", argv[0]);
                return;
            }
        };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(json.as_bytes()).await;
            let _ = stdin.write_all(b"\n").await;
        }
        match tokio::time::timeout(std::time::Duration::from_secs(30), child.wait()).await {
            Ok(Ok(status)) if !status.success() => {
                tracing::warn!("notify command {:?} exited with {status}", argv[0])
            }
            Ok(Err(e)) => tracing::warn!("notify command {:?}: {e}", argv[0]),
            Err(_) => tracing::warn!("notify command {:?} took over 30 s; killed", argv[0]),
            Ok(Ok(_)) => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::AlertKind;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_notification_sequence_follows_the_terminal() {
        let cases: [(&[(&str, &str)], DesktopNotify); 6] = [
            (&[("TERM_PROGRAM", "iTerm.app")], DesktopNotify::Osc9),
            (&[("TERM", "xterm-kitty")], DesktopNotify::Osc9),
            (&[("TERM", "foot")], DesktopNotify::Osc777),
            (
                &[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")],
                DesktopNotify::Osc777,
            ),
            (&[("TERM", "xterm-256color")], DesktopNotify::None),
            (
                &[("TERM_PROGRAM", "iTerm.app"), ("TMUX", "/tmp/t,1,0")],
                DesktopNotify::None,
            ),
        ];
        for (vars, expected) in cases {
            assert_eq!(DesktopNotify::detect(env(vars)), expected, "{vars:?}");
        }
    }

    #[test]
    fn the_bell_always_rings_and_api_text_cannot_break_the_sequence() {
        let alert = Alert {
            kind: AlertKind::BuildFailed,
            lane: Some("build".into()),
            text: "failed; \x1b]0;pwned\x07".into(),
            at: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
        };
        assert_eq!(terminal_bytes(&alert, "svc", DesktopNotify::None), b"\x07");
        let osc9 = terminal_bytes(&alert, "svc", DesktopNotify::Osc9);
        assert_eq!(
            String::from_utf8(osc9).unwrap(),
            "\x07\x1b]9;flightdeck svc: build: failed   ]0 pwned \x07"
        );
        let osc777 = terminal_bytes(&alert, "svc", DesktopNotify::Osc777);
        assert!(
            String::from_utf8(osc777)
                .unwrap()
                .starts_with("\x07\x1b]777;notify;flightdeck svc;build")
        );
    }
}
